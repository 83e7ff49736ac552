"""The dashboard a marketer reads at a glance: the chart, the week, booked, comments, the outbox."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import delete, func, select

from leadgen.admin.dashboard import counts_between, midnight, status_totals
from leadgen.blog.models import Comment, Post
from leadgen.extensions import db
from leadgen.leads.counts import LeadHourlyCount, LeadStatusCount
from leadgen.leads.models import Lead
from leadgen.leads.status import mark_lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue
from leadgen.privacy.erasure import erase_lead

from .helpers import add_lead, csrf_token_from

# Wednesday 18 November 2026, 10:00 in Chicago.
NOW = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)


def test_empty_dashboard_reads_calmly(app, client, auth):
    auth.sign_in(role="marketing")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Leads per day by source" in page
    assert "In total 0 leads" in page
    assert "No failed email." in page


def test_chart_counts_leads_per_clinic_day_and_source(app, client, auth):
    with time_machine.travel(NOW, tick=False):
        # 23:30 in Chicago on 17 November is already the 18th in UTC: it counts on the 17th.
        add_lead(app, "late@example.com", created_at=datetime(2026, 11, 18, 5, 30, tzinfo=UTC))
        add_lead(app, "a@example.com", created_at=NOW - timedelta(hours=1))
        add_lead(app, "b@example.com", source="webinar", created_at=NOW - timedelta(hours=2))
        add_lead(app, "c@example.com", source="comment", created_at=NOW - timedelta(days=9))
        add_lead(app, "old@example.com", created_at=NOW - timedelta(days=45))  # outside the 30 days
        auth.sign_in(role="marketing")
        page = client.get("/admin/").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Leads per day by source, last 30 days</title>' in svg
    assert "In total 4 leads: 2 ebook, 1 webinar, 1 comment, 0 callback, 0 import." in svg
    assert "Wed 18 Nov: 1 ebook lead" in svg and "Wed 18 Nov: 1 webinar lead" in svg
    assert "Tue 17 Nov: 1 ebook lead" in svg and "Mon 9 Nov: 1 comment lead" in svg
    assert "<script" not in page
    # The same numbers in the table: day, ebook, webinar, comment, callback, import, all.
    row = re.search(r"<th scope=\"row\">Wed 18 Nov</th>((?:<td>\d+</td>)+)", page).group(1)
    assert re.findall(r"\d+", row) == ["1", "1", "0", "0", "0", "2"]


def test_this_week_against_last_by_source(app, client, auth):
    with time_machine.travel(NOW, tick=False):
        for number in range(3):
            add_lead(app, f"now{number}@example.com", created_at=NOW - timedelta(days=number))
        add_lead(app, "before@example.com", source="webinar", created_at=NOW - timedelta(days=10))
        auth.sign_in(role="marketing")
        page = client.get("/admin/").get_data(as_text=True)
    weekly = page[page.index('class="list weekly"') :]
    ebook = re.search(r"Ebook</th>\s*<td>(\d+)</td><td>(\d+)</td>\s*<td>(.*?)</td>", weekly)
    assert ebook.groups() == ("3", "0", '<span class="up">+3</span>')
    webinar = re.search(r"Webinar</th>\s*<td>(\d+)</td><td>(\d+)</td>\s*<td>(.*?)</td>", weekly)
    assert webinar.groups() == ("0", "1", '<span class="down">−1</span>')
    assert '3</p>\n      <p>new leads in the last 7 days <span class="muted">(1 the week before)' in page


def test_booked_tile_counts_what_staff_marked(app, client, auth):
    lead_id = add_lead(app, "ana@example.com")
    add_lead(app, "ben@example.com")
    auth.sign_in(role="marketing")
    token = csrf_token_from(client.get(f"/admin/leads/{lead_id}").get_data(as_text=True))
    client.post(f"/admin/leads/{lead_id}/status", data={"csrf_token": token, "status": "booked"})
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'tile-number">1</p>\s*<p>leads marked booked <span class="muted">\(0 contacted', page)


def test_failed_mail_shows_its_error_and_retry_queues_it(app, client, deliver, auth):
    lead_id = add_lead(app, "ana@example.com")
    with app.app_context():
        enqueue(template="ebook_delivery", recipient="ana@example.com", dedupe_key="k1", lead_id=lead_id)
        enqueue(template="ebook_delivery", recipient="sent@example.com", dedupe_key="k2")
        db.session.commit()
        first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        first.status, first.last_error, first.attempts = "failed", "550 5.1.1 mailbox unavailable", 6
        second.status, second.sent_at = "sent", datetime.now(UTC)
        db.session.commit()
        failed_id = first.id
    auth.sign_in(role="marketing")
    page = client.get("/admin/").get_data(as_text=True)
    assert "550 5.1.1 mailbox unavailable" in page and "(6 attempts)" in page
    assert "<strong>0</strong> queued or sending · <strong>1</strong> sent today" in page
    assert re.search(r'tile-alert">\s*<p class="tile-number">1</p>', page)

    response = client.post(f"/admin/outbox/{failed_id}/retry", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "The message is queued again" in page and "No failed email." in page
    with app.app_context():
        assert db.session.get(OutboxMessage, failed_id).status == "queued"
    again = client.post(f"/admin/outbox/{failed_id}/retry", data={"csrf_token": csrf_token_from(page)})
    assert "not failed any more" in client.get(again.location).get_data(as_text=True)


def test_pending_comments_tile(app, client, auth):
    with app.app_context():
        post = Post(slug="gut", title="Gut health", published_at=datetime.now(UTC))
        db.session.add(post)
        db.session.add(Comment(post=post, name="Ana", email="ana@example.com", body="Thanks", status="pending"))
        db.session.add(Comment(post=post, name="Ben", email="ben@example.com", body="Great", status="approved"))
        db.session.commit()
    auth.sign_in(role="marketing")
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'tile-number">1</p>\s*<p><a href="/admin/comments">comment waiting for moderation', page)


def test_status_totals_stay_equal_to_a_count_of_the_leads(app):
    """lead_status_counts (kept by triggers) against counting the leads, through every kind of change."""
    ids = [add_lead(app, f"lead{number}@example.com") for number in range(5)]
    add_lead(app, "captured-booked@example.com", status="booked")

    def both() -> tuple[dict, dict]:
        counted = db.session.execute(
            select(Lead.status, func.count()).where(Lead.status != "new").group_by(Lead.status)
        )
        kept = db.session.execute(
            select(LeadStatusCount.status, LeadStatusCount.count).where(LeadStatusCount.count > 0)
        )
        return dict(counted.all()), dict(kept.all())

    with app.app_context():
        mark_lead(ids[0], "booked", "m@clinic.example")
        mark_lead(ids[1], "booked", "m@clinic.example")
        mark_lead(ids[2], "contacted", "m@clinic.example")
        counted, kept = both()
        assert counted == kept == {"booked": 3, "contacted": 1}
        mark_lead(ids[1], "contacted", "m@clinic.example")  # booked -> contacted
        assert both()[1] == {"booked": 2, "contacted": 2}
        erase_lead(ids[0], erased_by="admin@clinic.example")
        db.session.execute(delete(Lead).where(Lead.id.in_(ids[1:3])))  # a purge's bulk delete
        db.session.commit()
        counted, kept = both()
        assert counted == kept == {"booked": 1}
        assert status_totals() == {"contacted": 0, "booked": 1}


def test_day_and_week_counts_from_the_hourly_rollup_equal_counting_the_leads(make_app):
    """Kolkata is UTC+5:30: its midnights split UTC hours, so both halves of the sum are used."""
    app = make_app(CLINIC_TIMEZONE="Asia/Kolkata")
    now = datetime(2026, 11, 18, 16, 10, tzinfo=UTC)
    moments = [now - timedelta(minutes=minutes) for minutes in (5, 29, 31, 59, 61, 600, 1000, 1439, 1441, 5000)]
    moments += [now - timedelta(days=7, minutes=minutes) for minutes in (-1, 1)]  # either side of last week
    ids = [
        add_lead(app, f"lead{number}@example.com", source=("ebook", "webinar")[number % 2], created_at=moment)
        for number, moment in enumerate(moments)
    ]
    with app.app_context():
        db.session.execute(delete(Lead).where(Lead.id == ids[3]))  # erased or purged
        db.session.get(Lead, ids[4]).created_at = now - timedelta(minutes=3)  # a merge keeps the older time
        db.session.commit()
        # The rollup holds every lead once, in its hour.
        assert db.session.scalar(select(func.sum(LeadHourlyCount.count))) == len(moments) - 1
        with time_machine.travel(now, tick=False):
            boundaries = [midnight(datetime(2026, 11, day).date()) for day in range(10, 20)]
            boundaries += [now - timedelta(days=14), now - timedelta(days=7), now + timedelta(seconds=1)]
            for edges in (boundaries[:10], boundaries[10:]):
                expected = {}
                for lead in db.session.scalars(select(Lead)):
                    for period, (start, end) in enumerate(zip(edges, edges[1:], strict=False)):
                        if start <= lead.created_at < end:
                            expected[period, lead.source] = expected.get((period, lead.source), 0) + 1
                assert counts_between(edges) == expected
