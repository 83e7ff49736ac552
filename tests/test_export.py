"""The CSV export of leads: what a spreadsheet user opens, who may take it, and the export log."""

import csv
import io
import re
import shutil
import subprocess
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, literal, select

from leadgen.database import utcnow
from leadgen.extensions import db
from leadgen.leads.consent import MARKETING_EMAIL
from leadgen.leads.export import safe_text
from leadgen.leads.models import Activity, Consent, ExportLog, Lead
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.service import enqueue

from .helpers import insert_lead

EXPORT_URL = "/admin/leads/export.csv"
# Values a spreadsheet would evaluate, and what the export must turn them into.
HOSTILE = {
    "first_name": "=cmd|' /C calc'!A0",
    "utm_source": "+1",
    "utm_medium": "-2",
    "utm_campaign": "@SUM(A1:A9)",
}


def seed_leads():
    """A lead with accents, consent, activity and sent mail; one with hostile cells; one from a webinar."""
    start = datetime(2026, 11, 2, 15, tzinfo=UTC)
    accented = insert_lead("begona.nunez@example.com", first_name="Begoña Núñez José", created_at=start)
    db.session.add_all(
        [
            Consent(
                lead_id=accented.id,
                purpose=MARKETING_EMAIL.purpose,
                granted=True,
                text=MARKETING_EMAIL.text,
                text_version=MARKETING_EMAIL.version,
                created_at=start,
            ),
            Activity(lead_id=accented.id, kind="ebook_requested", detail={}),
            Activity(lead_id=accented.id, kind="ebook_downloaded", detail={}),
        ]
    )
    accented.marketing_consent = True
    enqueue(template="ebook_delivery", recipient=accented.email, dedupe_key="t:1", lead_id=accented.id)
    enqueue(template="ebook_delivery", recipient=accented.email, dedupe_key="t:2", lead_id=accented.id)
    db.session.commit()
    first = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    first.status, first.sent_at = "sent", utcnow()
    db.session.commit()
    insert_lead("tab@example.com", created_at=start + timedelta(days=1), **HOSTILE)
    insert_lead("cr@example.com", first_name="\rCR", source="webinar", created_at=start + timedelta(days=2))
    insert_lead("tabbed@example.com", first_name="\tTabbed", source="comment", created_at=start + timedelta(days=3))


def download(client, query=""):
    with client.get(f"{EXPORT_URL}{query}") as response:
        return response, response.get_data()


def parse(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would show mojibake"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_keeps_accents_counts_consent_and_neutralises_formulas(app, client, auth):
    with app.app_context():
        seed_leads()
        auth.sign_in()
    response, body = download(client)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = parse(body)
    assert [row["email"] for row in rows] == [
        "begona.nunez@example.com",
        "tab@example.com",
        "cr@example.com",
        "tabbed@example.com",
    ]
    accented, hostile, cr, tabbed = rows
    assert accented["first_name"] == "Begoña Núñez José"
    assert accented["marketing_consent"] == "yes"
    assert accented["consent_text_version"] == MARKETING_EMAIL.version
    assert accented["consent_at_utc"] == "2026-11-02 15:00:00"
    assert accented["created_at_utc"] == "2026-11-02 15:00:00"
    assert (accented["activities"], accented["emails_sent"]) == ("2", "1")
    assert hostile["marketing_consent"] == "no" and hostile["consent_at_utc"] == ""
    for column, value in HOSTILE.items():
        assert hostile[column] == "'" + value
    assert cr["first_name"] == "'\rCR"
    assert tabbed["first_name"] == "'\tTabbed"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_filters_are_honoured_and_the_export_is_logged(app, client, auth):
    with app.app_context():
        seed_leads()
        auth.sign_in()
    _response, body = download(client, "?source=ebook&since=2026-11-03&status=&consent=")
    assert [row["email"] for row in parse(body)] == ["tab@example.com"]
    _response, body = download(client, "?q=Bego%C3%B1a%20N%C3%BA%C3%B1ez")
    assert [row["email"] for row in parse(body)] == ["begona.nunez@example.com"]
    with app.app_context():
        logs = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
        assert [(log.actor, log.format, log.rows, log.completed) for log in logs] == [
            ("admin@clinic.example", "csv", 1, True),
            ("admin@clinic.example", "csv", 1, True),
        ]
        assert logs[0].filters == {"source": "ebook", "since": "2026-11-03"}
    page = client.get("/admin/exports").get_data(as_text=True)
    assert "admin@clinic.example" in page and "source: ebook" in page and "since: 2026-11-03" in page


def test_bad_filters_get_a_422_page_and_export_nothing(app, client, auth):
    with app.app_context():
        auth.sign_in()
    response, body = download(client, "?since=last+week&source=tv")
    assert response.status_code == 422
    assert b"Enter a date like" in body and b"Nothing was exported" in body
    with app.app_context():
        assert db.session.scalar(select(ExportLog.id)) is None


def test_who_may_export_and_see_the_log(app, client, auth):
    with client.get(EXPORT_URL) as response:
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/exports").status_code == 302
    with app.app_context():
        auth.sign_in(role="marketing")
    response, body = download(client)
    assert response.status_code == 200 and parse(body) == []
    assert client.get("/admin/exports").status_code == 403


def test_admins_see_an_empty_state_before_any_export(app, client, auth):
    with app.app_context():
        auth.sign_in()
    page = client.get("/admin/exports")
    assert page.status_code == 200
    assert "No exports yet" in page.get_data(as_text=True)


def test_the_export_streams_in_batches_and_logs_an_interrupted_download(app, client, auth):
    with app.app_context():
        db.session.execute(
            Lead.__table__.insert(),
            [
                {"email": f"lead{n}@example.com", "first_name": "Zoë", "source": "ebook", "status": "new"}
                | {"marketing_consent": False, "created_at": utcnow(), "updated_at": utcnow()}
                for n in range(4500)
            ],
        )
        db.session.commit()
        auth.sign_in()
    response = client.get(EXPORT_URL, buffered=False)
    assert response.is_streamed
    chunks = iter(response.response)
    first = next(chunks)
    assert 1000 < first.count(b"\n") < 4500, "the first chunk should be one batch, not the whole export"
    # A writer is not blocked while the export reads (SQLite: the stream does not hold the write lock).
    with app.app_context():
        started = time.monotonic()
        insert_lead("arrived-meanwhile@example.com")
        assert time.monotonic() - started < 2
    response.close()  # the user cancels the download
    with app.app_context():
        log = db.session.scalars(select(ExportLog)).one()
        assert log.completed is False and 0 < log.rows < 4500 and log.finished_at is not None
    _response, body = download(client)
    assert len(parse(body)) == 4501


def test_cli_export_writes_the_same_rows_with_progress(app, client, runner, tmp_path, auth):
    with app.app_context():
        seed_leads()
        auth.sign_in()
    _response, body = download(client, "?source=ebook")
    out = tmp_path / "leads.csv"
    result = runner.invoke(args=["leads", "export", "--out", str(out), "--source", "ebook"])
    assert result.exit_code == 0, result.output
    assert "Exporting leads" in result.output and "wrote 2 lead(s)" in result.output
    assert parse(out.read_bytes()) == parse(body)
    with app.app_context():
        log = db.session.scalars(select(ExportLog).where(ExportLog.actor == "cli")).one()
        assert (log.rows, log.completed, log.filters) == (2, True, {"source": "ebook"})
    result = runner.invoke(args=["leads", "export", "--out", str(out), "--since", "soon"])
    assert result.exit_code == 2 and "--since: Enter a date like" in result.output


OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Comma, double quote, UTF-8, from line 1, ..., and token 13: evaluate formulas (the risky setting).
CSV_IMPORT = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"


def to_xlsx(csv_path, tmp_path, csv_import=CSV_IMPORT) -> tuple[str, str]:
    """Convert with LibreOffice headless; return (sheet XML, shared strings XML)."""
    subprocess.run(
        [OFFICE, f"-env:UserInstallation=file://{tmp_path}/office-profile", "--headless"]
        + [f"--infilter={csv_import}", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(csv_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with zipfile.ZipFile(csv_path.with_suffix(".xlsx")) as book:
        return book.read("xl/worksheets/sheet1.xml").decode(), book.read("xl/sharedStrings.xml").decode()


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "libreoffice", install="apt-get install libreoffice-calc-nogui")
def test_libreoffice_opens_the_export_with_accents_and_no_live_formula(app, client, tmp_path, auth):
    with app.app_context():
        seed_leads()
        auth.sign_in()
    _response, body = download(client)
    exported = tmp_path / "leads.csv"
    exported.write_bytes(body)
    sheet, strings = to_xlsx(exported, tmp_path)
    assert "<f" not in sheet, "a cell became a formula"
    assert "Begoña Núñez José" in strings
    assert "&apos;=cmd|&apos; /C calc&apos;!A0" in strings and "&apos;@SUM(A1:A9)" in strings
    # The same converter does evaluate an unprotected cell, so the check above means something.
    control = tmp_path / "control.csv"
    control.write_bytes(body.replace(b"'=cmd", b"=1+1 ", 1))
    assert re.search(r"<f[ >]", to_xlsx(control, tmp_path)[0])


# Cells a spreadsheet that splits on ";", "," or a tab would cut into pieces, one a formula.
SPLIT_HOSTILE = {
    "first_name": "Ann;=1+1;",
    "utm_source": "tab\t=2+2\t",
    "utm_medium": "Cy;+3;",
    "utm_campaign": "Di;@SUM(1;2);x,-4",
}
ALL_SPLITTERS = "CSV:44/59/9,34,76,1,,1033,false,false,false,false,false,-1,true"


@pytest.mark.slow
def test_no_piece_a_splitting_spreadsheet_cuts_off_starts_a_formula(app, client, tmp_path, auth):
    with app.app_context():
        insert_lead("pieces@example.com", **SPLIT_HOSTILE)
        auth.sign_in()
    _response, body = download(client)
    [row] = parse(body)
    assert row["first_name"] == "Ann;'=1+1;"
    assert row["utm_source"] == "tab\t'=2+2\t"
    assert row["utm_medium"] == "Cy;'+3;"
    assert row["utm_campaign"] == "Di;'@SUM(1;2);x,'-4"
    for cell in row.values():
        pieces = re.split("[,;\t]", cell)
        assert not any(piece.startswith(("=", "+", "-", "@", "\t", "\r")) for piece in pieces), cell
    if OFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: spreadsheet check skipped")
    exported = tmp_path / "pieces.csv"
    exported.write_bytes(body)
    assert "<f" not in to_xlsx(exported, tmp_path, ALL_SPLITTERS)[0], "a piece of a cell became a formula"
    # The same import does evaluate the pieces without the apostrophes.
    control = tmp_path / "control.csv"
    control.write_bytes(body.replace(b";'=", b";="))
    assert re.search(r"<f[ >]", to_xlsx(control, tmp_path, ALL_SPLITTERS)[0])


def test_safe_text_makes_every_piece_of_a_cell_text(app):
    def cell(text: str) -> str:
        with app.app_context():
            return db.session.scalar(select(safe_text(literal(text, String))))

    assert cell("Ann;=1+1,+2\t\t-3") == "Ann;'=1+1,'+2\t'\t'-3"
    assert [cell(v) for v in ("=cmd", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Begoña")] == [
        "'=cmd",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Begoña",
    ]
