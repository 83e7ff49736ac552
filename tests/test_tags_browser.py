"""Tags and import in headless Chromium: tag every lead of a filter after the confirmation, tag one
lead on its page, and import a file through the preview."""

import re

import pytest

from leadgen.leads.models import LeadTag

from .drills.browser import sign_in
from .helpers import add_lead, count, make_staff

pytestmark = pytest.mark.browser


def test_bulk_tag_a_filter_then_tag_one_lead(app, live_server, page):
    email = make_staff(app, role="marketing")
    for number in range(3):
        add_lead(app, f"web{number}@example.com", source="webinar")
    add_lead(app, "ebook@example.com", source="ebook")
    sign_in(page, live_server, email, going_to="/admin/leads?source=webinar")
    page.wait_for_url("**/admin/leads?source=webinar")

    page.get_by_label("Tag every lead matching this filter").fill("nov-invite")
    page.get_by_role("button", name="Tag all…").click()
    page.get_by_role("heading", name=re.compile(r"Tag 3 leads\s+nov-invite")).wait_for()
    page.get_by_role("button", name="Tag them").click()
    page.get_by_text("Tagged 3 more leads nov-invite.").wait_for()
    assert count(app, LeadTag) == 3

    page.get_by_label("Tag", exact=True).select_option("nov-invite")
    page.get_by_role("button", name="Show leads").click()
    page.wait_for_url("**tag=nov-invite*")
    assert page.locator("table.leads tbody tr").count() == 3

    page.locator("table.leads tbody tr").first.get_by_role("link").click()
    page.get_by_role("heading", name="Tags").wait_for()
    page.get_by_label("Add a tag").fill("call-back")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Tagged call-back.").wait_for()
    page.get_by_role("button", name="Remove the tag nov-invite").click()
    page.get_by_text("Removed the tag nov-invite.").wait_for()
    assert count(app, LeadTag) == 3


def test_import_through_the_preview(app, live_server, page, tmp_path):
    email = make_staff(app, role="marketing")
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("email,first_name,tags\nana@example.com,Ana,vip\nbroken,X,\n", encoding="utf-8")
    sign_in(page, live_server, email, going_to="/admin/leads/import")
    page.wait_for_url("**/admin/leads/import")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("heading", name="Import list.csv?").wait_for()
    assert page.get_by_role("cell", name="3", exact=True).is_visible()  # the refused row's line
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("heading", name="Imported list.csv").wait_for()
    assert count(app, LeadTag) == 1
