"""`flask leads import FILE.csv`: new leads, known leads, consent evidence, erased addresses,
bad files and broken rows, and a second run that changes nothing."""

from datetime import UTC, datetime

from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Consent, Lead, LeadTag, Tag
from leadgen.privacy.erasure import erase_lead

from .helpers import add_lead, count, row_counts

HEADER = "email,first_name,consent_text,consent_at,consent_ip,tags,source\n"
AGREED = "Yes, send me the clinic's emails."


def write(tmp_path, text: str, name: str = "leads.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(runner, path: str, *options: str):
    return runner.invoke(args=["leads", "import", path, *options])


def lead(app, email: str) -> dict | None:
    """The lead's columns that an import may touch, its tags and its consents."""
    with app.app_context():
        found = db.session.scalars(select(Lead).where(Lead.email == email)).first()
        if found is None:
            return None
        tagged = select(Tag.name).join(LeadTag, LeadTag.tag_id == Tag.id).where(LeadTag.lead_id == found.id)
        tags = db.session.scalars(tagged.order_by(Tag.name))
        consents = [(c.text, c.created_at, c.ip_address, c.text_version) for c in found.consents]
        return {
            "first_name": found.first_name,
            "source": found.source,
            "marketing_consent": found.marketing_consent,
            "unsubscribed_at": found.unsubscribed_at,
            "tags": list(tags),
            "consents": consents,
        }


def snapshot(app) -> dict:
    """Every table's row count and every lead as the import sees it: what a second run must leave alone."""
    with app.app_context():
        emails = list(db.session.scalars(select(Lead.email).order_by(Lead.email)))
        counts = row_counts()
    return {"counts": counts, "leads": {email: lead(app, email) for email in emails}}


def test_new_leads_with_consent_only_where_the_row_has_all_its_evidence(app, runner, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + f'ana@example.com,Ana,"{AGREED}",2026-11-01 10:00:00,203.0.113.7,vip;nov-webinar,webinar\n'
        + f'ben@example.com,Ben,"{AGREED}",2026-11-02T09:00:00-06:00,2001:DB8::1,,\n'
        + "cara@example.com,Cara,,,,VIP,\n"
        + f'dan@example.com,Dan,"{AGREED}",,203.0.113.9,,\n',
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "4 row(s): 4 new, 0 updated, 0 unchanged, 0 refused" in result.output
    assert "line 5: imported without marketing consent: consent_at missing" in result.output
    assert "2 new lead(s) imported without marketing consent" in result.output

    ana = lead(app, "ana@example.com")
    assert ana["marketing_consent"] and ana["source"] == "webinar" and ana["tags"] == ["nov-webinar", "vip"]
    assert ana["consents"] == [(AGREED, datetime(2026, 11, 1, 10, tzinfo=UTC), "203.0.113.7", "imported")]
    ben = lead(app, "ben@example.com")
    assert ben["consents"][0][1:3] == (datetime(2026, 11, 2, 15, tzinfo=UTC), "2001:db8::1")
    assert ben["source"] == "import"
    for email in ("cara@example.com", "dan@example.com"):
        assert lead(app, email)["marketing_consent"] is False and lead(app, email)["consents"] == []
    assert lead(app, "cara@example.com")["tags"] == ["vip"]
    with app.app_context():
        kinds = set(db.session.scalars(select(Activity.kind)))
    assert kinds == {"imported"}


def test_running_the_same_file_twice_changes_nothing_the_second_time(app, runner, tmp_path):
    add_lead(app, "known@example.com", first_name="", consent=False)
    path = write(
        tmp_path,
        HEADER
        + f'ana@example.com,Ana,"{AGREED}",2026-11-01 10:00:00,203.0.113.7,vip,\n'
        + "known@example.com,Kim,,,,vip newsletter,\n"
        + "broken,Nobody,,,,,\n",
    )
    first = run(runner, path)
    assert "3 row(s): 1 new, 1 updated, 0 unchanged, 1 refused" in first.output, first.output
    before = snapshot(app)
    second = run(runner, path)
    assert second.exit_code == 0
    assert "3 row(s): 0 new, 0 updated, 2 unchanged, 1 refused" in second.output, second.output
    assert snapshot(app) == before


def test_a_known_lead_gains_tags_and_an_empty_name_only(app, runner, tmp_path):
    named = add_lead(app, "named@example.com", first_name="Nora", source="comment", consent=True)
    add_lead(app, "gone@example.com", first_name="Gus", consent=True, unsubscribed_at=datetime(2026, 11, 5, tzinfo=UTC))
    add_lead(app, "plain@example.com", first_name="Pia", consent=False)
    before = {email: lead(app, email) for email in ("named@example.com", "gone@example.com", "plain@example.com")}
    path = write(
        tmp_path,
        HEADER
        + "NAMED@example.com,Someone Else,,,,vip,ebook\n"
        + f'gone@example.com,Gus,"{AGREED}",2026-11-06 10:00:00,203.0.113.7,,\n'
        + f'plain@example.com,Pia,"{AGREED}",2026-11-06 10:00:00,203.0.113.7,,\n',
    )
    result = run(runner, path)
    assert "1 updated, 2 unchanged" in result.output, result.output
    assert "2 known lead(s): consent in the file not applied" in result.output
    after = lead(app, "named@example.com")
    assert after == {**before["named@example.com"], "tags": ["vip"]}  # name and source kept
    # Never undo an unsubscribe, never write a consent for a known lead.
    assert lead(app, "gone@example.com") == before["gone@example.com"]
    assert lead(app, "plain@example.com") == before["plain@example.com"]
    assert count(app, Consent, Consent.lead_id == named) == 1


def test_an_erased_address_is_refused(app, runner, tmp_path):
    lead_id = add_lead(app, "erased.person@example.com")
    with app.app_context():
        assert erase_lead(lead_id, erased_by="admin@clinic.example")
    path = write(tmp_path, HEADER + "Erased.Person@Example.com,Eve,,,,,\nnew@example.com,Ned,,,,,\n")
    result = run(runner, path)
    assert "line 2: refused: erased on request" in result.output, result.output
    assert lead(app, "erased.person@example.com") is None and lead(app, "new@example.com") is not None


def test_dry_run_says_what_it_would_do_and_changes_nothing(app, runner, tmp_path):
    path = write(tmp_path, HEADER + "ana@example.com,Ana,,,,vip,\nbad@,X,,,,,\n")
    with app.app_context():
        before = row_counts()
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 0
    assert "2 row(s): 1 new, 0 updated, 0 unchanged, 1 refused" in result.output
    assert "1 new lead(s) would be imported without marketing consent" in result.output
    assert "dry run: nothing was changed" in result.output
    with app.app_context():
        assert row_counts() == before


def test_broken_rows_are_listed_with_line_numbers_and_the_good_rows_import(app, runner, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "good@example.com,Gia,,,,,\n"
        + "not-an-address,X,,,,,\n"
        + f'date@example.com,D,"{AGREED}",yesterday,203.0.113.7,,\n'
        + f'ip@example.com,I,"{AGREED}",2026-11-01 10:00:00,300.1.2.3,,\n'
        + "tag@example.com,T,,,,ok bad_tag,\n"
        + "source@example.com,S,,,,,radio\n"
        + "\n"
        + '"multi@example.com","Line\nbreak",,,,,\n'
        + "cells@example.com,C,,,,,,extra\n"
        + "good@example.com,Again,,,,,\n"
        + f'future@example.com,F,"{AGREED}",2999-01-01 00:00:00,203.0.113.7,,\n',
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    output = result.output
    assert "line 3: refused: email: Enter an email address" in output
    assert "line 4: refused: consent_at: Enter a date and time" in output
    assert "line 5: refused: consent_ip: Enter an IP address" in output
    assert "line 6: refused: tags: Not a tag: bad_tag." in output
    assert "line 7: refused: source: Choose one of" in output
    assert "line 9: refused: first_name: Use letters" in output  # a line break in a name
    assert "line 11: refused: 8 cells but 7 columns" in output
    assert "line 12: refused: the same address as line 2" in output
    assert "line 13: refused: consent_at: The consent time is in the future." in output
    assert "10 row(s): 1 new, 0 updated, 0 unchanged, 9 refused" in output
    assert count(app, Lead) == 1


def test_files_that_cannot_be_read_import_nothing(app, runner, tmp_path):
    latin = write(tmp_path, "email,first_name\nana@example.com,Ana\nbego@example.com,Begoña\n", encoding="latin-1")
    result = run(runner, latin)
    assert result.exit_code == 1
    assert "Line 3 is not UTF-8 text" in result.output and "CSV UTF-8" in result.output
    assert count(app, Lead) == 0  # not even the good line before it

    for text, message in [
        ("first_name,tags\nAna,vip\n", "missing column email"),
        ("email,first_name,phone\nana@example.com,Ana,555\n", "unknown column 'phone'"),
        ("email,first_name,email\na@example.com,A,b@example.com\n", "repeated column 'email'"),
        ("", "The file is empty"),
    ]:
        result = run(runner, write(tmp_path, text, name="bad.csv"))
        assert result.exit_code == 1 and message in result.output, (text, result.output)
        assert "Line 1" in result.output or "empty" in result.output
    assert count(app, Lead) == 0


def test_utf8_with_a_bom_and_excel_line_endings_is_read(app, runner, tmp_path):
    path = write(tmp_path, "\ufeffEmail,First_Name\r\nbego@example.com,Begoña\r\n")
    result = run(runner, path)
    assert result.exit_code == 0 and "1 new" in result.output, result.output
    assert lead(app, "bego@example.com")["first_name"] == "Begoña"


def test_a_file_larger_than_a_chunk_imports_every_row_once(app, runner, tmp_path):
    rows = "".join(f"person{number}@example.com,P{number},,,,bulk,\n" for number in range(2100))
    path = write(tmp_path, HEADER + rows + "person5@example.com,Dup,,,,,\n")
    result = run(runner, path)
    assert "2101 row(s): 2100 new, 0 updated, 0 unchanged, 1 refused" in result.output, result.output
    assert "line 2102: refused: the same address as line 7" in result.output
    assert count(app, Lead) == 2100 and count(app, LeadTag) == 2100
