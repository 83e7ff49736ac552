"""The home page, error pages, /healthz, and what an old download link leads to."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from leadgen.blog.models import Post
from leadgen.database import utcnow
from leadgen.ebook.service import download_token
from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.webinars.models import Webinar

from .drills.content import seed_demo
from .helpers import HIDDEN_PATTERN, csrf_token_from, links_in, request_ebook
from .mailserver import free_port


def test_home_shows_the_three_offers_and_the_office_phone(app, client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for offer in ("FREE ebook", "webinar", "blog"):
        assert offer in page
    assert 'href="/ebook"' in page and 'href="/webinars"' in page and 'href="/blog"' in page
    assert 'href="tel:+13125550142"' in page and app.config["OFFICE_PHONE"] in page


def test_pages_load_nothing_from_another_origin(client):
    page = client.get("/").get_data(as_text=True) + client.get("/ebook").get_data(as_text=True)
    for attribute in ('src="http', "src='http", 'href="//', '<link rel="stylesheet" href="http'):
        assert attribute not in page


def test_every_page_and_form_points_to_the_privacy_notice(app, client):
    seed_demo(app)
    with app.app_context():
        webinar = db.session.scalars(select(Webinar.slug)).first()
        post = db.session.scalars(select(Post.slug)).first()
    notice = client.get("/privacy")
    assert notice.status_code == 200
    text = notice.get_data(as_text=True)
    assert "How we use your details" in text and "tel:" in text and "erase" in text
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    for form_page in ("/ebook", f"/webinars/{webinar}", f"/blog/{post}"):
        page = client.get(form_page).get_data(as_text=True)
        assert page.count('href="/privacy"') == 2, form_page  # beside the form, and in the footer


def test_unknown_page_gets_a_helpful_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "could not find that page" in page
    assert 'href="/"' in page and 'href="/ebook"' in page and "tel:" in page


def test_a_page_address_typed_with_a_trailing_slash_leads_to_the_page(client):
    response = client.get("/blog/?utm_source=newsletter")
    assert response.status_code == 308
    assert response.headers["Location"] == "/blog?utm_source=newsletter"
    assert client.get("/webinars/", follow_redirects=True).status_code == 200
    # Only addresses that name a page; nor may a doubled slash send anyone to another site.
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/", environ_overrides={"PATH_INFO": "//example.com/"}).status_code == 404


def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["code"] == 404


def test_wrong_method_on_the_api_gets_json_405(client):
    response = client.get("/api/v1/ebook-requests")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_postgresql_is_unreachable(app, make_app):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/leadgen?connect_timeout=2"
    response = make_app(SQLALCHEMY_DATABASE_URI=closed).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_healthz_is_503_when_the_sqlite_directory_is_missing(app, make_app, tmp_path):
    missing = f"sqlite:///{tmp_path / 'missing' / 'leadgen.sqlite3'}"
    response = make_app(SQLALCHEMY_DATABASE_URI=missing).test_client().get("/healthz")
    assert response.status_code == 503


def ebook_download_path(client, smtp, deliver) -> str:
    """Ask for the ebook and return the download link's path from the mail."""
    request_ebook(client, consent=False)
    deliver()
    [link] = [url for url in links_in(smtp.messages[-1]) if "/ebook/download/" in url]
    return link.removeprefix(client.application.config["PUBLIC_BASE_URL"])


def test_expired_link_gets_410_with_the_email_prefilled_and_a_way_to_a_new_link(app, client, smtp, deliver):
    link = ebook_download_path(client, smtp, deliver)
    later = utcnow() + app.config["EBOOK_LINK_MAX_AGE"] + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        with client.get(link) as response:
            assert response.status_code == 410
            page = response.get_data(as_text=True)
        assert "This download link has expired" in page
        assert 'value="ana@example.com"' in page and 'action="/ebook/new-link"' in page
        form = {**dict(HIDDEN_PATTERN.findall(page)), "csrf_token": csrf_token_from(page), "email": "ana@example.com"}
        answer = client.post("/ebook/new-link", data=form)
        assert answer.status_code == 303 and answer.location.endswith("/ebook/thanks")
        deliver()
        assert len(smtp.messages) == 2
        [fresh] = [url for url in links_in(smtp.messages[-1]) if "/ebook/download/" in url]
        with client.get(fresh.removeprefix(app.config["PUBLIC_BASE_URL"])) as download:
            assert download.status_code == 200 and download.mimetype == "application/pdf"


def test_a_new_link_is_not_queued_twice_within_the_hour(app, client, smtp, deliver):
    link = ebook_download_path(client, smtp, deliver)
    with client.get(link) as download:
        assert download.status_code == 200
    page = client.get("/ebook/download/forged").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "email": "ana@example.com"}
    assert client.post("/ebook/new-link", data=form).status_code == 303
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_valid_token_for_an_erased_lead_gets_the_404_page(app, client):
    with app.app_context():
        token = download_token(12345, "gone@example.com")
    with client.get(f"/ebook/download/{token}") as response:
        assert response.status_code == 404
        assert "Send me a new link" in response.get_data(as_text=True)
