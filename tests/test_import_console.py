"""Importing a list on the console: upload, a preview that changes nothing, then Import applies
exactly the previewed file; bad files get a clear message."""

import io
import re
import shutil
from pathlib import Path

import pytest

from leadgen.leads.models import Lead, LeadTag

from .helpers import add_lead, count, csrf_token_from, row_counts

HEADER = "email,first_name,consent_text,consent_at,consent_ip,tags,source\n"
FILE = (
    HEADER
    + 'ana@example.com,Ana,"Yes, mail me.",2026-11-01 10:00:00,203.0.113.7,vip,\n'
    + "known@example.com,,,,,vip,\n"
    + "not-an-address,X,,,,,\n"
    + "ben@example.com,Ben,,,,,\n"
)


def upload(client, content: bytes, name: str = "list.csv"):
    token = csrf_token_from(client.get("/admin/leads/import").get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(content), name)}
    return client.post("/admin/leads/import", data=data, content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def stored_uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.glob("*.csv")) if folder.exists() else []


@pytest.fixture(autouse=True)
def no_uploads_yet(app):
    """The instance folder lives as long as the test session: start each test without uploads."""
    shutil.rmtree(Path(app.instance_path) / "imports", ignore_errors=True)


def test_preview_changes_nothing_then_import_applies_the_previewed_file(app, client, auth):
    add_lead(app, "known@example.com", first_name="Kim")
    auth.sign_in(role="marketing")
    assert "Import leads" in client.get("/admin/leads").get_data(as_text=True)
    with app.app_context():
        before = row_counts()
    preview = upload(client, FILE.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "Import list.csv?" in html and "Nothing has changed yet" in html
    assert re.search(r"<strong>2</strong> new leads, 1 of them will be without marketing consent", html)
    assert "<strong>1</strong> known lead to update" in html
    assert '<td>4</td><td data-label="Why">email: Enter an email address' in html
    with app.app_context():
        assert row_counts() == before

    digest = hidden(html, "digest")
    assert [path.stem for path in stored_uploads(app)] == [digest]
    form = {"csrf_token": hidden(html, "csrf_token"), "digest": digest, "name": hidden(html, "name")}
    done = client.post("/admin/leads/import/apply", data=form)
    result = done.get_data(as_text=True)
    assert done.status_code == 200 and "Imported list.csv" in result
    assert "<strong>2</strong> new leads" in result and "<strong>1</strong> row refused" in result
    assert count(app, Lead) == 3 and count(app, LeadTag) == 2
    assert stored_uploads(app) == []  # imported: the copy is gone

    # The same button again: the upload is gone, nothing happens twice.
    again = client.post("/admin/leads/import/apply", data=form)
    assert again.status_code == 410 and "Upload the file again" in again.get_data(as_text=True)
    # The same file again: its preview says it would change nothing.
    html = upload(client, FILE.encode()).get_data(as_text=True)
    assert "<strong>0</strong> new leads" in html and "<strong>3</strong> known leads unchanged" in html


def test_a_file_larger_than_the_forms_limit_is_accepted(app, client, auth):
    auth.sign_in(role="marketing")
    rows = "".join(f"someone{number}@example.com,Someone Withalongname,,,,,\n" for number in range(2000))
    assert len(rows) > app.config["MAX_CONTENT_LENGTH"]
    html = upload(client, (HEADER + rows).encode()).get_data(as_text=True)
    assert "<strong>2,000</strong> new leads" in html


def test_bad_files_get_a_clear_message_and_nothing_is_kept(app, client, auth):
    auth.sign_in(role="admin")
    latin = upload(client, "email,first_name\nbego@example.com,Begoña\n".encode("latin-1"))
    assert latin.status_code == 422
    assert "Line 2 is not UTF-8 text" in latin.get_data(as_text=True)
    header = upload(client, b"mail,first_name\na@example.com,A\n")
    assert header.status_code == 422
    text = header.get_data(as_text=True)
    assert "unknown column &#39;mail&#39;" in text and "missing column email" in text
    token = csrf_token_from(client.get("/admin/leads/import").get_data(as_text=True))
    empty = client.post("/admin/leads/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose a CSV file" in empty.get_data(as_text=True)
    forged = client.post("/admin/leads/import/apply", data={"csrf_token": token, "digest": "../../etc/passwd"})
    assert forged.status_code == 410
    assert stored_uploads(app) == [] and count(app, Lead) == 0


def test_an_upload_without_the_csrf_token_is_refused(app, client, auth):
    auth.sign_in(role="admin")
    data = {"file": (io.BytesIO(FILE.encode()), "list.csv")}
    response = client.post("/admin/leads/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and stored_uploads(app) == []


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/admin/leads/import").status_code == 302
    response = client.post("/admin/leads/import", data={"file": (io.BytesIO(FILE.encode()), "list.csv")})
    assert response.status_code in (302, 400) and stored_uploads(app) == []
