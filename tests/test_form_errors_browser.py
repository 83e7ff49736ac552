"""Errors you can see: after a refused submission the field in error has a red border and its
message right beside it, and focus is on the error summary (no script needed), in Chromium."""

import pytest

from .conftest import screenshot
from .drills.browser import sign_in
from .helpers import make_staff
from .test_accessibility import PAGES, seeded_path, submit_invalid

pytestmark = pytest.mark.browser

FORMS_WITH_FIELD_ERRORS = [spec for spec in PAGES if spec.invalid and spec.field_errors]
ERROR_RED = "rgb(161, 38, 34)"  # --error in style.css

# For each field marked invalid: its border colour, the colour the same field has once it is
# valid again (class and attribute removed), and how far its message is from it (px).
INVALID_FIELDS = """() => [...document.querySelectorAll('[aria-invalid="true"]:not([type=checkbox])')].map(el => {
  const field = el.closest('.field');
  const message = document.getElementById(`${el.id}-error`);
  const [box, said] = [el.getBoundingClientRect(), message && message.getBoundingClientRect()];
  const invalid = getComputedStyle(el).borderTopColor;
  field.classList.remove('field-error');
  el.removeAttribute('aria-invalid');
  const valid = getComputedStyle(el).borderTopColor;
  field.classList.add('field-error');
  el.setAttribute('aria-invalid', 'true');
  return {
    name: el.name, invalid, valid,
    message_visible: Boolean(said && said.height && message.checkVisibility()),
    gap: said ? Math.min(Math.abs(box.top - said.bottom), Math.abs(said.top - box.bottom)) : null,
  };
})"""


@pytest.mark.parametrize("width", ["375", "1280"])
@pytest.mark.parametrize("spec", FORMS_WITH_FIELD_ERRORS, ids=lambda spec: spec.name)
def test_the_field_in_error_is_highlighted_and_focus_is_on_the_summary(app, live_server, request, spec, width):
    page = request.getfixturevalue("phone_page" if width == "375" else "page")
    path = seeded_path(app, spec)
    if spec.staff:
        sign_in(page, live_server, make_staff(app, role=spec.staff))
    page.goto(f"{live_server}{path}")
    assert submit_invalid(page, spec.invalid) == 422
    screenshot(page, f"form-errors-{spec.name}-{width}")
    fields = page.evaluate(INVALID_FIELDS)
    assert fields, "no field is marked invalid"
    for field in fields:
        assert field["invalid"] == ERROR_RED, field
        assert field["invalid"] != field["valid"], field
        assert field["message_visible"] and field["gap"] < 24, field
    focused = page.evaluate("document.activeElement.className")
    assert "error-summary" in focused, f"focus is on {focused!r}"
