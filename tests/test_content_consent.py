"""Consent sentences: admins reword them as new versions; each consent keeps the words it recorded."""

from sqlalchemy import select

from leadgen.content.models import ConsentVersion
from leadgen.extensions import db
from leadgen.leads.consent import MARKETING_EMAIL
from leadgen.leads.models import Consent, Lead

from .helpers import count, request_ebook, row_counts, submit_form
from .test_webinars import make_webinar, register

PAGE = "/admin/content/consent/ebook"
NEW_WORDS = "Yes, email me articles and invitations. I can unsubscribe at any time."


def consent_of(app, email: str) -> Consent:
    with app.app_context():
        lead = db.session.scalars(select(Lead).where(Lead.email == email)).one()
        consent = db.session.scalars(select(Consent).where(Consent.lead_id == lead.id)).one()
        db.session.expunge(consent)
        return consent


def test_a_new_sentence_is_a_new_version_and_an_old_consent_keeps_its_words(app, client, auth):
    request_ebook(client, email="early@example.com")
    auth.sign_in(role="admin")
    response = submit_form(client, PAGE, {"text": NEW_WORDS})
    assert response.status_code == 303
    assert NEW_WORDS in client.get("/ebook").get_data(as_text=True)
    request_ebook(client, email="late@example.com")

    early, late = consent_of(app, "early@example.com"), consent_of(app, "late@example.com")
    assert (early.text, early.text_version) == (MARKETING_EMAIL.text, MARKETING_EMAIL.version)
    assert (late.text, late.text_version) == (NEW_WORDS, "ebook-v2")
    # The other forms keep theirs.
    slug = make_webinar(app)
    assert MARKETING_EMAIL.text in client.get(f"/webinars/{slug}").get_data(as_text=True)
    register(client, slug, email="webinar@example.com", consent="y")
    assert consent_of(app, "webinar@example.com").text == MARKETING_EMAIL.text


def test_restoring_the_default_is_another_version_and_the_history_stays(app, client, auth):
    auth.sign_in(role="admin")
    submit_form(client, PAGE, {"text": NEW_WORDS})
    response = submit_form(client, PAGE, {}, action=f"{PAGE}/restore")
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "ebook-v3" in page and NEW_WORDS in page
    assert MARKETING_EMAIL.text in client.get("/ebook").get_data(as_text=True)
    assert count(app, ConsentVersion) == 2


def test_marketing_reads_the_sentence_but_may_not_change_it(app, client, auth):
    auth.sign_in(role="marketing")
    page = client.get(PAGE).get_data(as_text=True)
    assert MARKETING_EMAIL.text in page and "Only an admin can change" in page
    token = client.get("/admin/content").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    for path in (PAGE, f"{PAGE}/restore"):
        assert client.post(path, data={"csrf_token": token, "text": NEW_WORDS}).status_code == 403
    assert count(app, ConsentVersion) == 0


def test_an_empty_or_control_character_sentence_is_refused_and_nothing_saved(app, client, auth):
    auth.sign_in(role="admin")
    with app.app_context():
        before = row_counts()
    for text in ("", "   ", "Yes\x00please"):
        response = submit_form(client, PAGE, {"text": text})
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    with app.app_context():
        assert row_counts() == before
