"""Small things people notice: the lead timeline names webinars by title, and every page has a
favicon (no 404 on a first visit)."""

import logging

import pytest

from .conftest import screenshot
from .helpers import sign_in, staff_token
from .test_mail_look import WEBINAR


def test_the_lead_timeline_names_the_webinar_by_its_title(app, client):
    token = staff_token(app)
    slug = client.post("/api/v1/webinars", json=WEBINAR, headers=token).get_json()["slug"]
    registration = {"email": "ana@example.com", "first_name": "Ana", "consent": False}
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=registration).status_code in (201, 202)
    sign_in(client)
    leads = client.get("/api/v1/leads", headers=token).get_json()
    lead_id = leads["leads"][0]["id"]
    page = client.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "Registered for a webinar" in page
    assert WEBINAR["title"].replace("'", "&#39;") in page
    assert f"webinar: {slug}" not in page


def test_the_favicon_is_served_and_linked(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


@pytest.mark.browser
def test_a_first_visit_asks_for_nothing_that_is_missing(live_server, page, caplog):
    """Chromium fetches the icon itself (Playwright does not report it): read the server's log."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    page.goto(f"{live_server}/")
    page.wait_for_load_state("networkidle")
    screenshot(page, "home-with-favicon-1280")
    for _ in range(50):
        icon = [record.getMessage() for record in caplog.records if "/favicon.ico" in record.getMessage()]
        if icon:
            break
        page.wait_for_timeout(100)
    assert icon and all('" 200 ' in line or '" 304 ' in line for line in icon), icon
    assert [r.getMessage() for r in caplog.records if '" 404 ' in r.getMessage()] == []
