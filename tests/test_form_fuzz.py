"""No input ever produces a 500: every HTML form and console page, fed odd values by Hypothesis.

The JSON API has its own fuzzing (schemathesis, test_api_fuzz.py). Here the values are what a
person or a script could type or paste into a form or a query string: control characters
(NUL reaches PostgreSQL as an error unless a field refuses it), numbers far beyond any id,
impossible and extreme dates, very long text, markup. CSRF is off so the values reach the
handlers; test_admin_access.py proves every form needs its token.
"""

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leadgen.blog.models import Post
from leadgen.extensions import db
from leadgen.webinars.models import Webinar

from .drills.content import seed_demo
from .helpers import make_staff, row_counts, sign_in
from .odd_unicode import odd_text

FIELDS = [
    "first_name",
    "email",
    "consent",
    "notify",
    "name",
    "body",
    "website",
    "parent_id",
    "replytocom",
    "form_token",
    "utm_source",
    "referrer",
    "company",
    "password",
    "current_password",
    "role",
    "status",
    "ids",
    "one",
    "tab",
    "title",
    "starts_at",
    "duration_minutes",
    "capacity",
    "join_url",
    "description",
    "url",
    "events",
    "q",
    "source",
    "since",
    "until",
    "after",
    "page",
    "webinar",
    "next",
]
ODD_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "\r\nBcc: someone@example.com",
    "99999999999999999999",
    "-1",
    "0",
    "1e999",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-11-24T25:61",
    "x" * 70_000,
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "%00",
    "approved",
    "1:approved",
    "admin",
    "ana@example.com",
    "ebook",
]
# Ids that str.isdigit() accepts but int() refuses or misreads, or that are too long for int().
ID_FIELDS = ["parent_id", "replytocom", "ids", "one", "page"]
ODD_IDS = ["²", "٣", "9" * 5000, "²:approved", "٣:approved", "9" * 5000 + ":approved"]
# Any text, plus digits of every script, confusables and numbers of thousands of digits. A lone
# surrogate has no UTF-8 form: it goes as the bytes a careless script would send (ED A0 80).
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40) | odd_text(surrogates=True)
FORM = st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(ODD_VALUES), TEXT), max_size=8)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def routes(app, keep) -> list[tuple[str, str]]:
    """(method, path) of the app's page routes the filter keeps, with a real slug and id 1 filled in."""
    with app.app_context():
        webinar = db.session.scalars(select(Webinar.slug)).first()
        post = db.session.scalars(select(Post.slug)).first()
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static", "/favicon.ico")) or not keep(rule.rule) or "logout" in rule.rule:
            continue
        path = rule.rule.replace("<slug>", post if rule.rule.startswith("/blog/") else webinar)
        path = re.sub(r"<[^>]+>", "1", path)  # ids, and tokens that are not real
        found += [(method, path) for method in sorted(rule.methods & {"GET", "POST"})]
    return found


def encoded(form: dict) -> str:
    """The form as a URL-encoded string, a lone surrogate as its (invalid) UTF-8 bytes."""
    return urlencode({name: value.encode("utf-8", "surrogatepass") for name, value in form.items()})


def check(client, method: str, path: str, form: dict) -> None:
    """Never a 500; a refusal (4xx) stores nothing."""
    with client.application.app_context():
        before = row_counts()
        db.session.remove()
    if method == "GET":
        response = client.get(f"{path}?{encoded(form)}")
    else:
        response = client.post(path, data=encoded(form), content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (method, path, form)
    if response.status_code >= 400:
        with client.application.app_context():
            assert row_counts() == before, (method, path, form, response.status_code)
            db.session.remove()


def no_500_anywhere(client, found: list[tuple[str, str]]) -> None:
    """Each odd value in every field of every route, then random forms from Hypothesis."""
    for route in found:
        for value in ODD_VALUES:
            check(client, *route, dict.fromkeys(FIELDS, value))
        for value in ODD_IDS:
            check(client, *route, dict.fromkeys(ID_FIELDS, value))

    @FUZZ
    @given(route=st.sampled_from(found), form=FORM)
    def random_forms(route, form):
        check(client, *route, form)

    random_forms()


@pytest.mark.slow
def test_no_public_form_or_page_answers_500(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)
    seed_demo(app)
    public = routes(app, lambda rule: not rule.startswith("/admin") or rule == "/admin/login")
    assert ("POST", "/ebook") in public and ("GET", "/blog") in public
    no_500_anywhere(app.test_client(), public)


@pytest.mark.slow
def test_no_console_form_or_page_answers_500(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)
    seed_demo(app)
    make_staff(app)
    client = app.test_client()
    sign_in(client)
    console = routes(app, lambda rule: rule.startswith("/admin") and rule != "/admin/login")
    assert ("GET", "/admin/leads") in console and ("POST", "/admin/staff") in console
    no_500_anywhere(client, console)
    assert client.get("/admin/").status_code == 200  # still signed in: the fuzzing reached every handler
