"""The call-back queue: staff API and console statuses, booked marks the lead, follow-ups held while
a request is open, and the phone number shown only to staff and erased with the person."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgen.callbacks.models import CallbackRequest
from leadgen.extensions import db
from leadgen.followups.stops import CALLBACK_OPEN
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import count, request_ebook, staff_token, submit_form
from .test_followups import MONDAY_10AM_CST, at, deliver_at, followup_rows

REQUEST = {"first_name": "Ana", "email": "ana@example.com", "phone": "312-555-0100", "best_time": "evening"}


def ask(client, **changes) -> None:
    assert client.post("/api/v1/callback-requests", json={**REQUEST, **changes}).status_code == 202


def callback_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(CallbackRequest.id).order_by(CallbackRequest.id)))


def lead_status(app, email: str = "ana@example.com") -> str:
    with app.app_context():
        return db.session.scalars(select(Lead.status).where(Lead.email == email)).one()


def test_the_staff_api_lists_by_status_and_records_the_call(app, client):
    ask(client)
    ask(client, email="noor@example.com", first_name="Noor", phone="+44 20 7946 0958")
    first, second = callback_ids(app)
    assert client.get("/api/v1/callback-requests").status_code == 401
    headers = staff_token(app, role="marketing")

    listed = client.get("/api/v1/callback-requests?status=open", headers=headers)
    assert listed.status_code == 200
    assert [(row["id"], row["email"], row["phone"], row["best_time"], row["status"]) for row in listed.get_json()] == [
        (first, "ana@example.com", "+13125550100", "evening", "open"),
        (second, "noor@example.com", "+442079460958", "evening", "open"),
    ]
    assert set(listed.get_json()[0]) == {
        "id",
        "first_name",
        "email",
        "phone",
        "best_time",
        "note",
        "status",
        "created_at",
    }

    called = client.patch(f"/api/v1/callback-requests/{first}", json={"status": "no_answer"}, headers=headers)
    assert called.status_code == 200 and called.get_json()["status"] == "no_answer"
    booked = client.patch(f"/api/v1/callback-requests/{second}", json={"status": "booked"}, headers=headers)
    assert booked.status_code == 200
    assert lead_status(app, "noor@example.com") == "booked" and lead_status(app) == "new"
    assert client.get("/api/v1/callback-requests", headers=headers).get_json() == []
    assert [row["id"] for row in client.get("/api/v1/callback-requests?status=booked", headers=headers).get_json()] == [
        second
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "/api/v1/callback-requests/{id}", {"status": "open"}, 422),
        ("PATCH", "/api/v1/callback-requests/{id}", {"status": "lunch"}, 422),
        ("PATCH", "/api/v1/callback-requests/{id}", {}, 422),
        ("PATCH", "/api/v1/callback-requests/99999", {"status": "called"}, 404),
        ("GET", "/api/v1/callback-requests?status=lunch", None, 422),
    ],
)
def test_bad_status_or_unknown_request_changes_nothing(app, client, method, path, body, status):
    ask(client)
    [callback_id] = callback_ids(app)
    headers = staff_token(app)
    response = client.open(path.format(id=callback_id), method=method, json=body, headers=headers)
    assert response.status_code == status
    with app.app_context():
        assert db.session.get(CallbackRequest, callback_id).status == "open"


def test_the_console_queue_sets_each_status_and_booked_marks_the_lead(app, client, auth):
    auth.sign_in(role="marketing")
    empty = client.get("/admin/callbacks").get_data(as_text=True)
    assert "Nobody waits for a call" in empty and 'aria-current="page">Call-backs' in empty.replace("\n", "")

    ask(app.test_client())
    [callback_id] = callback_ids(app)
    queue = client.get("/admin/callbacks")
    html = queue.get_data(as_text=True)
    assert queue.status_code == 200
    assert 'href="tel:+13125550100"' in html and "(312) 555-0100" in html and "Evening" in html

    for status in ("called", "no_answer", "open"):
        response = submit_form(
            client,
            "/admin/callbacks",
            {"status": status, "tab": "open"},
            action=f"/admin/callbacks/{callback_id}/status",
        )
        assert response.status_code == 303
        with app.app_context():
            assert db.session.get(CallbackRequest, callback_id).status == status
    assert lead_status(app) == "new"
    response = submit_form(
        client, "/admin/callbacks", {"status": "booked", "tab": "open"}, action=f"/admin/callbacks/{callback_id}/status"
    )
    assert response.status_code == 303
    assert lead_status(app) == "booked"
    booked_tab = client.get("/admin/callbacks?status=booked").get_data(as_text=True)
    assert "(312) 555-0100" in booked_tab and "booked by marketing@clinic.example" in booked_tab
    bad = submit_form(client, "/admin/callbacks", {"status": "lunch"}, action=f"/admin/callbacks/{callback_id}/status")
    assert bad.status_code == 303 and lead_status(app) == "booked"
    assert client.post("/admin/callbacks/99999/status", data={"status": "called"}).status_code in (400, 404)


def test_signed_out_visitors_never_see_the_queue(app, client):
    ask(client)
    response = client.get("/admin/callbacks")
    assert response.status_code == 302 and "/admin/login" in response.location


def test_follow_ups_wait_while_a_call_back_is_open_and_go_after_no_answer(clinic, smtp):
    app = clinic()
    client = app.test_client()
    headers = staff_token(app)
    with at(MONDAY_10AM_CST):
        request_ebook(client)
        ask(client)
    deliver_at(app, MONDAY_10AM_CST)
    assert len(smtp.messages) == 2  # the ebook and the staff alert
    step_one_due = MONDAY_10AM_CST + timedelta(days=2)
    deliver_at(app, step_one_due)
    assert len(smtp.messages) == 2
    assert [(row.status, row.last_error) for row in followup_rows(app)] == [
        ("cancelled", CALLBACK_OPEN),
        ("queued", None),
    ]

    [callback_id] = callback_ids(app)
    with at(step_one_due + timedelta(hours=1)):
        response = client.patch(
            f"/api/v1/callback-requests/{callback_id}", json={"status": "no_answer"}, headers=headers
        )
    assert response.status_code == 200
    assert [row.status for row in followup_rows(app)] == ["queued", "queued"]
    deliver_at(app, step_one_due + timedelta(hours=1))
    assert len(smtp.messages) == 3 and "physicians" in smtp.messages[-1]["Subject"]


def test_booking_the_call_back_ends_the_follow_ups(clinic, smtp):
    app = clinic()
    client = app.test_client()
    with at(MONDAY_10AM_CST):
        request_ebook(client)
        ask(client)
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=2))
    [callback_id] = callback_ids(app)
    response = client.patch(
        f"/api/v1/callback-requests/{callback_id}", json={"status": "booked"}, headers=staff_token(app)
    )
    assert response.status_code == 200
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    assert [row.status for row in followup_rows(app)] == ["cancelled", "cancelled"]
    assert not any("physicians" in str(message["Subject"]) for message in smtp.messages)


def test_the_phone_is_shown_to_staff_exported_to_the_person_and_erased_with_them(app, client, auth, smtp, deliver):
    auth.sign_in(role="admin")
    ask(app.test_client(), note="Evenings after six")
    with app.app_context():
        lead_id = db.session.scalars(select(Lead.id)).one()
    lead_page = client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert 'href="tel:+13125550100"' in lead_page and "Asked to be called back" in lead_page

    access = json.loads(client.get(f"/admin/leads/{lead_id}/export.json").get_data(as_text=True))
    assert access["callback_requests"][0]["phone"] == "+13125550100"
    assert access["callback_requests"][0]["note"] == "Evenings after six"

    exported = client.get("/admin/leads/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) == 2 and "ana@example.com" in rows[1]
    assert "555" not in exported and "Evenings" not in exported

    deliver()
    assert count(app, OutboxMessage, OutboxMessage.template == "callback_alert") == 1
    assert submit_form(client, f"/admin/leads/{lead_id}/erase", {}).status_code == 303
    assert count(app, CallbackRequest) == 0 and count(app, Lead) == 0
    with app.app_context():
        leftovers = [json.dumps(row.context) for row in db.session.scalars(select(OutboxMessage))]
    assert not any("555" in text or "ana@" in text for text in leftovers)
