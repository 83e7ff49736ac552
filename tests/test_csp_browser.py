"""Under the Content-Security-Policy every page still works in Chromium: no script, style or
form it needs is refused; and a page reached by a signed link sends no token in a Referer."""

import pytest

from .drills.browser import sign_in
from .helpers import make_staff
from .test_accessibility import PAGES, Page, seeded_path, submit_invalid, under, webinar_cancel_token

pytestmark = pytest.mark.browser

# Chromium reports each refusal twice: a console error ("Refused to apply inline style ...",
# "Executing inline script violates ...") and a securitypolicyviolation event in the page.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || 'inline'}`);
});
"""


class ViolationLog:
    """Every CSP refusal Chromium reports on a page, across its navigations."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", self.console_message)

    def console_message(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(message.text)

    def collect(self) -> list[str]:
        """The refusals so far (call before leaving a page: its events go with it)."""
        self.found += self.page.evaluate("window.__cspViolations || []")
        self.page.evaluate("window.__cspViolations = []")
        return self.found


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_works_under_the_content_security_policy(app, live_server, page, spec):
    path = seeded_path(app, spec)
    violations = ViolationLog(page)
    if spec.staff:
        sign_in(page, live_server, make_staff(app, role=spec.staff))
        violations.collect()
    response = page.goto(f"{live_server}{path}")
    assert response.status == spec.status
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")
    page.wait_for_load_state("load")
    violations.collect()
    if spec.invalid:
        assert submit_invalid(page, spec.invalid) == 422
        page.wait_for_load_state("load")
    assert violations.collect() == []


def test_the_check_sees_a_refused_inline_style_and_script(live_server, page):
    """The checks themselves: a page with inline script and style under our policy is reported."""
    violations = ViolationLog(page)

    def fulfil(route):
        policy = route.fetch().headers["content-security-policy"]
        body = '<p style="color: red">x</p><script>document.title = "ran"</script>'
        route.fulfill(status=200, body=body, headers={"Content-Type": "text/html", "Content-Security-Policy": policy})

    page.route(f"{live_server}/inline", fulfil)
    page.goto(f"{live_server}/inline")
    page.wait_for_load_state("load")
    found = violations.collect()
    assert page.title() != "ran"
    assert any("style" in line for line in found) and any("script" in line for line in found), found


def test_a_token_page_sends_only_our_origin_as_referer(app, live_server, page):
    """The cancel page's stylesheet request and its button's POST name no token; the seat is freed."""
    path = seeded_path(app, Page("webinar-cancel", under("/webinars/cancel/", webinar_cancel_token)))
    token = path.rsplit("/", 1)[1]
    referers = []
    page.on("request", lambda request: referers.append((request.url, request.headers.get("referer"))))
    page.goto(f"{live_server}{path}")
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel my registration").click()
    assert page.get_by_role("heading", name="Your registration is cancelled").is_visible()
    sent = [(url, referer) for url, referer in referers if referer]
    assert any(url.endswith("/static/style.css") for url, _ in sent), referers
    assert any(url.endswith(path) for url, _ in sent), referers  # the button's POST
    assert {referer for _, referer in sent} == {f"{live_server}/"}
    assert all(token not in referer for _, referer in sent)
