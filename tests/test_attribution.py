"""Attribution on every public form: UTM tags, referrer and landing path, first touch on the lead
and each activity its own; the campaign filter of the list, the API and the export."""

import csv
import io

from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Lead

from .helpers import HIDDEN_PATTERN, SLUG, add_lead, csrf_token_from, make_post, staff_token
from .test_webinars import make_webinar

TAGS = {"utm_source": "news", "utm_medium": "email", "utm_campaign": "spring", "utm_content": "top", "utm_term": "gut"}


def lead_and_activities(app, email="ana@example.com"):
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        activities = db.session.scalars(select(Activity).where(Activity.lead_id == lead.id).order_by(Activity.id)).all()
        db.session.expunge_all()
        return lead, activities


def test_webinar_page_carries_the_query_and_referrer_into_the_lead(app, client):
    slug = make_webinar(app)
    query = "&".join(f"{name}={value}" for name, value in TAGS.items())
    page = client.get(f"/webinars/{slug}?{query}", headers={"Referer": "https://search.example/?q=gut"})
    html = page.get_data(as_text=True)
    hidden = dict(HIDDEN_PATTERN.findall(html))
    assert hidden["landing_path"] == f"/webinars/{slug}" and hidden["utm_term"] == "gut"
    form = {**hidden, "csrf_token": csrf_token_from(html), "first_name": "Ana", "email": "ana@example.com"}
    assert client.post(f"/webinars/{slug}/register", data=form).status_code == 303
    lead, [activity] = lead_and_activities(app)
    assert {name: getattr(lead, name) for name in TAGS} == TAGS
    assert (lead.referrer, lead.landing_path) == ("https://search.example/?q=gut", f"/webinars/{slug}")
    assert (activity.utm_content, activity.landing_path) == ("top", f"/webinars/{slug}")


def test_webinar_api_takes_every_attribution_field(app, client):
    slug = make_webinar(app)
    body = {
        "email": "ana@example.com",
        "first_name": "Ana",
        **TAGS,
        "referrer": "https://a.example/",
        "landing_path": "/blog/x",
    }
    response = client.post(f"/api/v1/webinars/{slug}/registrations", json=body)
    assert response.status_code == 202, response.get_json()
    lead, _ = lead_and_activities(app)
    assert (lead.utm_source, lead.utm_term, lead.landing_path, lead.referrer) == (
        "news",
        "gut",
        "/blog/x",
        "https://a.example/",
    )


def test_bad_attribution_is_422_and_stores_nothing(app, client):
    slug = make_webinar(app)
    body = {"email": "ana@example.com", "first_name": "Ana", "utm_campaign": "x" * 101, "landing_path": "/a\nb"}
    response = client.post(f"/api/v1/webinars/{slug}/registrations", json=body)
    assert response.status_code == 422
    assert {"utm_campaign", "landing_path"} <= set(response.get_json()["errors"])
    with app.app_context():
        assert db.session.scalar(select(Lead.id)) is None


def test_first_touch_is_kept_and_each_activity_has_its_own(app, client, auth):
    slug = make_webinar(app)
    first = {"email": "ana@example.com", "first_name": "Ana", "utm_campaign": "spring", "landing_path": "/blog/a"}
    assert client.post("/api/v1/ebook-requests", json=first).status_code == 202
    later = {**first, "utm_campaign": "autumn", "utm_source": "ads", "landing_path": "/blog/b"}
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=later).status_code == 202
    lead, activities = lead_and_activities(app)
    assert (lead.utm_campaign, lead.utm_source, lead.landing_path) == ("spring", None, "/blog/a")
    assert [(a.utm_campaign, a.landing_path) for a in activities] == [("spring", "/blog/a"), ("autumn", "/blog/b")]
    auth.sign_in(role="marketing")
    journey = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "on /blog/a" in journey and "on /blog/b" in journey and "ads / autumn" in journey
    held = client.get(f"/admin/leads/{lead.id}/export.json").get_json()  # subject access: all we hold
    assert held["lead"]["landing_path"] == "/blog/a" and held["activities"][1]["landing_path"] == "/blog/b"


def test_a_form_under_an_article_lands_on_the_article(app, client):
    make_post(app)
    html = client.get(f"/blog/{SLUG}?landing_path=/elsewhere&utm_source=feed").get_data(as_text=True)
    # The reply form only: the call-back form below it carries the article as its own campaign.
    reply_form = html[html.index('id="comment-form"') :]
    hidden = dict(HIDDEN_PATTERN.findall(reply_form[: reply_form.index("</form>")]))
    assert hidden["landing_path"] == f"/blog/{SLUG}" and hidden["utm_source"] == "feed"
    assert "utm_campaign" not in hidden
    assert f"landing_path=/blog/{SLUG}" in html.replace("%2F", "/")  # the offers' links carry the article on
    body = {
        "name": "Ana",
        "email": "ana@example.com",
        "body": "Thank you.",
        "consent": True,
        "landing_path": f"/blog/{SLUG}",
    }
    assert client.post(f"/api/v1/posts/{SLUG}/comments", json=body).status_code == 202
    lead, [activity] = lead_and_activities(app)
    assert lead.landing_path == activity.landing_path == f"/blog/{SLUG}"


def test_campaign_filters_the_list_the_api_and_the_export(app, client, auth):
    add_lead(app, "spring@example.com", utm_campaign="spring")
    add_lead(app, "autumn@example.com", utm_campaign="autumn")
    add_lead(app, "none@example.com")
    headers = staff_token(app, "crm@clinic.example", role="marketing")
    api = client.get("/api/v1/leads?campaign=spring", headers=headers).get_json()
    assert [lead["email"] for lead in api["leads"]] == ["spring@example.com"]
    assert api["leads"][0]["utm_campaign"] == "spring"
    assert client.get("/api/v1/leads?campaign=" + "x" * 101, headers=headers).status_code == 422
    auth.sign_in(role="marketing")
    page = client.get("/admin/leads?campaign=spring").get_data(as_text=True)
    assert "spring@example.com" in page and "autumn@example.com" not in page
    export = client.get("/admin/leads/export.csv?campaign=spring").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert [row["email"] for row in rows] == ["spring@example.com"]
    assert "landing_path" in rows[0]


def test_call_back_page_and_api_keep_every_attribution_field(app, client):
    query = "&".join(f"{name}={value}" for name, value in TAGS.items())
    html = client.get(f"/call-back?{query}").get_data(as_text=True)
    hidden = dict(HIDDEN_PATTERN.findall(html))
    assert hidden["landing_path"] == "/call-back" and hidden["utm_content"] == "top"
    form = {
        **hidden,
        "csrf_token": csrf_token_from(html),
        "first_name": "Ana",
        "email": "ana@example.com",
        "phone": "(312) 555-0100",
    }
    assert client.post("/call-back", data=form).status_code == 303
    lead, [activity] = lead_and_activities(app)
    assert {name: getattr(lead, name) for name in TAGS} == TAGS
    assert (activity.utm_term, activity.landing_path) == ("gut", "/call-back")

    body = {
        "email": "ben@example.com",
        "first_name": "Ben",
        "phone": "(312) 555-0101",
        **TAGS,
        "landing_path": "/blog/x",
    }
    assert client.post("/api/v1/callback-requests", json=body).status_code == 202
    lead, _ = lead_and_activities(app, "ben@example.com")
    assert (lead.utm_content, lead.landing_path) == ("top", "/blog/x")
