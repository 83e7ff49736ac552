"""Tags on leads: the lead page, the bulk action of the filtered list, the staff API, and the
tag filter every list shares (console list, CSV export, CLI export, API)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Lead, LeadTag, Tag
from leadgen.privacy.erasure import erase_lead

from .helpers import add_lead, count, csrf_token_from, staff_token, submit_form


def tags_of(app, lead_id: int) -> list[str]:
    with app.app_context():
        query = select(Tag.name).join(LeadTag, LeadTag.tag_id == Tag.id).where(LeadTag.lead_id == lead_id)
        return sorted(db.session.scalars(query))


def emails_on(page: str) -> list[str]:
    return re.findall(r'<span class="small">([^<]+@[^<]+)</span>', page)


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_api_puts_and_takes_off_a_tag_with_204(app, client, role):
    lead_id = add_lead(app, "ana@example.com")
    headers = staff_token(app, role=role)
    assert client.put(f"/api/v1/leads/{lead_id}/tags/vip", headers=headers).status_code == 204
    # Again, and in capitals: the same tag, still one.
    assert client.put(f"/api/v1/leads/{lead_id}/tags/VIP", headers=headers).status_code == 204
    assert client.put(f"/api/v1/leads/{lead_id}/tags/webinar-2026-11", headers=headers).status_code == 204
    assert tags_of(app, lead_id) == ["vip", "webinar-2026-11"]
    [lead] = client.get("/api/v1/leads", headers=headers).json["leads"]
    assert lead["tags"] == ["vip", "webinar-2026-11"]

    assert client.delete(f"/api/v1/leads/{lead_id}/tags/vip", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/leads/{lead_id}/tags/vip", headers=headers).status_code == 204
    assert tags_of(app, lead_id) == ["webinar-2026-11"]


@pytest.mark.parametrize("bad", ["no%20spaces", "semi;colon", "-leading", "trailing-", "a--b", "é", "x" * 41])
def test_api_refuses_a_bad_tag_with_422_and_changes_nothing(app, client, bad):
    lead_id = add_lead(app, "ana@example.com")
    response = client.put(f"/api/v1/leads/{lead_id}/tags/{bad}", headers=staff_token(app))
    assert response.status_code == 422
    assert "lower-case letters" in response.json["errors"]["tag"][0]
    assert count(app, Tag) == 0 and count(app, LeadTag) == 0


def test_api_answers_404_for_an_unknown_lead_and_401_without_a_token(app, client):
    headers = staff_token(app, role="marketing")
    assert client.put("/api/v1/leads/999/tags/vip", headers=headers).status_code == 404
    assert client.delete("/api/v1/leads/999/tags/vip", headers=headers).status_code == 404
    lead_id = add_lead(app, "ana@example.com")
    assert client.put(f"/api/v1/leads/{lead_id}/tags/vip").status_code == 401
    assert count(app, LeadTag) == 0


def test_api_list_filters_by_tag(app, client):
    ana = add_lead(app, "ana@example.com")
    add_lead(app, "ben@example.com")
    headers = staff_token(app)
    client.put(f"/api/v1/leads/{ana}/tags/vip", headers=headers)
    assert [lead["email"] for lead in client.get("/api/v1/leads?tag=vip", headers=headers).json["leads"]] == [
        "ana@example.com"
    ]
    assert client.get("/api/v1/leads?tag=nobody-has-it", headers=headers).json["leads"] == []
    response = client.get("/api/v1/leads?tag=Not a tag", headers=headers)
    assert response.status_code == 422 and "tag" in response.json["errors"]


def test_lead_page_adds_and_removes_tags(app, client, auth):
    lead_id = add_lead(app, "ana@example.com")
    auth.sign_in(role="marketing")
    page_url = f"/admin/leads/{lead_id}"
    response = submit_form(client, page_url, {"tag": " Call-Back "}, action=f"{page_url}/tags")
    assert response.status_code == 303
    page = client.get(page_url).get_data(as_text=True)
    assert "Tagged call-back." in page and 'href="/admin/leads?tag=call-back"' in page
    assert tags_of(app, lead_id) == ["call-back"]

    bad = submit_form(client, page_url, {"tag": "not ok!"}, action=f"{page_url}/tags")
    assert bad.status_code == 303
    assert "lower-case letters" in client.get(page_url).get_data(as_text=True)
    assert tags_of(app, lead_id) == ["call-back"]

    removed = submit_form(client, page_url, {"tag": "call-back"}, action=f"{page_url}/tags/remove")
    assert removed.status_code == 303
    assert "Removed the tag call-back." in client.get(page_url).get_data(as_text=True)
    assert tags_of(app, lead_id) == []
    assert submit_form(client, page_url, {"tag": "vip"}, action="/admin/leads/999/tags").status_code == 404


def test_list_shows_tags_and_filters_by_them(app, client, auth):
    ana = add_lead(app, "ana@example.com")
    add_lead(app, "ben@example.com")
    client.put(f"/api/v1/leads/{ana}/tags/vip", headers=staff_token(app, role="marketing"))
    auth.sign_in()
    page = client.get("/admin/leads?tag=vip").get_data(as_text=True)
    assert emails_on(page) == ["ana@example.com"] and '<span class="badge tag">vip</span>' in page
    assert '<option value="vip" selected>vip</option>' in page
    bad = client.get("/admin/leads?tag=%3Cb%3E")
    assert bad.status_code == 422 and "lower-case letters" in bad.get_data(as_text=True)


def test_bulk_tag_every_lead_of_a_filter_after_a_confirmation_with_the_count(app, client, auth):
    for number in range(3):
        add_lead(app, f"web{number}@example.com", source="webinar")
    add_lead(app, "ebook@example.com", source="ebook")
    auth.sign_in(role="marketing")
    confirm = client.get("/admin/leads/tags?source=webinar&bulk_tag=Nov-Invite&action=add")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Tag 3 leads" in html and "nov-invite" in html
    assert count(app, LeadTag) == 0  # the confirmation changes nothing
    form = {"csrf_token": csrf_token_from(html), "source": "webinar", "bulk_tag": "nov-invite", "action": "add"}
    response = client.post("/admin/leads/tags", data=form)
    assert response.status_code == 303 and response.location == "/admin/leads?source=webinar"
    assert "Tagged 3 more leads nov-invite." in client.get(response.location).get_data(as_text=True)
    shown = emails_on(client.get("/admin/leads?tag=nov-invite").get_data(as_text=True))
    assert sorted(shown) == ["web0@example.com", "web1@example.com", "web2@example.com"]

    # Every lead now: one more gets it, and the confirmation says three already have it.
    html = client.get("/admin/leads/tags?bulk_tag=nov-invite&action=add").get_data(as_text=True)
    assert "Tag 4 leads" in html and "3 of them already have it" in html
    client.post("/admin/leads/tags", data={**form, "source": ""})
    assert count(app, LeadTag) == 4

    html = client.get("/admin/leads/tags?q=web1&bulk_tag=nov-invite&action=remove").get_data(as_text=True)
    assert "from 1 lead?" in html
    client.post("/admin/leads/tags", data={**form, "source": "", "q": "web1", "action": "remove"})
    assert sorted(emails_on(client.get("/admin/leads?tag=nov-invite").get_data(as_text=True))) == [
        "ebook@example.com",
        "web0@example.com",
        "web2@example.com",
    ]


def test_a_tag_list_pages_in_the_leads_order_however_they_were_tagged(app, client, auth):
    # Created out of id order: the list follows created_at, which every tag row carries for its index.
    day = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)
    late = add_lead(app, "late@example.com", source="webinar", created_at=day + timedelta(hours=2))
    early = add_lead(app, "early@example.com", created_at=day)
    add_lead(app, "middle@example.com", source="webinar", created_at=day + timedelta(hours=1))
    headers = staff_token(app)
    client.put(f"/api/v1/leads/{early}/tags/vip", headers=headers)  # one lead
    client.put(f"/api/v1/leads/{late}/tags/vip", headers=headers)  # and again by the bulk action: no change
    auth.sign_in(role="marketing")
    html = client.get("/admin/leads/tags?source=webinar&bulk_tag=vip&action=add").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(html), "source": "webinar", "bulk_tag": "vip", "action": "add"}
    assert client.post("/admin/leads/tags", data=form).status_code == 303
    with app.app_context():
        carried = db.session.execute(
            select(LeadTag.lead_created_at, Lead.created_at).join(Lead, Lead.id == LeadTag.lead_id)
        ).all()
    assert len(carried) == 3 and all(copied == created for copied, created in carried)

    emails, cursor = [], None
    for _ in range(4):  # oldest first, one lead a page
        page = client.get("/api/v1/leads", query_string={"tag": "vip", "limit": 1, "cursor": cursor}, headers=headers)
        emails += [lead["email"] for lead in page.json["leads"]]
        if not (cursor := page.json["next_cursor"]):
            break
    assert emails == ["early@example.com", "middle@example.com", "late@example.com"]
    newest_first = emails_on(client.get("/admin/leads?tag=vip").get_data(as_text=True))
    assert newest_first == ["late@example.com", "middle@example.com", "early@example.com"]
    # A tag filter and a bulk tag in one count: two tag ids in one statement.
    html = client.get("/admin/leads/tags?tag=vip&source=webinar&bulk_tag=vip&action=add").get_data(as_text=True)
    assert "Tag 2 leads" in html and "2 of them already have it" in html


def test_bulk_with_a_bad_tag_or_filter_is_a_422_that_changes_nothing(app, client, auth):
    add_lead(app, "ana@example.com")
    auth.sign_in(role="marketing")
    response = client.get("/admin/leads/tags?source=tv&bulk_tag=a%20b&action=add")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "lower-case letters" in html and "Choose one of" in html
    token = csrf_token_from(client.get("/admin/leads").get_data(as_text=True))
    posted = client.post("/admin/leads/tags", data={"csrf_token": token, "bulk_tag": "ok", "action": "erase"})
    assert posted.status_code == 422 and count(app, LeadTag) == 0 and count(app, Tag) == 0


def test_csv_and_cli_exports_filter_by_tag(app, client, auth, runner, tmp_path):
    ana = add_lead(app, "ana@example.com")
    add_lead(app, "ben@example.com")
    client.put(f"/api/v1/leads/{ana}/tags/vip", headers=staff_token(app, role="marketing"))
    auth.sign_in()
    body = client.get("/admin/leads/export.csv?tag=vip").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [row["email"] for row in rows] == ["ana@example.com"]

    out = tmp_path / "vip.csv"
    result = runner.invoke(args=["leads", "export", "--out", str(out), "--tag", "vip"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["email"] for row in rows] == ["ana@example.com"]
    refused = runner.invoke(args=["leads", "export", "--out", str(out), "--tag", "Not OK"])
    assert refused.exit_code != 0 and "--tag" in refused.output


def test_subject_access_export_lists_the_tags(app, client):
    lead_id = add_lead(app, "ana@example.com")
    headers = staff_token(app)
    client.put(f"/api/v1/leads/{lead_id}/tags/vip", headers=headers)
    assert client.get(f"/api/v1/leads/{lead_id}/export", headers=headers).json["tags"] == ["vip"]


def test_erasure_removes_the_leads_tags(app, client):
    ana = add_lead(app, "ana@example.com")
    ben = add_lead(app, "ben@example.com")
    headers = staff_token(app)
    for lead_id in (ana, ben):
        client.put(f"/api/v1/leads/{lead_id}/tags/vip", headers=headers)
    with app.app_context():
        assert erase_lead(ana, erased_by="admin@clinic.example")
    assert count(app, LeadTag, LeadTag.lead_id == ana) == 0
    assert tags_of(app, ben) == ["vip"]
