"""Security headers on every response: pages, API, static files and error pages.

One after_request hook rather than flask-talisman: Talisman's last release is from 2023, it
redirects to HTTPS itself by default (TLS ends at the platform's router here), and choosing a
Referrer-Policy per page would need its decorator on every token view in every package. Here
any route with a `<token>` part gets the stricter policy, including ones added later.
"""

from flask import Flask, Response, request

# Nothing from another origin (DESIGN, privacy): no inline script or style either, so an
# injected one never runs. Forms post only to us; nobody may frame us (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Other sites never learn which of our pages (an article on a condition) a visitor came from.
REFERRER_POLICY = "same-origin"
# A page reached by a signed link must not hand its token on, not even to our own stylesheet
# request (a proxy's access log may keep Referer). Only the origin is sent: "no-referrer" would
# send nothing at all, and then Flask-WTF refuses the page's own forms over HTTPS ("The referrer
# header is missing"), e.g. the cancel-my-seat button. The origin names no page and no person.
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def reached_by_token() -> bool:
    """True when the request's route carries a signed token in its path (`/unsubscribe/<token>`)."""
    return "token" in (request.view_args or {})


def add_security_headers(response: Response) -> Response:
    """Set the headers a view has not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    policy = TOKEN_PAGE_REFERRER_POLICY if reached_by_token() else REFERRER_POLICY
    response.headers.setdefault("Referrer-Policy", policy)
    return response


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response the app gives."""
    app.after_request(add_security_headers)
