"""The ebook journey: landing page, request, delivery mail, download link."""

from sqlalchemy import func, select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Consent, Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import count, links_in, submit_form, text_part


def test_visitor_gets_the_ebook_from_the_link_in_the_mail(app, client, smtp, deliver):
    response = submit_form(
        client,
        "/ebook?utm_source=newsletter&utm_campaign=spring",
        {"first_name": "Ana", "email": "Ana.Lopez@Example.com ", "consent": "y"},
        action="/ebook",
    )
    assert response.status_code == 303
    assert response.location.endswith("/ebook/thanks")
    thanks = client.get(response.location).get_data(as_text=True)
    assert "What happens next" in thanks and "tel:" in thanks

    assert smtp.messages == []  # nothing is sent inside the request
    deliver()
    [mail] = smtp.messages
    assert mail["To"].addresses[0].addr_spec == "ana.lopez@example.com"
    assert "5 Foundations" in mail["Subject"]
    [link] = [url for url in links_in(mail) if "/ebook/download/" in url]
    assert link.startswith("http://leadgen.test/ebook/download/")

    with client.get(link.removeprefix("http://leadgen.test")) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/pdf"
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.data.startswith(b"%PDF")

    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.source, lead.utm_source, lead.utm_campaign) == ("ebook", "newsletter", "spring")
        assert lead.confirmed_at is None  # downloading confirms nothing: mail scanners fetch links too
        consent = db.session.scalars(select(Consent)).one()
        assert consent.granted and consent.text_version and consent.ip_address == "127.0.0.1"
        assert "unsubscribe" in consent.text


def test_mistyped_email_shows_the_message_beside_the_field_and_keeps_input(app, client):
    response = submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example"}, action="/ebook")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "Enter an email address like name@example.com" in page
    assert 'aria-invalid="true"' in page
    assert 'value="ana@example"' in page and 'value="Ana"' in page
    assert count(app, Lead) == 0 and count(app, OutboxMessage) == 0


def test_empty_form_names_each_missing_field(app, client):
    response = submit_form(client, "/ebook", {"first_name": " ", "email": ""}, action="/ebook")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter your first name." in page and "Enter your email address." in page


def test_form_without_csrf_token_is_refused_and_stores_nothing(app, client):
    response = client.post("/ebook", data={"first_name": "Ana", "email": "ana@example.com"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert count(app, Lead) == 0


def test_honeypot_submission_looks_accepted_but_stores_nothing(app, client):
    response = submit_form(
        client, "/ebook", {"first_name": "Bot", "email": "bot@example.com", "company": "Spam Inc"}, action="/ebook"
    )
    assert response.status_code == 303
    assert count(app, Lead) == 0 and count(app, OutboxMessage) == 0


def test_same_person_twice_is_one_lead_with_two_activities_and_one_mail(app, client, smtp, deliver):
    submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com"}, action="/ebook")
    submit_form(client, "/ebook", {"first_name": "Ana", "email": " ANA@example.com"}, action="/ebook")
    assert count(app, Lead) == 1
    assert count(app, Activity) == 2
    deliver()
    assert len(smtp.messages) == 1  # at most one delivery an hour


def test_unticked_consent_records_no_consent_and_queues_no_marketing(app, client):
    submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com"}, action="/ebook")
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.marketing_consent is False
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
        categories = set(db.session.scalars(select(OutboxMessage.category)))
        assert categories == {"transactional"}


def test_ticked_consent_queues_the_follow_up_sequence(app, client):
    submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com", "consent": "y"}, action="/ebook")
    with app.app_context():
        templates = sorted(db.session.scalars(select(OutboxMessage.template)))
    assert templates == ["ebook_delivery", "followup_ebook_1", "followup_ebook_2"]


def test_delivery_mail_has_text_and_html_and_the_clinic_footer(app, client, smtp, deliver):
    submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com"}, action="/ebook")
    deliver()
    [mail] = smtp.messages
    body = text_part(mail)
    assert app.config["CLINIC_ADDRESS"] in body and app.config["OFFICE_PHONE"] in body
    assert mail.get_body(preferencelist=("html",)) is not None
    with app.app_context():
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert mail["Message-ID"] == stored.message_id
        assert stored.status == "sent" and stored.sent_at is not None


def test_capture_and_enqueue_report_new_rows_truthfully(app):
    from leadgen.leads.service import Visit, capture_lead
    from leadgen.outbox.service import enqueue

    with app.app_context():
        first = capture_lead(email="ana@example.com", first_name="Ana", source="ebook", activity="a", visit=Visit())
        again = capture_lead(email="ANA@example.com", first_name="Ana", source="ebook", activity="b", visit=Visit())
        assert (first.created, again.created) == (True, False)
        queued = enqueue(template="ebook_delivery", recipient="ana@example.com", dedupe_key="k")
        repeated = enqueue(template="ebook_delivery", recipient="ana@example.com", dedupe_key="k")
        assert (queued, repeated) == (True, False)
        db.session.rollback()
