"""The console reads on a 375 px phone: no table cell breaks a word, tables fit or scroll
inside their own box, badges stay on one line, the dashboard chart's labels stay readable.

Every console page of test_accessibility.PAGES is measured in Chromium; screenshots of
each at both widths are kept under artifacts/screenshots/.
"""

import pytest

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .drills.content import first_value
from .helpers import make_staff
from .test_accessibility import PAGES, WEBINAR, WEBINAR_ID, Page, seeded_path, under

pytestmark = pytest.mark.browser

CONSOLE_FOOTER_OFFSET = """() => {
  const [main, footer] = ['main', 'footer'].map(name => document.querySelector(name).getBoundingClientRect());
  return [footer.left - main.left, footer.right - main.right];
}"""


def registered_lead_id() -> int:
    """A lead registered for the first demo webinar (a timeline entry, a row in its registrations)."""
    from leadgen.leads.service import Visit
    from leadgen.webinars.registration import register
    from leadgen.webinars.service import find_webinar

    registration = {"email": "anastasia.papadopoulou@example.com", "first_name": "Anastasia", "consent": True}
    register(find_webinar(WEBINAR()), registration, Visit())
    return first_value("leadgen.leads.models", "Lead", "id")


def webinar_with_a_registrant_id() -> int:
    """The first demo webinar, once someone registered for it."""
    registered_lead_id()
    return WEBINAR_ID()


CONSOLE_PAGES = [spec for spec in PAGES if spec.staff and spec.status == 200 and not spec.invalid] + [
    Page("lead-registered", under("/admin/leads/", registered_lead_id), staff="admin"),
    Page("staff-webinar-registrants", under("/admin/webinars/", webinar_with_a_registrant_id), staff="admin"),
]
SMALLEST_CHART_LABEL_PX = 11

# A word is broken when its own text lays out on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        const where = `<${cell.tagName.toLowerCase()}> "${cell.textContent.trim().slice(0, 50)}"`;
        if (lines.size > 1) broken.push(`"${match[0]}" in ${where}`);
      }
    }
  }
  return broken;
}"""

# A badge is one line high: not taller than one line of its own text plus padding and border.
TALL_BADGES = """() => [...document.querySelectorAll('main .badge')]
  .filter(badge => badge.getClientRects().length)
  .filter(badge => {
    const style = getComputedStyle(badge);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    return badge.getClientRects().length > 1 || badge.getBoundingClientRect().height > line * 1.5 + 8;
  })
  .map(badge => `"${badge.textContent.trim()}" is ${Math.round(badge.getBoundingClientRect().height)} px high`)"""

# A table either fits its box or sits in a box that scrolls sideways (never the whole page).
TABLES_SPILLING = """() => [...document.querySelectorAll('main table')]
  .filter(table => table.getClientRects().length)
  .filter(table => {
    let box = table.parentElement;
    while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    box = box || document.querySelector('main');
    const outer = box.getBoundingClientRect(), inner = table.getBoundingClientRect();
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    return !scrolls && inner.right > outer.right + 1;
  })
  .map(table => table.className || 'table')"""

# The chart is SVG drawn in its own units: a label's size on screen is its font size times the scale.
CHART_LABEL_SIZES = """() => [...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(text => parseFloat(getComputedStyle(text).fontSize) * scale);
})"""


def open_console_page(app, live_server, page, spec) -> None:
    """Sign in with the page's role and open it."""
    path = seeded_path(app, spec)
    sign_in(page, live_server, make_staff(app, role=spec.staff))
    response = page.goto(f"{live_server}{path}")
    assert response.status == spec.status


@pytest.mark.parametrize("width", ["375", "1280"])
@pytest.mark.parametrize("spec", CONSOLE_PAGES, ids=lambda spec: spec.name)
def test_console_page_reads_on_a_phone_and_a_desktop(app, live_server, request, spec, width):
    page = request.getfixturevalue("phone_page" if width == "375" else "page")
    path = seeded_path(app, spec)
    sign_in(page, live_server, make_staff(app, role=spec.staff))
    assert page.goto(f"{live_server}{path}").status == spec.status
    screenshot(page, f"console-{spec.name}-{width}")
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate(TALL_BADGES) == []
    assert page.evaluate(TABLES_SPILLING) == []
    assert has_no_horizontal_scroll(page)
    assert all(size >= SMALLEST_CHART_LABEL_PX for size in page.evaluate(CHART_LABEL_SIZES))


@pytest.mark.parametrize("width", ["375", "1280"])
def test_the_console_has_its_own_footer_as_wide_as_the_console(app, live_server, request, width):
    page = request.getfixturevalue("phone_page" if width == "375" else "page")
    sign_in(page, live_server, make_staff(app, "mia@clinic.example", "marketing"))
    page.goto(f"{live_server}/admin/leads")
    footer = page.locator("footer")
    assert "Signed in as mia@clinic.example (marketing)" in footer.inner_text()
    assert f"leadgen {app.config['APP_VERSION']}" in footer.inner_text()
    assert "Speak with one of our physicians" not in footer.inner_text()
    assert page.evaluate(CONSOLE_FOOTER_OFFSET) == [0, 0]
    screenshot(page, f"console-footer-{width}")


def test_the_measures_see_a_broken_word_a_tall_badge_and_tiny_chart_labels(phone_page):
    """The checks themselves, on a page built to fail them."""
    phone_page.set_content(
        "<main><table><tr><td style='width:30px'>Seats</td><td style='overflow-wrap:anywhere;width:20px'>"
        "Hashimoto's</td></tr></table>"
        "<span class=badge style='display:inline-block;width:20px;line-height:20px'>not open</span>"
        "<svg class=chart-svg viewBox='0 0 720 260' width=200><text font-size=12>1</text></svg></main>"
    )
    assert any("Hashimoto" in line for line in phone_page.evaluate(BROKEN_WORDS))
    assert phone_page.evaluate(TALL_BADGES)
    assert min(phone_page.evaluate(CHART_LABEL_SIZES)) < SMALLEST_CHART_LABEL_PX
