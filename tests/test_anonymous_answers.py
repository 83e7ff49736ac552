"""Anonymous answers never tell who is known, and an anonymous request never renames a known lead."""

import re

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Lead

from .helpers import submit_form, text_part
from .test_webinars import make_webinar, register

CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')
KNOWN = {"email": "ana@example.com", "first_name": "Ana", "consent": True}
UNKNOWN = {"email": "new.person@example.com", "first_name": "Noor", "consent": True}


def answer(response) -> tuple:
    """What a caller can read from an answer: status, body and the headers that vary by content."""
    return response.status_code, response.get_data(as_text=True), response.headers.get("Content-Length")


def without_address(response, address: str) -> tuple:
    """The status and body of a page with the address it names blanked out, and the CSRF token of
    its "call me back" form too (signed with the time, so two pages a second apart differ)."""
    page = CSRF_VALUE.sub('name="csrf_token" value="TOKEN"', response.get_data(as_text=True))
    return response.status_code, page.replace(address, "ADDRESS")


def test_the_ebook_api_answers_a_known_address_as_it_answers_a_new_one(client):
    assert client.post("/api/v1/ebook-requests", json=KNOWN).status_code == 202
    known = client.post("/api/v1/ebook-requests", json=KNOWN)  # within the hour: no second mail
    unknown = client.post("/api/v1/ebook-requests", json=UNKNOWN)
    assert answer(known) == answer(unknown)
    assert known.get_json() == {"status": "accepted"}


def test_the_registration_api_answers_a_registered_person_as_it_answers_a_new_one(app, client):
    slug = make_webinar(app)
    url = f"/api/v1/webinars/{slug}/registrations"
    assert client.post(url, json=KNOWN).status_code == 202
    known = client.post(url, json=KNOWN)
    unknown = client.post(url, json=UNKNOWN)
    assert answer(known) == answer(unknown)
    assert known.status_code == 202 and known.get_json() == {"status": "accepted"}


@pytest.mark.parametrize("form", ["ebook", "webinar"])
def test_the_thank_you_page_is_the_same_for_a_known_and_a_new_address(app, client, form):
    slug = make_webinar(app)

    def send(person: dict):
        data = {"first_name": person["first_name"], "email": person["email"], "consent": "y"}
        if form == "ebook":
            response = submit_form(client, "/ebook", data, action="/ebook")
        else:
            response = register(client, slug, **data)
        assert response.status_code == 303
        return client.get(response.headers["Location"])

    send(KNOWN)
    known, unknown = send(KNOWN), send(UNKNOWN)
    # Each page names the address this browser just typed ("We are writing to ..."), and
    # nothing else differs.
    page = known.get_data(as_text=True)
    assert KNOWN["email"] in page and UNKNOWN["email"] in unknown.get_data(as_text=True)
    assert without_address(known, KNOWN["email"]) == without_address(unknown, UNKNOWN["email"])
    assert "What happens next" in page and "email" in page  # it still says what comes


def test_a_stranger_cannot_rename_a_known_lead(app, client, smtp, deliver):
    slug = make_webinar(app)
    assert register(client, slug, consent="y").status_code == 303  # Ana, in her own words
    deliver()
    stranger = {"email": "ANA@example.com", "first_name": "Mallory", "consent": True}
    assert client.post("/api/v1/ebook-requests", json=stranger).status_code == 202
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=stranger).status_code == 202
    with app.app_context():
        assert db.session.scalars(select(Lead.first_name)).all() == ["Ana"]
    deliver()
    ebook = smtp.messages[-1]
    assert "ebook" in ebook["Subject"]
    assert text_part(ebook).startswith("Hello Ana,")  # the next mail greets her by her own name
    assert ebook["To"].addresses[0].display_name == "Ana"


def test_a_new_lead_gets_the_name_given(app, client):
    assert client.post("/api/v1/ebook-requests", json=UNKNOWN).status_code == 202
    with app.app_context():
        assert db.session.scalars(select(Lead.first_name)).one() == "Noor"


def test_a_full_webinar_answers_its_registrant_as_it_answers_a_stranger(app, client):
    slug = make_webinar(app, capacity=1)
    url = f"/api/v1/webinars/{slug}/registrations"
    assert client.post(url, json=KNOWN).status_code == 202  # Ana takes the last seat
    known, unknown = client.post(url, json=KNOWN), client.post(url, json=UNKNOWN)
    assert answer(known) == answer(unknown)
    assert known.status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Lead.email)).all() == ["ana@example.com"]  # her seat stays
