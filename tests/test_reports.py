"""The conversion report: one GROUP BY over leads of clinic days, by source, campaign, article or offer,
through the API, the console page and its CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

from leadgen.clinictime import clinic_today
from leadgen.ebook import offers
from leadgen.extensions import db
from leadgen.leads.models import Activity

from .helpers import add_lead, csrf_token_from, request_ebook, staff_token
from .test_webinars import make_webinar, register

DAY = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)  # noon in the clinic's Chicago


def spring_and_autumn(app):
    """Three spring leads (one booked, one contacted asking for a call back, two consented), one autumn, one none."""
    booked = add_lead(app, "a@example.com", consent=True, utm_campaign="spring", status="booked", created_at=DAY)
    called = add_lead(app, "b@example.com", consent=True, utm_campaign="spring", status="contacted", created_at=DAY)
    add_lead(app, "c@example.com", source="webinar", utm_campaign="spring", landing_path="/blog/gut", created_at=DAY)
    add_lead(app, "d@example.com", utm_campaign="autumn", created_at=DAY + timedelta(days=1))
    add_lead(app, "e@example.com", created_at=DAY - timedelta(days=30))
    with app.app_context():
        db.session.add(Activity(lead_id=called, kind="callback_requested", detail={}))
        db.session.commit()
    return booked


def test_api_counts_a_booked_lead_by_campaign(app, client):
    spring_and_autumn(app)
    headers = staff_token(app, "crm@clinic.example", role="marketing")
    response = client.get("/api/v1/reports/conversions?by=campaign&since=2026-11-01", headers=headers)
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.get_json()}
    assert set(rows) == {"spring", "autumn"}
    spring = rows["spring"]
    assert (spring["leads"], spring["consented"], spring["contacted"], spring["booked"], spring["callbacks"]) == (
        3,
        2,
        2,
        1,
        1,
    )
    assert spring["booked_rate"] == 0.333 and rows["autumn"]["booked"] == 0
    every = client.get("/api/v1/reports/conversions?by=source&since=2026-10-01", headers=headers).get_json()
    assert [(row["key"], row["leads"]) for row in every] == [("ebook", 4), ("webinar", 1)]
    query = "by=article&since=2026-10-01&until=2026-11-10"
    by_article = client.get(f"/api/v1/reports/conversions?{query}", headers=headers).get_json()
    assert {row["key"]: row["leads"] for row in by_article} == {None: 3, "/blog/gut": 1}


def test_by_offer_counts_each_lead_under_the_ebook_or_webinar_it_first_took(app, client, runner, tmp_path):
    """Through the real doors: the ebook form, webinar registration, a comment, the new-link form, an import."""
    slug = make_webinar(app)
    with app.app_context():
        title = offers.default_offer().title
    request_ebook(client, "ebook-first@example.com")
    register(client, slug, "ebook-first@example.com")  # a later offer: the first one stays
    register(client, slug, "webinar-first@example.com")
    add_lead(app, "commenter@example.com", source="comment")
    add_lead(app, "commenter-then-ebook@example.com", source="comment")
    page = client.get("/ebook/download/forged").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "email": "commenter-then-ebook@example.com"}
    assert client.post("/ebook/new-link", data=form).status_code == 303  # a known address: the ebook
    listed = tmp_path / "leads.csv"
    listed.write_text("email,first_name\nebook-first@example.com,Ana\nlisted@example.com,Lee\n")
    imported = runner.invoke(args=["leads", "import", str(listed)])
    assert "1 new, 0 updated, 1 unchanged" in imported.output, imported.output  # a known lead keeps its offer
    headers = staff_token(app, "crm@clinic.example", role="marketing")
    rows = client.get("/api/v1/reports/conversions?by=offer", headers=headers).get_json()
    # The others named no offer and count under their source.
    assert {row["key"]: row["leads"] for row in rows} == {title: 2, slug: 1, "comment": 1, "import": 1}


def test_without_a_start_day_the_report_covers_the_last_30_days(app, client, auth):
    now = datetime.now(UTC)
    add_lead(app, "today@example.com", created_at=now)
    add_lead(app, "month@example.com", created_at=now - timedelta(days=27))
    add_lead(app, "older@example.com", created_at=now - timedelta(days=32))
    headers = staff_token(app)
    rows = client.get("/api/v1/reports/conversions", headers=headers).get_json()
    assert [(row["key"], row["leads"]) for row in rows] == [("ebook", 2)]
    ended = client.get(f"/api/v1/reports/conversions?until={(now - timedelta(days=27)).date()}", headers=headers)
    assert [(row["key"], row["leads"]) for row in ended.get_json()] == [("ebook", 2)]
    # An end in the calendar's first days: the range starts at its first day.
    assert client.get("/api/v1/reports/conversions?until=0001-01-05", headers=headers).get_json() == []
    auth.sign_in(role="marketing")
    html = client.get("/admin/reports").get_data(as_text=True)
    assert "<td>2</td>" in html  # the same two leads
    # The form shows the start day the report used, 29 days before today (the clinic's).
    with app.app_context():
        start = clinic_today() - timedelta(days=29)
    assert f'name="since" type="date" value="{start.isoformat()}"' in html


def test_bad_input_is_422_and_no_token_is_401(app, client):
    headers = staff_token(app)
    for query in ("by=tv", "since=yesterday", "since=2026-11-10&until=2026-11-01"):
        assert client.get(f"/api/v1/reports/conversions?{query}", headers=headers).status_code == 422, query
    assert client.get("/api/v1/reports/conversions").status_code == 401


def test_page_table_chart_csv_and_empty_state(app, client, auth):
    spring_and_autumn(app)
    with app.app_context():
        add_lead(app, "f@example.com", utm_campaign="=HYPERLINK(1)", created_at=DAY)
    auth.sign_in(role="marketing")
    page = client.get("/admin/reports?by=campaign&since=2026-11-01&until=2026-11-30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "33.3%" in html
    assert 'href="/admin/leads?campaign=spring"' in html and "Reports</a>" in html
    export = client.get("/admin/reports/conversions.csv?by=campaign&since=2026-11-01")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    spring = next(row for row in rows if row["key"] == "spring")
    assert (spring["leads"], spring["booked"], spring["callbacks"]) == ("3", "1", "1")
    assert "'=HYPERLINK(1)" in {row["key"] for row in rows}  # the export's CSV guard
    empty = client.get("/admin/reports?since=2030-01-01").get_data(as_text=True)
    assert "No leads arrived in these days" in empty
    bad = client.get("/admin/reports?by=tv&since=nope")
    assert bad.status_code == 422 and "Enter a date like" in bad.get_data(as_text=True)
    assert client.get("/admin/reports/conversions.csv?by=tv").status_code == 422
