"""One mailbox is one lead (however its address is spelled), and no id is ever given twice."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import MetaData, create_engine, func, select, text

from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.privacy.erasure import is_erased

from .conftest import ON_POSTGRESQL
from .helpers import add_lead, row_counts, staff_token, submit_form
from .test_migrations import flask_cli

# One mailbox, spelled as people and their devices type it: canonical first.
ONE_MAILBOX = [
    "x@example.com",
    "x@ｅｘａｍｐｌｅ.com",  # fullwidth domain
    "X@Example.COM",
]
IDN_MAILBOX = ["x@xn--exmple-cua.com", "x@exämple.com", "X@EXÄMPLE.COM", "x@exa\u0308mple.com"]
ACCENTED_MAILBOX = ["josé@example.com", "jose\u0301@example.com", "JOSÉ@example.com"]  # NFC, NFD, upper case


def ebook_request(client, email: str):
    return client.post("/api/v1/ebook-requests", json={"email": email, "first_name": "Ana", "consent": True})


def leads_and_deliveries(app) -> tuple[list[str], int]:
    with app.app_context():
        emails = list(db.session.scalars(select(Lead.email).order_by(Lead.id)))
        deliveries = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.template == "ebook_delivery")
        )
        db.session.remove()
    return emails, deliveries


@pytest.mark.parametrize("spellings", [ONE_MAILBOX, IDN_MAILBOX, ACCENTED_MAILBOX], ids=["fullwidth", "idn", "nfd"])
def test_every_spelling_of_one_mailbox_is_one_lead_with_one_ebook_mail(app, client, spellings):
    for email in spellings:
        assert ebook_request(client, email).status_code < 300
    emails, deliveries = leads_and_deliveries(app)
    assert emails == [spellings[0]]  # stored canonical: NFC local part in lower case, ASCII domain
    assert deliveries == 1, "another spelling dodged the once-an-hour resend limit"


def test_the_form_stores_the_canonical_address(app, client):
    response = submit_form(client, "/ebook", {"first_name": "Ana", "email": " X@ＥＸÄＭＰＬＥ.com ", "consent": "y"})
    assert response.status_code == 303
    assert leads_and_deliveries(app)[0] == ["x@xn--exmple-cua.com"]


def test_an_erased_mailbox_is_recognised_in_any_spelling(app, client):
    lead_id = add_lead(app, "josé@exämple.com")
    assert client.delete(f"/api/v1/leads/{lead_id}", headers=staff_token(app)).status_code == 204
    with app.app_context():
        for spelling in ("JOSE\u0301@EXÄMPLE.COM", "josé@xn--exmple-cua.com", "josé@ｅｘäｍｐｌｅ.com"):
            assert is_erased(spelling), spelling


UNDELIVERABLE = {
    '"ana"@example.com': "quoted",
    "ana@[127.0.0.1]": "bracketed",
    "ana@localhost": "period",
    "ana@clinic.invalid": "special-use",
    "ana@xn--ls8h.com": "IDNA",
    "ana@exa_mple.com": "not valid",
}


@pytest.mark.parametrize("address", UNDELIVERABLE)
def test_an_address_no_mail_could_reach_gets_a_message_beside_the_field(app, client, address):
    with app.app_context():
        before = row_counts()
    api = ebook_request(client, address)
    assert api.status_code == 422
    [message] = api.json["errors"]["email"]
    assert message.startswith("Enter an email address like name@example.com.") and len(message) > 50
    page = submit_form(client, "/ebook", {"first_name": "Ana", "email": address, "consent": "y"})
    assert page.status_code == 422 and "Enter an email address like name@example.com." in page.get_data(as_text=True)
    with app.app_context():
        assert row_counts() == before


def test_an_erased_persons_id_is_never_given_to_a_newcomer(app, client):
    """SQLite would give the highest id again after a delete: links naming it would open the newcomer's data."""
    add_lead(app, "first@example.com")
    highest = add_lead(app, "erased@example.com")
    assert client.delete(f"/api/v1/leads/{highest}", headers=staff_token(app)).status_code == 204
    newcomer = add_lead(app, "newcomer@example.com")
    assert newcomer > highest


# Every table that holds a person's data or names them by id.
PERSONAL_TABLES = (
    "leads",
    "consents",
    "activities",
    "comments",
    "webinar_registrations",
    "outbox_messages",
    "erased_leads",
    "export_logs",
    "staff_users",
    "api_tokens",
)


def sqlite_tables_without_autoincrement(connection) -> list[str]:
    """The personal-data tables whose CREATE TABLE lacks AUTOINCREMENT (SQLite)."""
    rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
    return [name for name, sql in rows if name in PERSONAL_TABLES and "AUTOINCREMENT" not in sql]


# --- The migration merges the leads of one mailbox that were stored apart -------------------

MIGRATION = "t12_identity_mailbox"
DAY = timedelta(days=1)
START = datetime(2026, 11, 1, 12, 0)  # stored naive UTC, as the columns hold it
# (id, stored email, days after START, columns): what the old normalisation (trim, lower) kept apart.
OLD_LEADS = [
    (1, "x@example.com", 0, {"first_name": "Ann", "marketing_consent": True}),
    (2, "x@ｅｘａｍｐｌｅ.com", 1, {"first_name": "Annie", "status": "booked", "utm_source": "fb"}),
    (3, "x@exämple.com", 2, {}),
    (4, "x@xn--exmple-cua.com", 3, {"status": "contacted", "unsubscribed_at": START + 4 * DAY}),
    (5, "josé@example.com", 5, {}),
    (6, "jose\u0301@example.com", 6, {"confirmed_at": START + 6 * DAY}),
    (7, "solo@exämple.com", 7, {}),
]


def message(number: int, lead_id: int, template: str, key: str, status: str = "queued", **columns) -> dict:
    return {
        "id": number,
        "kind": "email",
        "category": "marketing",
        "recipient": dict((lead, email) for lead, email, _days, _columns in OLD_LEADS)[lead_id],
        "recipient_name": "",
        "template": template,
        "context": {"lead_id": lead_id},
        "lead_id": lead_id,
        "dedupe_key": key,
        "message_id": f"<{number}@clinic.example>",
        "status": status,
        "due_at": START,
        "attempts": 0,
        "created_at": START,
    } | columns


def seed_old_rows(connection) -> None:
    tables = MetaData()
    tables.reflect(connection)
    insert = lambda name, rows: connection.execute(tables.tables[name].insert(), rows)  # noqa: E731
    lead = {"first_name": "", "source": "ebook", "status": "new", "marketing_consent": False, "utm_source": None}
    lead |= {"confirmed_at": None, "unsubscribed_at": None}
    insert(
        "leads",
        [
            lead
            | {"id": id_, "email": email, "created_at": START + days * DAY, "updated_at": START + days * DAY}
            | cols
            for id_, email, days, cols in OLD_LEADS
        ],
    )
    consent = {"purpose": "marketing_email", "granted": True, "text": "Yes", "text_version": "v1", "created_at": START}
    insert("consents", [consent | {"lead_id": lead_id} for lead_id in (1, 2, 4, 6)])
    insert(
        "activities",
        [{"lead_id": n, "kind": "ebook_requested", "detail": {}, "created_at": START} for n in range(1, 8)],
    )
    insert(
        "posts",
        [
            {"id": 1, "slug": "p", "title": "P", "summary": "", "body_markdown": ""}
            | dict.fromkeys(("published_at", "created_at", "updated_at"), START)
        ],
    )
    comment = {"post_id": 1, "depth": 0, "name": "Ann", "body": "Hi", "status": "approved", "moderation_note": ""}
    comment |= {"notify": False, "marketing_consent": True, "created_at": START}
    insert(
        "comments",
        [
            comment | {"id": 1, "lead_id": 2, "email": OLD_LEADS[1][1]},
            comment | {"id": 2, "lead_id": 6, "email": OLD_LEADS[5][1]},
        ],
    )
    webinar = {"title": "W", "description": "", "presenter": "", "starts_at": START + 40 * DAY, "duration_minutes": 60}
    webinar |= {"capacity": 10, "join_url": "https://meet.example.com/w", "status": "scheduled", "revision": 0}
    webinar |= {"created_at": START, "updated_at": START}
    insert(
        "webinars",
        [webinar | {"id": 1, "slug": "w1", "seats_taken": 2}, webinar | {"id": 2, "slug": "w2", "seats_taken": 1}],
    )
    registration = {"status": "registered", "generation": 1}
    insert(
        "webinar_registrations",
        [
            registration | {"id": 1, "webinar_id": 1, "lead_id": 1, "created_at": START},
            registration | {"id": 2, "webinar_id": 1, "lead_id": 2, "created_at": START + DAY},
            registration | {"id": 3, "webinar_id": 2, "lead_id": 2, "created_at": START + DAY},
        ],
    )
    insert(
        "outbox_messages",
        [
            message(1, 1, "followup_call", "followup:1:ebook:1"),
            message(2, 2, "followup_call", "followup:2:ebook:1"),
            message(3, 2, "ebook_delivery", "ebook:2:2026110112", "sent", category="transactional"),
            message(4, 2, "webinar_reminder", "webinar:1:reg:2:1:reminder-1d"),
            message(5, 2, "webinar_reminder", "webinar:2:reg:3:1:reminder-1d"),
            message(6, 4, "followup_call", "followup:4:ebook:1"),
        ],
    )
    # A table another feature may add: any foreign key to leads.id follows the merge, and a
    # row its unique constraint would refuse twice (the same tag) is kept once.
    connection.execute(
        text(
            "CREATE TABLE lead_tags (id INTEGER PRIMARY KEY, tag VARCHAR(40) NOT NULL,"
            " lead_id INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,"
            " CONSTRAINT uq_lead_tags_lead_tag UNIQUE (lead_id, tag))"
        )
    )
    tags = [(1, 1, "vip"), (2, 2, "vip"), (3, 2, "ebook"), (4, 4, "vip"), (5, 3, "idn")]
    for id_, lead_id, tag in tags:
        connection.execute(
            text("INSERT INTO lead_tags VALUES (:id, :tag, :lead)"), {"id": id_, "tag": tag, "lead": lead_id}
        )
    staff = {"password_hash": "x", "role": "admin", "active": True, "created_at": START}
    insert("staff_users", [staff | {"email": "admin@ｃｌｉｎｉｃ.example"}])


@pytest.mark.slow
def test_the_migration_merges_one_mailboxs_leads_keeping_every_row_and_the_strongest_state(empty_database_url):
    before_merge = flask_cli(empty_database_url, "db", "upgrade", f"{MIGRATION}-1")
    assert before_merge.returncode == 0, before_merge.stderr
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            seed_old_rows(connection)
        upgraded = flask_cli(empty_database_url, "db", "upgrade", MIGRATION)
        assert upgraded.returncode == 0, upgraded.stderr
        with engine.connect() as connection:
            rows = lambda sql: connection.execute(text(sql)).all()  # noqa: E731
            leads = {row.id: row for row in rows("SELECT * FROM leads")}
            assert {n: lead.email for n, lead in leads.items()} == {
                1: "x@example.com",
                3: "x@xn--exmple-cua.com",
                5: "josé@example.com",
                7: "solo@xn--exmple-cua.com",
            }
            ann = leads[1]
            assert (ann.status, bool(ann.marketing_consent), ann.first_name, ann.utm_source) == (
                "booked",
                True,
                "Ann",
                "fb",
            )
            assert (leads[3].status, leads[3].unsubscribed_at is not None) == ("contacted", True)
            assert leads[5].confirmed_at is not None
            assert sorted(lead for (lead,) in rows("SELECT lead_id FROM consents")) == [1, 1, 3, 5]
            assert sorted(lead for (lead,) in rows("SELECT lead_id FROM activities")) == [1, 1, 3, 3, 5, 5, 7]
            assert rows("SELECT id, lead_id, email FROM comments ORDER BY id") == [
                (1, 1, "x@example.com"),
                (2, 5, "josé@example.com"),
            ]
            assert rows("SELECT webinar_id, lead_id, status FROM webinar_registrations ORDER BY webinar_id") == [
                (1, 1, "registered"),
                (2, 1, "registered"),
            ]
            assert rows("SELECT id, seats_taken FROM webinars ORDER BY id") == [(1, 1), (2, 1)]
            outbox = {row.id: row for row in rows("SELECT * FROM outbox_messages")}
            assert {n: (m.lead_id, m.status) for n, m in outbox.items()} == {
                1: (1, "queued"),
                2: (1, "cancelled"),  # the kept lead has the same follow-up queued
                3: (1, "sent"),
                4: (1, "cancelled"),  # the reminder of the registration merged away
                5: (1, "queued"),
                6: (3, "queued"),
            }
            assert (
                outbox[5].recipient,
                json.loads(outbox[5].context) if isinstance(outbox[5].context, str) else outbox[5].context,
            ) == (
                "x@example.com",
                {"lead_id": 1},
            )
            assert rows("SELECT email FROM staff_users") == [("admin@clinic.example",)]
            assert rows("SELECT lead_id, tag FROM lead_tags ORDER BY lead_id, tag") == [
                (1, "ebook"),
                (1, "vip"),
                (3, "idn"),
                (3, "vip"),
            ]
            if not ON_POSTGRESQL:
                assert sqlite_tables_without_autoincrement(connection) == []
                assert rows("PRAGMA foreign_key_check") == []
    finally:
        engine.dispose()
