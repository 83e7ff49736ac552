"""Browser helpers: axe-core in the page, label and error-announcement checks, staff sign-in."""

from pathlib import Path

import pytest

from ..helpers import STAFF_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => {
    const labelled = [...(el.labels || [])].some(label => label.textContent.trim());
    return !labelled && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
  })
  .map(el => el.outerHTML.slice(0, 160))"""

UNANNOUNCED_ERRORS = """fieldErrors => {
  const problems = [];
  const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
  if (fieldErrors && !invalid.length) problems.push('no field has aria-invalid="true"');
  for (const el of invalid) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean).map(node => node.textContent.trim());
    if (!texts.some(Boolean)) problems.push(`#${el.id} is invalid but describedby no message`);
  }
  for (const message of document.querySelectorAll('.error[id]')) {
    const owner = document.querySelector(`[aria-describedby~="${message.id}"]`);
    if (!owner && !message.closest('[role="alert"]')) problems.push(`message #${message.id} belongs to no field`);
  }
  const alert = document.querySelector('[role="alert"], [aria-live="assertive"]');
  if (!alert || !alert.textContent.trim()) problems.push('no role="alert" summary');
  return problems;
}"""


def run_axe(page) -> list[dict]:
    """Inject the pinned axe-core into the page and return its violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the project folder (.ci/run does)")
    # Evaluated through the DevTools protocol: a <script> tag with its text is inline script,
    # which the pages' Content-Security-Policy refuses (as it should).
    page.evaluate(AXE.read_text())
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def blocking_violations(page) -> list[str]:
    """Serious and critical axe violations, one readable line each (empty when the page passes)."""
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in run_axe(page)
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def unlabelled_fields(page) -> list[str]:
    """Form fields a screen reader could not name."""
    return page.evaluate(UNLABELLED_FIELDS)


def unannounced_errors(page, field_errors: bool = True) -> list[str]:
    """What keeps the page's validation errors from being announced (empty when they are).

    With `field_errors` the page must also mark at least one field invalid (a form-wide
    message such as "email and password do not match" needs only the alert).
    """
    return page.evaluate(UNANNOUNCED_ERRORS, field_errors)


def sign_in(page, live_server: str, email: str, password: str = STAFF_PASSWORD, going_to: str = "") -> None:
    """Sign in through the console's form as a person would: at /admin/login, or, `going_to` a
    console page, on the form that page sends a signed-out person to, which brings them back."""
    if going_to:
        page.goto(f"{live_server}{going_to}")
        page.wait_for_url("**/admin/login?next=*")
    else:
        page.goto(f"{live_server}/admin/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/admin/login" not in url)
