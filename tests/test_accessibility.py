"""Every public and staff page passes axe-core (no serious or critical violation), names
every form field, and announces validation errors (aria-invalid + aria-describedby).

To cover a new page, add one line to PAGES. A page whose route or data has not landed
yet is skipped with the reason, so the list can name pages before they exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from leadgen.extensions import db

from .drills.browser import blocking_violations, sign_in, unannounced_errors, unlabelled_fields
from .drills.content import first_value, seed_demo
from .helpers import make_staff

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Page:
    """A page to check: where it is (a path, or a function of the seeded app that finds one)."""

    name: str
    path: str | Callable[[], str | None]
    staff: str | None = None  # signed in with this role ("admin" or "marketing") first
    status: int = 200
    # Text fields to fill (by name) before submitting the page's form without browser validation.
    invalid: dict = field(default_factory=dict)
    # False for a form-wide error (wrong password): announced by the alert, no field to mark.
    field_errors: bool = True


def first(module: str, model: str, column: str = "slug") -> Callable[[], str | None]:
    """A column (slug, id) of the first row of a model, if the model has landed and has a row."""
    return lambda: first_value(module, model, column)


def under(prefix: str, finder: Callable[[], str | None], suffix: str = "") -> Callable[[], str | None]:
    """A path built from what `finder` returns, or None when it finds nothing."""

    def path() -> str | None:
        found = finder()
        return None if found is None else f"{prefix}{found}{suffix}"

    return path


def any_lead_id() -> int | None:
    """A lead for the staff timeline, made through the ebook service like a real request."""
    from leadgen.ebook.service import request_ebook
    from leadgen.leads.service import Visit, find_lead_by_email

    request_ebook({"email": "ana@example.com", "first_name": "Ana", "consent": True}, Visit())
    return find_lead_by_email("ana@example.com").id


def unsubscribe_token() -> str | None:
    """A signed unsubscribe token for a consenting lead, if the unsubscribe module has landed."""
    try:
        from leadgen.followups import unsubscribe
    except ImportError:
        return None
    lead_id = any_lead_id()
    from leadgen.leads.models import Lead

    return unsubscribe.unsubscribe_token(db.session.get(Lead, lead_id))


def confirmation_token() -> str | None:
    """The signed double opt-in link of a lead, if double opt-in has landed."""
    try:
        from leadgen.followups.optin import confirmation_token as token_for
    except ImportError:
        return None
    from leadgen.leads.models import Lead

    return token_for(db.session.get(Lead, any_lead_id()))


def webinar_cancel_token() -> str | None:
    """The signed link of a registration's "cancel my seat" page, if that has landed."""
    try:
        from leadgen.webinars.cancellation import cancel_token
        from leadgen.webinars.models import Registration
        from leadgen.webinars.registration import register
        from leadgen.webinars.service import find_webinar
    except ImportError:
        return None
    from leadgen.leads.service import Visit

    register(find_webinar(WEBINAR()), {"email": "ana@example.com", "first_name": "Ana", "consent": False}, Visit())
    return cancel_token(db.session.scalars(select(Registration).order_by(Registration.id.desc())).first())


def callback_lead_id() -> int | None:
    """A lead who asked to be called back (an open request in the queue), made through the service."""
    from leadgen.callbacks.service import request_callback
    from leadgen.leads.service import Visit, find_lead_by_email

    request = {"email": "cal@example.com", "first_name": "Cal", "phone": "+13125550100", "best_time": "morning"}
    request_callback({**request, "note": "After lunch, please", "consent": False}, Visit())
    return find_lead_by_email("cal@example.com").id


def callback_queue() -> str | None:
    """The open call-back queue with one request in it."""
    return "/admin/callbacks" if callback_lead_id() else None


WEBINAR = first("leadgen.webinars.models", "Webinar")
WEBINAR_ID = first("leadgen.webinars.models", "Webinar", "id")
POST = first("leadgen.blog.models", "Post")
EBOOK = first("leadgen.ebook.models", "Ebook")
BAD_EMAIL = {"first_name": "Ana", "email": "ana@example"}
TYPO_EMAIL = {"email": "ana@gmial.com"}  # asks "Did you mean ana@gmail.com?"
BAD_AUDIENCE = {"since": "2026-12-01", "until": "2026-11-01"}
BAD_WEBINAR = {"title": "", "duration_minutes": "0", "capacity": "-1", "join_url": "not a link"}

PAGES = [
    Page("home", "/"),
    Page("ebook", "/ebook"),
    Page("ebook-errors", "/ebook", invalid=BAD_EMAIL),
    Page("ebook-email-typo", "/ebook", invalid={"first_name": "Ana", **TYPO_EMAIL}),
    Page("ebook-thanks", "/ebook/thanks"),
    Page("ebook-forged-link", "/ebook/download/not-a-real-token", status=404),
    Page("ebook-new-link-errors", "/ebook/download/not-a-real-token", status=404, invalid={"email": "ana@"}),
    Page("ebook-offer", under("/ebook/", EBOOK)),
    Page("ebook-offer-errors", under("/ebook/", EBOOK), invalid=BAD_EMAIL),
    Page("ebook-offer-thanks", under("/ebook/", EBOOK, "/thanks")),
    Page("ebook-not-offered", "/ebook/no-such-ebook", status=404),
    Page("not-found", "/no-such-page", status=404),
    Page("privacy", "/privacy"),
    Page("webinars", "/webinars"),
    Page("webinar", under("/webinars/", WEBINAR)),
    Page("webinar-errors", under("/webinars/", WEBINAR), invalid=BAD_EMAIL),
    Page("webinar-email-typo", under("/webinars/", WEBINAR), invalid={"first_name": "Ana", **TYPO_EMAIL}),
    Page("webinar-thanks", under("/webinars/", WEBINAR, "/thanks")),
    Page("webinar-cancel", under("/webinars/cancel/", webinar_cancel_token)),
    Page("webinar-cancel-forged", "/webinars/cancel/not-a-real-token", status=404),
    Page("blog", "/blog"),
    Page("article", under("/blog/", POST)),
    Page("article-reply-errors", under("/blog/", POST), invalid={"name": "Ana", "email": "ana@", "body": ""}),
    Page("article-reply-email-typo", under("/blog/", POST), invalid={"name": "Ana", **TYPO_EMAIL, "body": "Hi"}),
    Page("unsubscribe", under("/unsubscribe/", unsubscribe_token)),
    Page("unsubscribe-forged", "/unsubscribe/not-a-real-token", status=404),
    Page("opt-in-confirmed", under("/confirm/", confirmation_token)),
    Page("opt-in-forged", "/confirm/not-a-real-token", status=404),
    Page("call-back", "/call-back"),
    Page("call-back-errors", "/call-back", invalid={"first_name": "Ana", "email": "ana@example.com", "phone": "555"}),
    Page("call-back-thanks", "/call-back/thanks"),
    Page("staff-login", "/admin/login"),
    Page(
        "staff-login-errors",
        "/admin/login",
        invalid={"email": "nobody@clinic.example", "password": "wrong"},
        field_errors=False,
    ),
    Page("dashboard", "/admin/", staff="admin"),
    Page("leads", "/admin/leads", staff="admin"),
    Page("leads-filtered", "/admin/leads?source=ebook&consent=yes", staff="admin"),
    Page("lead-timeline", under("/admin/leads/", any_lead_id), staff="admin"),
    Page("lead-erase", under("/admin/leads/", any_lead_id, "/erase"), staff="admin"),
    Page("leads-bulk-tag", "/admin/leads/tags?source=ebook&bulk_tag=vip&action=add", staff="marketing"),
    Page("leads-bulk-tag-errors", "/admin/leads/tags?bulk_tag=Not+a+tag&action=add", staff="marketing", status=422),
    Page("leads-import", "/admin/leads/import", staff="marketing"),
    Page("reports", "/admin/reports?by=source", staff="marketing"),
    Page("reports-errors", "/admin/reports?by=tv&since=nope", staff="marketing", status=422),
    Page("erasures", "/admin/erasures", staff="admin"),
    Page("lead-with-call-back", under("/admin/leads/", callback_lead_id), staff="marketing"),
    Page("call-backs-empty", "/admin/callbacks?status=booked", staff="marketing"),
    Page("call-backs", callback_queue, staff="marketing"),
    Page("comments", "/admin/comments", staff="admin"),
    Page("comments-approved", "/admin/comments?status=approved", staff="admin"),
    Page("staff-webinars", "/admin/webinars", staff="admin"),
    Page("staff-webinar", under("/admin/webinars/", WEBINAR_ID), staff="admin"),
    Page("staff-webinar-edit", under("/admin/webinars/", WEBINAR_ID, "/edit"), staff="admin"),
    Page("staff-webinar-new", "/admin/webinars/new", staff="admin"),
    Page("staff-webinar-new-errors", "/admin/webinars/new", staff="admin", invalid=BAD_WEBINAR),
    Page("staff-ebooks", "/admin/ebooks", staff="marketing"),
    Page("staff-ebook-new", "/admin/ebooks/new", staff="marketing"),
    Page("staff-ebook-new-errors", "/admin/ebooks/new", staff="marketing", invalid={"title": "", "slug": "Not A Slug"}),
    Page("staff-ebook-default-edit", "/admin/ebooks/default/edit", staff="marketing"),
    Page("exports", "/admin/exports", staff="admin"),
    Page("broadcasts", "/admin/broadcasts", staff="marketing"),
    Page("broadcast-new", "/admin/broadcasts/new", staff="marketing"),
    # The first button counts the audience: a range that ends before it starts is a 422.
    Page("broadcast-new-errors", "/admin/broadcasts/new", staff="marketing", invalid=BAD_AUDIENCE),
    Page("webhooks", "/admin/webhooks", staff="admin"),
    Page("staff", "/admin/staff", staff="admin"),
    Page("account", "/admin/account", staff="marketing"),
    Page("content", "/admin/content", staff="marketing"),
    Page("content-mail", "/admin/content/mail/ebook_delivery", staff="marketing"),
    Page("content-mail-errors", "/admin/content/mail/ebook_delivery", staff="marketing", invalid={"subject": ""}),
    Page("content-consent", "/admin/content/consent/ebook", staff="admin"),
    Page("content-sequence", "/admin/content/sequences/ebook", staff="marketing"),
    Page("account-errors", "/admin/account", staff="marketing", invalid={"current_password": "x", "password": "short"}),
    Page("staff-add-errors", "/admin/staff", staff="admin", invalid={"email": "mia@", "password": "short"}),
    Page("forbidden-for-marketing", "/admin/webhooks", staff="marketing", status=403),
]


def seeded_path(app, spec: Page) -> str:
    """Seed the demo content, then resolve the page's path; skip if its feature has not landed."""
    seed_demo(app)
    with app.app_context():
        path = spec.path if isinstance(spec.path, str) else spec.path()
        db.session.commit()
        db.session.remove()
    if path is None:
        pytest.skip(f"{spec.name}: nothing to show yet (its feature or demo content has not landed)")
    if spec.status != 404:
        try:
            app.url_map.bind("localhost").match(path.split("?")[0])
        except (NotFound, MethodNotAllowed):
            pytest.skip(f"{spec.name}: {path} has no route yet")
    return path


def submit_invalid(page, values: dict) -> int:
    """Fill the form holding these fields, skip the browser's own checks, submit; the status."""
    form = page.locator(f"form:has([name='{next(iter(values))}'])").first
    for name, value in values.items():
        form.locator(f"[name='{name}']").fill(value)
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    return navigation.value.status


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_is_accessible(app, live_server, page, spec):
    path = seeded_path(app, spec)
    if spec.staff:
        sign_in(page, live_server, make_staff(app, role=spec.staff))
    response = page.goto(f"{live_server}{path}")
    assert response.status == spec.status, f"{path} answered {response.status}"
    if spec.invalid:
        assert submit_invalid(page, spec.invalid) == 422
        assert unannounced_errors(page, spec.field_errors) == []
    assert unlabelled_fields(page) == []
    assert blocking_violations(page) == []


def test_the_checks_catch_an_inaccessible_page(page):
    """The checks themselves: a page with an unlabelled field and unannounced error fails them."""
    page.set_content(
        "<html><body><form><input name=email aria-invalid=true><p class=error id=e>Wrong</p>"
        "<button></button></form></body></html>"
    )
    assert unlabelled_fields(page) and unannounced_errors(page)
    found = blocking_violations(page)
    assert any("label" in line for line in found) and any("button-name" in line for line in found)
