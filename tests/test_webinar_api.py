"""The webinar API: the clinic site's list and registration, staff scheduling with a token."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.staff.service import revoke_tokens
from leadgen.webinars.models import Registration, Webinar
from leadgen.webinars.service import cancel_webinar

from .helpers import count, staff_token
from .test_webinars import JOIN_URL, make_webinar, webinar

NEW_WEBINAR = {
    "title": "Thyroid, explained",
    "description": "Hashimoto's and Graves' disease in plain words.",
    "presenter": "Dr Sam Okafor",
    "starts_at": "2030-03-05T18:00:00-06:00",
    "duration_minutes": 45,
    "capacity": 100,
    "join_url": JOIN_URL,
}


def test_list_gives_upcoming_webinars_with_utc_times_and_seats_left(app, client):
    later = make_webinar(app, starts_in=timedelta(days=9), title="Later", capacity=5)
    sooner = make_webinar(app, starts_in=timedelta(days=2), title="Sooner")
    cancelled = make_webinar(app, title="Cancelled")
    make_webinar(app, starts_in=timedelta(minutes=1), title="About to start")
    with app.app_context():
        cancel_webinar(db.session.scalars(select(Webinar).where(Webinar.slug == cancelled)).one())
    client.post(f"/api/v1/webinars/{later}/registrations", json={"email": "ana@example.com", "first_name": "Ana"})

    response = client.get("/api/v1/webinars", headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    items = [item for item in response.get_json() if item["title"] != "About to start"]
    assert [item["slug"] for item in items] == [sooner, later]
    assert set(items[0]) == {"slug", "title", "starts_at", "duration_minutes", "seats_left"}
    assert items[1]["seats_left"] == 4 and items[1]["duration_minutes"] == 60
    starts_at = webinar(app, later).starts_at
    assert items[1]["starts_at"] == starts_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_registration_202_accepted_and_a_second_time_answers_the_same(app, client):
    slug = make_webinar(app)
    body = {"email": "ana@example.com", "first_name": "Ana", "consent": True}
    first = client.post(f"/api/v1/webinars/{slug}/registrations", json=body)
    assert first.status_code == 202
    assert first.get_json() == {"status": "accepted"}
    again = client.post(f"/api/v1/webinars/{slug}/registrations", json=body)
    assert again.status_code == 202 and again.get_json() == {"status": "accepted"}
    assert webinar(app, slug).seats_left == 9
    with app.app_context():
        confirmations = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "webinar_confirmation")
        ).all()
    assert len(confirmations) == 1


def test_registration_404_409_410_and_422(app, client):
    body = {"email": "ana@example.com", "first_name": "Ana"}
    missing = client.post("/api/v1/webinars/nothing-here/registrations", json=body)
    assert missing.status_code == 404

    slug = make_webinar(app, capacity=1)
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=body).status_code == 202
    full = client.post(f"/api/v1/webinars/{slug}/registrations", json={**body, "email": "bo@example.com"})
    assert full.status_code == 409 and full.get_json()["message"] == "All seats for this webinar are taken."

    cancelled = make_webinar(app, title="Off")
    with app.app_context():
        cancel_webinar(db.session.scalars(select(Webinar).where(Webinar.slug == cancelled)).one())
    closed = client.post(f"/api/v1/webinars/{cancelled}/registrations", json=body)
    assert closed.status_code == 410 and "cancelled" in closed.get_json()["message"]

    invalid = client.post(f"/api/v1/webinars/{slug}/registrations", json={"email": "nope"})
    assert invalid.status_code == 422
    errors = invalid.get_json()["errors"]
    assert "email" in errors and errors["first_name"] == ["Enter your first name."]
    assert count(app, Registration) == 1


def test_staff_creates_a_webinar_with_a_token(app, client):
    response = client.post("/api/v1/webinars", json=NEW_WEBINAR, headers=staff_token(app, role="marketing"))
    assert response.status_code == 201
    slug = response.get_json()["slug"]
    assert slug == "thyroid-explained-2030-03-05"
    created = webinar(app, slug)
    assert created.starts_at.isoformat() == "2030-03-06T00:00:00+00:00"  # stored in UTC
    assert (created.capacity, created.duration_minutes, created.presenter) == (100, 45, "Dr Sam Okafor")
    again = client.post("/api/v1/webinars", json=NEW_WEBINAR, headers=staff_token(app))
    assert again.status_code == 201 and again.get_json()["slug"] == "thyroid-explained-2030-03-05-2"
    assert client.get(f"/webinars/{slug}").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lg_not-a-real-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["no token", "unknown token", "not bearer"],
)
def test_staff_endpoint_refuses_without_a_valid_token(app, client, headers):
    response = client.post("/api/v1/webinars", json=NEW_WEBINAR, headers=headers)
    assert response.status_code == 401
    assert count(app, Webinar) == 0


def test_revoked_token_is_refused(app, client):
    headers = staff_token(app, role="marketing")
    with app.app_context():
        from leadgen.staff.service import find_staff_user

        revoke_tokens(find_staff_user("marketing@clinic.example"))
    assert client.post("/api/v1/webinars", json=NEW_WEBINAR, headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_at": "2030-03-05T18:00:00"}, "starts_at", "with its timezone"),
        ({"starts_at": "next tuesday"}, "starts_at", "with its timezone"),
        ({"starts_at": "2020-03-05T18:00:00Z"}, "starts_at", "in the future"),
        ({"capacity": 0}, "capacity", "Choose between"),
        ({"duration_minutes": 5}, "duration_minutes", "between 10 and 480"),
        ({"join_url": "javascript:alert(1)"}, "join_url", "Enter a link"),
        ({"title": ""}, "title", "Enter"),
    ],
    ids=["naive time", "not a time", "past", "no seats", "too short", "bad link", "no title"],
)
def test_invalid_webinar_is_422_with_the_field_named(app, client, change, field, message):
    response = client.post(
        "/api/v1/webinars", json={**NEW_WEBINAR, **change}, headers=staff_token(app, role="marketing")
    )
    assert response.status_code == 422
    assert message in " ".join(response.get_json()["errors"][field])
    assert count(app, Webinar) == 0


def test_openapi_documents_the_webinar_endpoints(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/webinars"])
    assert paths["/api/v1/webinars"]["post"]["security"] == [{"bearerAuth": []}]
    responses = paths["/api/v1/webinars/{slug}/registrations"]["post"]["responses"]
    assert {"202", "404", "409", "410", "422"} <= set(responses) and "201" not in responses
    answer_ref = responses["202"]["content"]["application/json"]["schema"]["$ref"]
    assert set(document["components"]["schemas"][answer_ref.rsplit("/", 1)[-1]]["properties"]) == {"status"}
    assert paths["/api/v1/webinars"]["get"]["summary"] == "List upcoming webinars"


def test_registration_closes_at_the_start(app, client):
    import time_machine

    slug = make_webinar(app, starts_in=timedelta(hours=1))
    with time_machine.travel(utcnow() + timedelta(hours=1), tick=False):
        response = client.post(
            f"/api/v1/webinars/{slug}/registrations", json={"email": "ana@example.com", "first_name": "Ana"}
        )
        assert response.status_code == 410 and "already started" in response.get_json()["message"]
        assert client.get("/api/v1/webinars").get_json() == []
