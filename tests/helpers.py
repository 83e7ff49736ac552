"""Small helpers the tests share: posting forms the way a browser does, reading mail."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from leadgen.blog.posts import import_post
from leadgen.demo import seed_ebook
from leadgen.extensions import db
from leadgen.fields import UTM_FIELDS
from leadgen.leads.consent import MARKETING_EMAIL
from leadgen.leads.models import Lead
from leadgen.leads.service import Visit, capture_lead
from leadgen.outbox.worker import run_worker
from leadgen.staff.service import create_staff_user, find_staff_user, issue_token

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN_PATTERN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


SLUG = "gut-health"
ARTICLE = """---
title: Gut health and the immune system
slug: {slug}
date: 2026-10-01
summary: Why the gut matters.
---
## The barrier

The gut lining decides what gets in.
"""


def make_post(app, slug: str = SLUG) -> int:
    """An article, imported the way staff add them."""
    with app.app_context():
        post, _ = import_post(ARTICLE.format(slug=slug))
        return post.id


TWO_STEPS = [timedelta(days=2), timedelta(days=7)]


def build_clinic(make_app, **overrides):
    """An app with explicit follow-up settings (Chicago, weekdays 9 to 5, 2 and 7 days), plus `overrides`."""
    settings = {
        "FOLLOWUP_DELAYS": TWO_STEPS,
        "OFFICE_HOURS": "Mon-Fri 09:00-17:00",
        "CLINIC_TIMEZONE": "America/Chicago",
        "DOUBLE_OPT_IN": False,
        **overrides,
    }
    app = make_app(**settings)
    with app.app_context():
        seed_ebook()
    return app


def csrf_token_from(html: str) -> str:
    """The CSRF token the page embeds in its form."""
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def submit_form(client, page_url: str, data: dict, action: str | None = None):
    """GET the page, then POST its form with its hidden fields (CSRF, UTM), like a browser."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    payload = {**dict(HIDDEN_PATTERN.findall(html)), "csrf_token": csrf_token_from(html), **data}
    return client.post(action or page_url, data=payload)


def request_ebook(client, email: str = "ana@example.com", consent: bool = True):
    """Ask for the ebook on the landing page as a visitor does, ticking the marketing box unless
    `consent` is False; returns the form's response (a redirect to the thank-you page)."""
    data = {"first_name": "Ana", "email": email, **({"consent": "y"} if consent else {})}
    response = submit_form(client, "/ebook", data, action="/ebook")
    assert response.status_code == 303, response.status_code
    return response


def text_part(message) -> str:
    """The text/plain body of a received message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    """The text/html body of a received message."""
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message) -> list[str]:
    """Every http(s) link in the text part of a received message."""
    return re.findall(r"https?://\S+", text_part(message))


def confirm_links(message) -> list[str]:
    """The "yes, send me your emails" links of a received message."""
    return [url for url in links_in(message) if "/confirm/" in url]


def path_of(url: str) -> str:
    """The path of a link the app wrote with its PUBLIC_BASE_URL, for the test client."""
    return url.removeprefix("http://leadgen.test")


def press_confirm_button(client, link: str):
    """Open a mailed confirmation link (a page with one button), then press the button (its POST)."""
    path = path_of(link)
    page = client.get(path)
    assert page.status_code == 200 and "Yes, send me your emails" in page.get_data(as_text=True)
    return client.post(path, follow_redirects=True)


STAFF_PASSWORD = "correct horse battery"


def make_staff(app, email: str | None = None, role: str = "admin") -> str:
    """Create a staff account (password STAFF_PASSWORD), named `<role>@clinic.example` unless
    `email` is given; returns its email."""
    email = email or f"{role}@clinic.example"
    with app.app_context():
        create_staff_user(email, STAFF_PASSWORD, role)
    return email


def staff_token(app, email: str | None = None, role: str = "admin") -> dict:
    """A new staff account's (see `make_staff`) API token as request headers."""
    email = make_staff(app, email, role)
    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(find_staff_user(email))}"}


def sign_in(client, email: str = "admin@clinic.example", password: str = STAFF_PASSWORD):
    """Sign in through the console's form, as a person does; returns the response."""
    return submit_form(client, "/admin/login", {"email": email, "password": password})


class StaffAuth:
    """Signing staff in on a test client, as flaskr's `auth` fixture does for its users (the `auth`
    fixture is one for the test's app and client; build one for an app of `make_app`)."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def sign_in(self, role: str = "admin", email: str | None = None):
        """A new staff account (see `make_staff`), signed in through the console's real form;
        returns the form's response."""
        email = make_staff(self.app, email, role)
        response = sign_in(self.client, email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return response


def add_lead(app, email: str, *, source: str = "ebook", first_name: str = "Ana", consent: bool = False, **columns):
    """Capture a lead as a form would (consent evidence from 203.0.113.7), then set `columns`; returns its id."""
    with app.app_context():
        utm = {name: columns.pop(name) for name in UTM_FIELDS if name in columns}
        visit = Visit(
            ip_address="203.0.113.7", user_agent="pytest", utm=utm, landing_path=columns.pop("landing_path", None)
        )
        capture = capture_lead(
            email=email,
            first_name=first_name,
            source=source,
            activity=f"{source}_requested",
            visit=visit,
            consent=MARKETING_EMAIL,
            consent_granted=consent,
        )
        for name, value in columns.items():
            setattr(capture.lead, name, value)
        db.session.commit()
        return capture.lead.id


def insert_lead(email: str, **columns):
    """A bare lead row (no consent, activity or mail), committed in the current app context."""
    lead = Lead(email=email, **{"first_name": "Ana", "source": "ebook", **columns})
    db.session.add(lead)
    db.session.commit()
    return lead


def only_lead(app) -> Lead:
    """The one lead there is, detached so its columns can be read after the app context."""
    with app.app_context():
        found = db.session.scalars(select(Lead)).one()
        db.session.expunge(found)
        return found


def count(app, model, *conditions) -> int:
    """How many rows of `model` there are (that meet `conditions`)."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def work_once(app) -> int:
    """Run the outbox worker once, as `flask outbox work --once` does; returns the messages claimed."""
    with app.app_context():
        return run_worker(once=True)


def row_counts() -> dict[str, int]:
    """How many rows every table has (in an app context): what a refused request leaves as it was."""
    counts = [
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in db.metadata.sorted_tables
    ]
    return dict(db.session.execute(select(*counts)).one()._mapping)  # one round trip, not one per table
