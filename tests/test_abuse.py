"""Abuse: per-IP rate limits on public POSTs, and links that were forged or made for something else."""

import pytest
from sqlalchemy import func, select

from leadgen import tokens
from leadgen.extensions import db
from leadgen.leads.models import Consent, Lead

from .helpers import submit_form


@pytest.fixture
def limited_client(app, make_app):
    return make_app(RATELIMIT_ENABLED=True, PUBLIC_POST_LIMIT="3/minute").test_client()


def post_page(client, number: int):
    return submit_form(client, "/ebook", {"first_name": "Ana", "email": f"ana{number}@example.com"}, action="/ebook")


def post_api(client, number: int):
    return client.post("/api/v1/ebook-requests", json={"first_name": "Ana", "email": f"ana{number}@example.com"})


@pytest.mark.parametrize("post", [post_page, post_api], ids=["page", "api"])
def test_the_fourth_post_in_a_minute_gets_429_with_retry_after(app, limited_client, post):
    for number in range(3):
        assert post(limited_client, number).status_code in (202, 303)
    refused = post(limited_client, 3)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    if post is post_api:
        assert refused.get_json()["code"] == 429
    else:
        assert "Too many attempts" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 3


def test_pages_and_api_share_one_budget_per_ip(app, limited_client):
    assert post_page(limited_client, 0).status_code == 303
    assert post_api(limited_client, 1).status_code == 202
    assert post_page(limited_client, 2).status_code == 303
    assert post_api(limited_client, 3).status_code == 429


def test_another_ip_has_its_own_budget(app, limited_client):
    for number in range(4):
        post_api(limited_client, number)
    other = limited_client.post(
        "/api/v1/ebook-requests",
        json={"first_name": "Bo", "email": "bo@example.com"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 202


def test_reading_pages_is_not_limited(limited_client):
    for _ in range(10):
        assert limited_client.get("/ebook").status_code == 200


def test_a_token_signed_for_another_purpose_does_not_download(app, client):
    with app.app_context():
        client.post("/api/v1/ebook-requests", json={"first_name": "Ana", "email": "ana@example.com"})
        lead = db.session.scalars(select(Lead)).one()
        lead_id = lead.id
        other = tokens.sign("other", {"lead": lead_id})
        unsubscribe_like = tokens.sign("unsubscribe", {"lead": lead_id})
    for token in (other, unsubscribe_like):
        with client.get(f"/ebook/download/{token}") as response:
            assert response.status_code == 404
            assert response.mimetype == "text/html"
            assert "Send me a new link" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["nonsense", "eyJsZWFkIjoxfQ.aaaa.bbbb", "x" * 500])
def test_a_forged_token_gets_a_404_page_offering_a_new_link(client, token):
    with client.get(f"/ebook/download/{token}") as response:
        assert response.status_code == 404
        page = response.get_data(as_text=True)
    assert "This download link is not valid" in page
    assert 'action="/ebook/new-link"' in page and 'name="email"' in page


def test_behind_a_trusted_proxy_the_visitor_ip_is_the_consent_evidence(make_app):
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = make_app(TRUSTED_PROXIES=proxies)
        email = f"ana{proxies}@example.com"
        response = app.test_client().post(
            "/api/v1/ebook-requests",
            json={"email": email, "first_name": "Ana", "consent": True},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        assert response.status_code == 202
        with app.app_context():
            consent = db.session.scalars(select(Consent).order_by(Consent.id.desc())).first()
            assert consent.ip_address == expected
