"""Nothing a mail scanner does confirms anything: the link opens a page, its button's POST confirms."""

import pytest
from sqlalchemy import select

from leadgen.demo import seed_ebook
from leadgen.ebook.service import request_ebook
from leadgen.extensions import db
from leadgen.followups.optin import confirmation_token
from leadgen.leads.models import Lead
from leadgen.leads.service import Visit
from leadgen.outbox.worker import run_worker

from .conftest import screenshot
from .helpers import confirm_links, links_in, submit_form

CONFIRMED = "Thank you, your email address is confirmed"


def confirmed_at(app):
    with app.app_context():
        return db.session.scalars(select(Lead.confirmed_at)).one()


def test_get_and_head_of_the_mailed_links_change_nothing_and_the_post_confirms(make_app, smtp):
    app = make_app(DOUBLE_OPT_IN=True)
    with app.app_context():
        seed_ebook()
    client = app.test_client()
    data = {"first_name": "Ana", "email": "ana@example.com", "consent": "y"}
    assert submit_form(client, "/ebook", data, action="/ebook").status_code == 303
    with app.app_context():
        run_worker(once=True)
    [mail] = smtp.messages
    [confirm] = [url.removeprefix("http://leadgen.test") for url in confirm_links(mail)]
    [download] = [url.removeprefix("http://leadgen.test") for url in links_in(mail) if "/ebook/download/" in url]

    # What a mail provider's link scanner does: fetch every link, with HEAD and with GET.
    for path in (confirm, download):
        for method in (client.head, client.get):
            with method(path) as response:
                assert response.status_code == 200
    assert confirmed_at(app) is None
    page = client.get(confirm).get_data(as_text=True)
    assert "Yes, send me your emails" in page and 'method="post"' in page
    assert "confirm.js" in page and "<script>" not in page  # a same-origin file, no inline script

    pressed = client.post(confirm)
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith(confirm)
    assert confirmed_at(app) is not None
    after = client.get(confirm).get_data(as_text=True)
    assert CONFIRMED in after and "confirm.js" not in after  # nothing left to press


@pytest.fixture
def confirm_url(app, live_server) -> str:
    """A consenting lead's confirmation link on the live server."""
    with app.app_context():
        request_ebook({"email": "ana@example.com", "first_name": "Ana", "consent": True}, Visit())
        token = confirmation_token(db.session.scalars(select(Lead)).one())
        db.session.remove()
    return f"{live_server}/confirm/{token}"


def test_with_scripts_the_page_presses_its_own_button(app, page, confirm_url):
    page.goto(confirm_url)
    page.get_by_role("heading", name=CONFIRMED).wait_for()
    assert confirmed_at(app) is not None
    screenshot(page, "confirm-pressed-by-script")


def test_without_scripts_the_person_presses_the_button(app, browser, confirm_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(confirm_url)
        button = page.get_by_role("button", name="Yes, send me your emails")
        assert button.is_visible()
        assert confirmed_at(app) is None
        screenshot(page, "confirm-without-script-375")
        button.click()
        page.get_by_role("heading", name=CONFIRMED).wait_for()
        assert confirmed_at(app) is not None
    finally:
        context.close()
