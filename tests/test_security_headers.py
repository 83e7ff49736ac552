"""Every response carries the security headers: pages, API, static files, redirects and errors;
a page reached by a signed link hands its token to nobody in a Referer."""

import pytest

from .helpers import csrf_token_from
from .test_accessibility import Page, seeded_path, under, webinar_cancel_token
from .test_site import ebook_download_path

CSP_DIRECTIVES = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'")


def assert_security_headers(response) -> None:
    """The headers every answer must carry, whatever made it."""
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    for directive in (*CSP_DIRECTIVES, "frame-ancestors 'none'"):
        assert directive in policy, (directive, policy)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/ebook", 200),
        ("GET", "/blog/feed.xml", 200),
        ("GET", "/api/v1/webinars", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/static/style.css", 200),
        ("GET", "/healthz", 200),
        ("GET", "/admin/", 302),
        ("GET", "/no-such-page", 404),
        ("GET", "/api/v1/no-such-thing", 404),
        ("DELETE", "/ebook", 405),
        ("POST", "/ebook", 400),  # no CSRF token
    ],
)
def test_every_kind_of_answer_carries_the_headers(client, method, path, status):
    with client.open(path, method=method) as response:
        assert response.status_code == status
        assert_security_headers(response)
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_too_large_body_and_a_crash_carry_them_too(make_app):
    app = make_app(MAX_CONTENT_LENGTH=100)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    crashed = client.get("/boom")
    assert crashed.status_code == 500
    assert_security_headers(crashed)
    too_large = client.post("/api/v1/ebook-requests", json={"email": "a" * 200})
    assert too_large.status_code == 413
    assert_security_headers(too_large)


def token_routes(app) -> list[str]:
    """Every route whose path carries a signed token, as the app defines them."""
    return sorted({rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments})


def test_pages_reached_by_a_token_send_no_path_in_a_referer(app, client):
    routes = token_routes(app)
    assert {"/ebook/download/<token>", "/unsubscribe/<token>", "/webinars/cancel/<token>"} <= set(routes)
    for rule in routes:
        response = client.get(rule.replace("<token>", "not-a-real-token"))
        assert response.status_code in (404, 410), rule
        assert_security_headers(response)
        assert response.headers["Referrer-Policy"] == "strict-origin", rule


def test_a_real_download_link_keeps_its_token_to_itself(client, smtp, deliver):
    link = ebook_download_path(client, smtp, deliver)
    with client.get(link) as download:
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert_security_headers(download)
        assert download.headers["Referrer-Policy"] == "strict-origin"


@pytest.mark.parametrize(("referer", "status"), [("https://leadgen.test/", 200), (None, 400)])
def test_over_https_a_token_pages_button_works_with_the_origin_it_is_sent(app, client, referer, status):
    """Why token pages send the origin rather than nothing: over HTTPS Flask-WTF refuses a form
    POST without a Referer, so "no-referrer" would break the cancel-my-seat button in production."""
    path = seeded_path(app, Page("webinar-cancel", under("/webinars/cancel/", webinar_cancel_token)))
    https = {"base_url": "https://leadgen.test"}
    page = client.get(path, **https)
    assert page.headers["Referrer-Policy"] == "strict-origin"
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    answer = client.post(path, data=form, headers={"Referer": referer} if referer else {}, **https)
    assert answer.status_code == status
    assert ("Your registration is cancelled" in answer.get_data(as_text=True)) == (status == 200)
