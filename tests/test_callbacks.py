""" "Call me back": the page and API capture, the staff alert with the phone, bad phones, anonymity."""

import pytest
from sqlalchemy import select

from leadgen.callbacks.models import CallbackRequest
from leadgen.config import checked_country
from leadgen.extensions import db
from leadgen.leads.models import Activity, Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import SLUG, add_lead, count, html_part, make_staff, row_counts, submit_form, text_part, work_once
from .test_webinars import make_webinar, register

PHONE_MESSAGE = "Enter a phone number we can call, like (312) 555-0100."
REQUEST = {
    "first_name": "Ana",
    "email": "ana@example.com",
    "phone": "(312) 555-0100",
    "best_time": "morning",
    "note": "About my thyroid results",
}


def ask_on_the_page(client, data: dict = REQUEST, page_url: str = "/call-back"):
    return submit_form(client, page_url, data, action="/call-back")


def only_callback(app) -> CallbackRequest:
    with app.app_context():
        found = db.session.scalars(select(CallbackRequest)).one()
        db.session.expunge(found)
        return found


def test_the_page_stores_the_request_and_staff_get_the_phone_at_once(app, client, smtp, deliver):
    staff = make_staff(app)
    response = ask_on_the_page(
        client, {**REQUEST, "consent": "y"}, page_url="/call-back?utm_source=newsletter&utm_campaign=spring"
    )
    assert response.status_code == 303 and response.location.endswith("/call-back/thanks")
    thanks = client.get(response.location).get_data(as_text=True)
    assert "call you at <strong>(312) 555-0100</strong> in the morning on the next office day" in thanks
    assert "Mon-Fri 09:00-17:00" in thanks

    callback = only_callback(app)
    assert (callback.phone, callback.best_time, callback.note, callback.status) == (
        "+13125550100",
        "morning",
        "About my thyroid results",
        "open",
    )
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.source, lead.utm_source, lead.utm_campaign, lead.marketing_consent) == (
            "callback",
            "newsletter",
            "spring",
            True,
        )
        assert db.session.scalars(select(Activity.kind)).all() == ["callback_requested"]

    deliver()
    [alert] = smtp.messages
    assert alert["To"].addresses[0].addr_spec == staff
    assert "Ana" in alert["Subject"] and "morning" in alert["Subject"]
    text, html = text_part(alert), html_part(alert)
    assert "(312) 555-0100" in text and "tel:+13125550100" in text and "About my thyroid results" in text
    assert "http://leadgen.test/admin/callbacks?status=open" in text
    assert 'href="tel:+13125550100"' in html
    assert "call-back alerts go to every active staff account" in text


def test_the_api_accepts_a_request_and_callback_notify_to_chooses_who_hears(make_app, smtp):
    app = make_app(CALLBACK_NOTIFY_TO=["desk@clinic.example", "nurse@clinic.example"])
    make_staff(app)  # not told: the setting names the recipients
    client = app.test_client()
    response = client.post(
        "/api/v1/callback-requests",
        json={"first_name": "Noor", "email": "noor@example.com", "phone": "+44 20 7946 0958", "utm_source": "ads"},
    )
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}
    callback = only_callback(app)
    assert (callback.phone, callback.best_time, callback.note) == ("+442079460958", "any", "")
    with app.app_context():
        from_api = db.session.scalars(select(Lead)).one()
        assert (from_api.source, from_api.utm_source) == ("callback", "ads")
    work_once(app)
    assert sorted(message["To"].addresses[0].addr_spec for message in smtp.messages) == [
        "desk@clinic.example",
        "nurse@clinic.example",
    ]
    assert "+44 20 7946 0958" in text_part(smtp.messages[0])


@pytest.mark.parametrize("phone", ["555", "12345", "not a phone", "+1 312 555 01000000", "3" * 41, "312\n5550100"])
def test_a_phone_that_is_not_one_is_refused_with_a_message_and_nothing_stored(app, client, phone):
    with app.app_context():
        before = row_counts()
    page = ask_on_the_page(client, {**REQUEST, "phone": phone})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="phone-error"' in html and PHONE_MESSAGE in html.replace("&#39;", "'")
    assert 'value="Ana"' in html  # what they typed stays

    api = client.post("/api/v1/callback-requests", json={**REQUEST, "phone": phone})
    assert api.status_code == 422
    assert api.get_json()["errors"]["phone"] == [PHONE_MESSAGE]
    with app.app_context():
        assert row_counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("best_time", "midnight"), ("note", "x" * 501), ("note", "a\x00b"), ("first_name", ""), ("email", "ana@")],
)
def test_other_bad_fields_are_refused_with_nothing_stored(app, client, field, value):
    response = client.post("/api/v1/callback-requests", json={**REQUEST, field: value})
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(app, CallbackRequest) == 0 and count(app, Lead) == 0 and count(app, OutboxMessage) == 0


def test_a_known_address_gets_the_same_answer_and_keeps_its_name(app, client):
    add_lead(app, "ana@example.com", first_name="Ana")
    known = client.post("/api/v1/callback-requests", json={**REQUEST, "first_name": "Mallory"})
    unknown = client.post("/api/v1/callback-requests", json={**REQUEST, "email": "new@example.com"})
    assert (known.status_code, known.get_data()) == (unknown.status_code, unknown.get_data())

    browser_known, browser_new = app.test_client(), app.test_client()
    page_known = ask_on_the_page(browser_known, {**REQUEST, "first_name": "Mallory"})
    page_new = ask_on_the_page(browser_new, {**REQUEST, "email": "other@example.com"})
    assert (page_known.status_code, page_known.location) == (page_new.status_code, page_new.location)
    thanks_known, thanks_new = browser_known.get(page_known.location), browser_new.get(page_new.location)
    assert thanks_known.get_data() == thanks_new.get_data()
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == "ana@example.com")).one()
        assert (lead.first_name, lead.source) == ("Ana", "ebook")  # never renamed, first touch kept
        names = db.session.scalars(select(CallbackRequest.first_name).where(CallbackRequest.lead_id == lead.id))
        assert sorted(names) == ["Mallory", "Mallory"]  # staff see the name the caller gave


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(app, client):
    response = ask_on_the_page(client, {**REQUEST, "company": "Acme"})
    assert response.status_code == 303 and response.location.endswith("/call-back/thanks")
    assert count(app, CallbackRequest) == 0 and count(app, Lead) == 0


def test_the_page_needs_its_csrf_token(app, client):
    assert client.get("/call-back").status_code == 200
    response = client.post("/call-back", data=REQUEST)
    assert response.status_code == 400
    assert count(app, CallbackRequest) == 0


@pytest.mark.parametrize(
    "page_url",
    ["/", "/ebook/thanks", "/blog/{slug}"],
)
def test_the_short_form_sits_on_the_home_page_thank_you_pages_and_articles(app, client, post, page_url):
    url = page_url.format(slug=SLUG)
    html = client.get(url).get_data(as_text=True)
    assert 'action="/call-back"' in html and 'id="callback-phone"' in html
    response = submit_form(client, url, {**REQUEST, "email": "short@example.com"}, action="/call-back")
    assert response.status_code == 303, response.get_data(as_text=True)
    callback = only_callback(app)
    assert callback.phone == "+13125550100"
    if page_url.startswith("/blog"):
        with app.app_context():
            lead = db.session.get(Lead, callback.lead_id)
            assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("blog", "article", SLUG)


def test_the_short_form_sits_on_the_webinar_thank_you_page(app, client):
    slug = make_webinar(app)
    assert register(client, slug, email="webinar@example.com").status_code == 303
    url = f"/webinars/{slug}/thanks"
    assert 'id="callback-phone"' in client.get(url).get_data(as_text=True)
    response = submit_form(client, url, {**REQUEST, "email": "short@example.com"}, action="/call-back")
    assert response.status_code == 303
    assert only_callback(app).best_time == "morning"


def test_clinic_country_decides_how_a_number_without_a_plus_is_read(make_app):
    app = make_app(CLINIC_COUNTRY="GB")
    client = app.test_client()
    response = client.post("/api/v1/callback-requests", json={**REQUEST, "phone": "020 7946 0958"})
    assert response.status_code == 202
    assert only_callback(app).phone == "+442079460958"
    assert client.post("/api/v1/callback-requests", json=REQUEST).status_code == 422  # a US number without +1


@pytest.mark.parametrize("value", ["USA", "1", "U S"])
def test_a_clinic_country_that_is_not_a_two_letter_code_stops_start_up(value):
    with pytest.raises(ValueError, match="CLINIC_COUNTRY"):
        checked_country(value)
