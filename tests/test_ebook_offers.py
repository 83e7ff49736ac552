"""More than one ebook: staff offer one on /admin/ebooks, visitors ask for it on its page or
through the API, the mail's link downloads that offer's PDF; /ebook stays the default."""

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import delete, func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from leadgen.ebook.models import Ebook, EbookRequestCount
from leadgen.ebook.service import download_token
from leadgen.extensions import db
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import StaffAuth, count, csrf_token_from, links_in, path_of, submit_form, text_part

THYROID = {
    "title": "Your Thyroid, Explained",
    "slug": "thyroid-guide",
    "description": "What Hashimoto's is.\n\nAnd what helps.",
}


def pdf_bytes(text: str) -> bytes:
    """A real, small PDF saying `text`."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


@pytest.fixture
def shelf(make_app, app, tmp_path):
    """An app whose uploads go to a folder of this test's own, with a small size limit."""
    return make_app(EBOOKS_DIR=str(tmp_path / "ebooks"), EBOOK_MAX_BYTES=50_000)


@pytest.fixture
def staff(shelf):
    """A test client of `shelf` signed in as marketing staff."""
    client = shelf.test_client()
    StaffAuth(shelf, client).sign_in(role="marketing")
    return client


def multipart(fields: dict, pdf: bytes | None) -> dict:
    """A multipart body made in memory: the test client spools a large one to a temporary file it
    never closes (a ResourceWarning, an error here)."""
    values = {
        **fields,
        **(
            {"pdf": FileStorage(io.BytesIO(pdf), "upload.pdf", content_type="application/pdf")}
            if pdf is not None
            else {}
        ),
    }
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, fields: dict, pdf: bytes | None, url: str = "/admin/ebooks/new"):
    """Send the console's form with its CSRF token and (if given) the file."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, **multipart({**fields, "csrf_token": token}, pdf))


def stored_files(app) -> list[str]:
    folder = Path(app.config["EBOOKS_DIR"])
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def the_link(mail) -> str:
    [link] = [url for url in links_in(mail) if "/ebook/download/" in url]
    return path_of(link)


def downloaded(client, path: str) -> bytes:
    """The bytes a download link answers (the response closed, so its file is too)."""
    with client.get(path) as response:
        assert response.status_code == 200, response.status_code
        return response.data


def test_staff_offer_an_ebook_and_a_visitor_gets_its_pdf_from_the_mail(shelf, staff, smtp, deliver):
    thyroid = pdf_bytes("Thyroid guide")
    response = upload(staff, THYROID, thyroid)
    assert response.status_code == 303
    listing = staff.get("/admin/ebooks").get_data(as_text=True)
    assert "Your Thyroid, Explained" in listing and "/ebook/thyroid-guide" in listing
    assert len(stored_files(shelf)) == 1

    visitor = shelf.test_client()
    page = visitor.get("/ebook/thyroid-guide?utm_source=newsletter").get_data(as_text=True)
    assert "Your Thyroid, Explained" in page and "<p>And what helps.</p>" in page
    response = submit_form(
        visitor,
        "/ebook/thyroid-guide?utm_source=newsletter",
        {"first_name": "Ana", "email": "ana@example.com", "consent": "y"},
        action="/ebook/thyroid-guide",
    )
    assert response.status_code == 303 and response.location.endswith("/ebook/thyroid-guide/thanks")
    thanks = visitor.get(response.location).get_data(as_text=True)
    assert "Your Thyroid, Explained" in thanks and "ana@example.com" in thanks

    deliver()
    [mail] = smtp.messages
    assert mail["Subject"] == "Your free ebook: Your Thyroid, Explained"
    with visitor.get(the_link(mail)) as download:
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert download.data == thyroid
        assert "thyroid-guide.pdf" in download.headers["Content-Disposition"]

    with shelf.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.utm_source == "newsletter"
        kinds = {(activity.kind, activity.detail.get("ebook")) for activity in lead.activities}
        assert kinds == {("ebook_requested", THYROID["title"]), ("ebook_downloaded", THYROID["title"])}
        lead_id = lead.id
    timeline = staff.get(f"/admin/leads/{lead_id}").get_data(as_text=True)
    assert "ebook: Your Thyroid, Explained" in timeline
    dashboard = staff.get("/admin/").get_data(as_text=True)
    assert "Requests per ebook" in dashboard
    row = dashboard[dashboard.index('<th scope="row">Your Thyroid, Explained</th>') :]
    assert row.startswith('<th scope="row">Your Thyroid, Explained</th><td>1</td><td>1</td>')


def test_the_api_takes_an_offer_by_slug_and_refuses_an_unknown_one(shelf, staff, smtp, deliver):
    thyroid = pdf_bytes("Thyroid guide")
    upload(staff, THYROID, thyroid)
    api = shelf.test_client()
    body = {"email": "ana@example.com", "first_name": "Ana", "consent": True}

    unknown = api.post("/api/v1/ebook-requests", json={**body, "ebook": "no-such-book"})
    assert unknown.status_code == 422
    assert "No ebook is offered under this name" in unknown.get_json()["errors"]["ebook"][0]
    assert count(shelf, Lead) == 0 and count(shelf, OutboxMessage) == 0

    answer = api.post("/api/v1/ebook-requests", json={**body, "ebook": "thyroid-guide"})
    assert (answer.status_code, answer.get_json()) == (202, {"status": "accepted"})
    # The same person asks for the default ebook too: a second delivery, of the other book,
    # and the same answer as for a stranger.
    again = api.post("/api/v1/ebook-requests", json=body)
    stranger = api.post("/api/v1/ebook-requests", json={**body, "email": "new@example.com", "ebook": "thyroid-guide"})
    assert again.get_json() == stranger.get_json() == answer.get_json()
    deliver()
    mails = {(mail["To"].addresses[0].addr_spec, mail["Subject"]): mail for mail in smtp.messages}
    assert set(mails) == {
        ("ana@example.com", "Your free ebook: Your Thyroid, Explained"),
        ("ana@example.com", "Your free ebook: The 5 Foundations of Autoimmune Diseases"),
        ("new@example.com", "Your free ebook: Your Thyroid, Explained"),
    }
    default_pdf = Path(shelf.config["EBOOK_PATH"]).read_bytes()
    for (_address, subject), mail in mails.items():
        expected = thyroid if "Thyroid" in subject else default_pdf
        assert downloaded(api, the_link(mail)) == expected
    with shelf.app_context():
        counts = dict(
            db.session.execute(
                select(Ebook.slug, func.sum(EbookRequestCount.count)).join(Ebook).group_by(Ebook.slug)
            ).all()
        )
    assert counts == {"thyroid-guide": 2, "5-foundations": 1}


def test_the_default_ebook_works_on_a_fresh_install_without_rows_and_old_links_keep_working(app, client, smtp, deliver):
    with app.app_context():
        db.session.execute(delete(Ebook))
        db.session.commit()
    assert "The 5 Foundations of Autoimmune Diseases" in client.get("/ebook").get_data(as_text=True)
    assert (
        client.post("/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana"}).status_code == 202
    )
    deliver()
    [mail] = smtp.messages
    assert "5 Foundations" in mail["Subject"]
    default_pdf = Path(app.config["EBOOK_PATH"]).read_bytes()
    assert downloaded(client, the_link(mail)) == default_pdf
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        # A link mailed before there were offers names no ebook: it is the default's.
        old_link = f"/ebook/download/{download_token(lead.id, lead.email)}"
        assert db.session.scalars(select(Ebook.slug).where(Ebook.is_default)).one() == "5-foundations"
    assert downloaded(client, old_link) == default_pdf


BAD_UPLOADS = [
    ({**THYROID, "title": " "}, pdf_bytes("x"), "title", "Enter a title."),
    ({**THYROID, "slug": "Thyroid Guide"}, pdf_bytes("x"), "slug", "lower-case letters"),
    ({**THYROID, "slug": "thanks"}, pdf_bytes("x"), "slug", "a page of its own"),
    ({**THYROID, "slug": "5-foundations"}, pdf_bytes("x"), "slug", "Another ebook has this address"),
    (THYROID, None, "pdf", "Choose the PDF to upload."),
    (THYROID, b"PK\x03\x04 a zip file, not a PDF" * 10, "pdf", "This file is not a PDF."),
    (THYROID, pdf_bytes("x")[:-200], "pdf", "looks cut short or damaged"),
    (THYROID, b"%PDF-1.4\n" + b"0" * 60_000 + b"\nstartxref\n9\n%%EOF\n", "pdf", "the largest allowed is"),
]


@pytest.mark.parametrize(("fields", "pdf", "field", "message"), BAD_UPLOADS)
def test_bad_uploads_get_a_message_beside_the_field_and_store_nothing(shelf, staff, fields, pdf, field, message):
    response = upload(staff, fields, pdf)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert count(shelf, Ebook, Ebook.slug != "5-foundations") == 0
    assert stored_files(shelf) == []


def test_a_taken_slug_and_a_file_far_over_the_limit_are_refused(shelf, staff):
    assert upload(staff, THYROID, pdf_bytes("first")).status_code == 303
    files = stored_files(shelf)
    duplicate = upload(staff, {**THYROID, "title": "Another"}, pdf_bytes("second"))
    assert duplicate.status_code == 422 and "Another ebook has this address" in duplicate.get_data(as_text=True)
    huge = upload(staff, {**THYROID, "slug": "huge"}, b"%PDF-1.4\n" + b"0" * 200_000)
    assert huge.status_code == 422 and "The file is too large" in huge.get_data(as_text=True)
    assert count(shelf, Ebook, Ebook.slug != "5-foundations") == 1 and stored_files(shelf) == files


def test_a_retired_offer_has_a_helpful_404_while_mailed_links_still_work(shelf, staff, smtp, deliver):
    thyroid = pdf_bytes("Thyroid guide")
    upload(staff, THYROID, thyroid)
    api = shelf.test_client()
    api.post("/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana", "ebook": "thyroid-guide"})
    deliver()
    [mail] = smtp.messages
    with shelf.app_context():
        ebook_id = db.session.scalars(select(Ebook.id).where(Ebook.slug == "thyroid-guide")).one()
    token = csrf_token_from(staff.get("/admin/ebooks").get_data(as_text=True))
    assert staff.post(f"/admin/ebooks/{ebook_id}/retire", data={"csrf_token": token}).status_code == 303

    gone = api.get("/ebook/thyroid-guide")
    assert gone.status_code == 404
    page = gone.get_data(as_text=True)
    assert "no longer offered" in page and 'href="/ebook"' in page and "Your Thyroid" not in page
    assert api.get("/ebook/never-was").status_code == 404
    refused = api.post(
        "/api/v1/ebook-requests", json={"email": "bo@example.com", "first_name": "Bo", "ebook": "thyroid-guide"}
    )
    assert refused.status_code == 422
    assert downloaded(api, the_link(mail)) == thyroid

    assert staff.post(f"/admin/ebooks/{ebook_id}/restore", data={"csrf_token": token}).status_code == 303
    assert api.get("/ebook/thyroid-guide").status_code == 200


def test_editing_replaces_the_pdf_and_renames_the_default(shelf, staff, smtp, deliver):
    upload(staff, THYROID, pdf_bytes("first"))
    [first_file] = stored_files(shelf)
    with shelf.app_context():
        ebook_id = db.session.scalars(select(Ebook.id).where(Ebook.slug == "thyroid-guide")).one()
    second = pdf_bytes("second edition")
    response = upload(staff, {**THYROID, "slug": "thyroid"}, second, url=f"/admin/ebooks/{ebook_id}/edit")
    assert response.status_code == 303
    assert first_file not in stored_files(shelf) and len(stored_files(shelf)) == 1
    api = shelf.test_client()
    assert api.get("/ebook/thyroid-guide").status_code == 404
    api.post("/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana", "ebook": "thyroid"})
    deliver()
    assert downloaded(api, the_link(smtp.messages[-1])) == second

    response = upload(
        staff,
        {"title": "The Five Foundations", "slug": "5-foundations", "description": "New words."},
        None,
        url="/admin/ebooks/default/edit",
    )
    assert response.status_code == 303
    assert "The Five Foundations" in api.get("/ebook").get_data(as_text=True)
    refused = upload(
        staff,
        {"title": "X", "slug": "5-foundations", "description": ""},
        pdf_bytes("x"),
        url="/admin/ebooks/default/edit",
    )
    assert refused.status_code == 422 and "EBOOK_PATH" in refused.get_data(as_text=True)


def test_the_console_page_needs_a_signed_in_staff_member(shelf):
    client = shelf.test_client()
    response = client.get("/admin/ebooks")
    assert response.status_code in (302, 303) and "/admin/login" in response.location
    response = client.post("/admin/ebooks/new", data={"title": "x"})
    assert response.status_code in (302, 303, 400)
    assert count(shelf, Ebook, Ebook.slug != "5-foundations") == 0


def test_follow_ups_speak_of_the_ebook_the_lead_asked_for(shelf, staff, smtp, deliver):
    upload(staff, THYROID, pdf_bytes("Thyroid guide"))
    api = shelf.test_client()
    body = {"email": "ana@example.com", "first_name": "Ana", "consent": True, "ebook": "thyroid-guide"}
    assert api.post("/api/v1/ebook-requests", json=body).status_code == 202
    with shelf.app_context():
        # Both steps due now, and the first outside office hours no more.
        for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.template.like("followup_%"))):
            message.due_at = message.created_at
        db.session.commit()
    deliver()
    subjects = {mail["Subject"]: mail for mail in smtp.messages}
    # A subject is kept short: the title is what gets shortened.
    [first] = [mail for subject, mail in subjects.items() if subject.startswith("Questions after reading Your Thyroid")]
    text = first.get_body(preferencelist=("plain",)).get_content()
    assert "you asked for our ebook, Your Thyroid, Explained" in " ".join(text.split())
    assert "when you asked for our free ebook, Your Thyroid, Explained" in " ".join(text.split())
    assert "5 Foundations" not in text
    second = subjects["Join one of our online webinars on autoimmune health"]
    assert "If you liked Your Thyroid, Explained" in " ".join(
        second.get_body(preferencelist=("plain",)).get_content().split()
    )


@pytest.mark.parametrize("slug", ["%00", "thyroid-guide%0A", "x" * 500, "THYROID-GUIDE", "%C2%B2"])
def test_odd_addresses_are_the_not_offered_page(shelf, staff, slug):
    upload(staff, THYROID, pdf_bytes("Thyroid guide"))
    client = shelf.test_client()
    assert client.get(f"/ebook/{slug}").status_code == 404
    assert client.get(f"/admin/ebooks/{slug}/edit").status_code in (302, 404)
    assert staff.get(f"/admin/ebooks/{slug}/edit").status_code == 404


def test_a_pdf_larger_than_other_forms_may_be_is_taken_from_staff_only(make_app, app, tmp_path):
    shelf = make_app(EBOOKS_DIR=str(tmp_path / "ebooks"))  # EBOOK_MAX_BYTES: the default 20 MB
    small = pdf_bytes("A long book")
    # A megabyte of comment after the header: 16 times what MAX_CONTENT_LENGTH lets other forms send.
    book = small[:9] + b"%" + b"x" * 1_100_000 + b"\n" + small[9:]
    assert len(book) > 16 * shelf.config["MAX_CONTENT_LENGTH"]
    visitor = shelf.test_client()
    refused = visitor.post("/admin/ebooks/new", **multipart(THYROID, book))
    assert refused.status_code in (302, 303) and "/admin/login" in refused.location
    staff = shelf.test_client()
    StaffAuth(shelf, staff).sign_in(role="marketing")
    assert upload(staff, THYROID, book).status_code == 303
    [stored] = stored_files(shelf)
    assert (Path(shelf.config["EBOOKS_DIR"]) / stored).read_bytes() == book


def test_reworded_delivery_mail_names_each_offer_and_links_its_own_pdf(shelf, staff, smtp, deliver):
    thyroid = pdf_bytes("Thyroid guide")
    upload(staff, THYROID, thyroid)
    words = {"subject": "Here is {ebook_title}", "body": "Hi {first_name}, enjoy *{ebook_title}*.", "action": "save"}
    assert submit_form(staff, "/admin/content/mail/ebook_delivery", words).status_code == 303
    api = shelf.test_client()
    body = {"email": "ana@example.com", "first_name": "Ana"}
    api.post("/api/v1/ebook-requests", json={**body, "ebook": "thyroid-guide"})
    api.post("/api/v1/ebook-requests", json=body)
    deliver()
    mails = {mail["Subject"]: mail for mail in smtp.messages}
    assert set(mails) == {"Here is Your Thyroid, Explained", "Here is The 5 Foundations of Autoimmune Diseases"}
    assert "enjoy *Your Thyroid, Explained*" in " ".join(text_part(mails["Here is Your Thyroid, Explained"]).split())
    assert downloaded(api, the_link(mails["Here is Your Thyroid, Explained"])) == thyroid
    default_pdf = Path(shelf.config["EBOOK_PATH"]).read_bytes()
    assert downloaded(api, the_link(mails["Here is The 5 Foundations of Autoimmune Diseases"])) == default_pdf
