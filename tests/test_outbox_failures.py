"""A message that cannot be built or sent fails alone, with its reason shown to staff; the rest go."""

from collections import Counter

import pytest
from markupsafe import escape
from sqlalchemy import update

from leadgen.extensions import db
from leadgen.outbox.models import OutboxMessage
from leadgen.outbox.worker import NO_SMTPUTF8

from .helpers import StaffAuth, work_once
from .mailserver import SMTPServer
from .test_outbox import outbox, received_ids, request_ebook


@pytest.fixture
def relay_without_smtputf8(smtp):
    """A second real SMTP server, one that does not offer SMTPUTF8 (many relays do not)."""
    server = SMTPServer(smtputf8=False)
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
def test_an_address_the_relay_cannot_take_fails_alone_and_the_other_49_go_in_one_drain(
    make_app, relay_without_smtputf8
):
    app = make_app(MAIL_PORT=relay_without_smtputf8.port)
    client = app.test_client()
    addresses = [f"lead{number}@example.com" for number in range(49)]
    addresses.insert(20, "jösé@example.org")  # queued in the middle of one batch of 50
    for address in addresses:
        request_ebook(client, address)

    assert work_once(app) == 50

    messages = outbox(app)
    [bad] = [message for message in messages if message.recipient == "jösé@example.org"]
    assert (bad.status, bad.attempts, bad.last_error) == ("failed", 1, NO_SMTPUTF8)
    others = [message for message in messages if message is not bad]
    assert {message.status for message in others} == {"sent"}
    assert received_ids(relay_without_smtputf8) == Counter({message.message_id: 1 for message in others})

    StaffAuth(app, client).sign_in()
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "jösé@example.org" in dashboard and str(escape(NO_SMTPUTF8)) in dashboard


def test_an_address_with_non_ascii_letters_before_the_at_goes_with_smtputf8(app, client, smtp):
    request_ebook(client, "jösé@example.org")
    request_ebook(client, "ana@example.com")
    work_once(app)
    assert {message.status for message in outbox(app)} == {"sent"}
    jose = next(envelope for envelope in smtp.handler.envelopes if envelope.rcpt_tos == ["jösé@example.org"])
    assert jose.smtp_utf8  # MAIL FROM asked for SMTPUTF8
    mail = next(mail for mail in smtp.messages if "jösé@example.org" in str(mail["To"]))
    [to] = mail["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Ana", "jösé@example.org")
    assert "5 Foundations" in mail["Subject"]


def test_a_message_that_cannot_be_encoded_is_retried_alone_and_the_next_one_goes(app, client, smtp):
    request_ebook(client, "first@example.com")
    request_ebook(client, "second@example.com")
    # An address stored before today's checks, whose domain has a label too long for IDNA.
    unencodable = "first@" + "ä" * 64 + ".example"
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.recipient == "first@example.com").values(recipient=unencodable)
        )
        db.session.commit()

    work_once(app)

    bad, good = outbox(app)
    assert (bad.status, bad.attempts) == ("queued", 1)  # the normal back-off: it may be fixed before then
    assert "could not send" in bad.last_error and "label" in bad.last_error
    assert good.status == "sent"
    assert [mail["To"].addresses[0].addr_spec for mail in smtp.messages] == ["second@example.com"]
