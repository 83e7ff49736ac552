"""Turn an outbox row into a flask-mail Message, rendering its templates at send time."""

import base64
import email.policy
import email.utils
import functools
import textwrap
from email.headerregistry import Address

import flask_mail
from flask import current_app
from flask_mail import Message

from ..broadcasts.mail import broadcast_mail_parts
from ..templating import clinic_context, ebook_download_url, ebook_for_mail
from .models import OutboxMessage
from .policy import extra_headers_for, sender_for
from .words import render_words, words_for

# flask-mail's own, used for every address it can take (sanitize_address below stands in for it).
flask_mail_sanitize_address = flask_mail.sanitize_address


def needs_smtputf8(address: str) -> bool:
    """True for an address with non-ASCII letters before the @ (jösé@example.org).

    Such an address is written as UTF-8 (RFC 6532) and can only go to a relay that offers
    SMTPUTF8 (RFC 6531). A non-ASCII domain alone does not need it: it is sent IDNA-encoded.
    """
    return not address.rpartition("@")[0].isascii()


def sanitize_address(address: str | tuple[str, str], encoding: str = "utf-8") -> str:
    """flask-mail's sanitize_address, which also takes an address that needs SMTPUTF8.

    flask-mail hands such an address to email.utils.formataddr, which raises
    UnicodeEncodeError. Here it stays UTF-8 (the domain IDNA-encoded, as flask-mail does),
    and its message is flattened with UTF8_WIRE_POLICY.
    """
    name, addr_spec = email.utils.parseaddr(address) if isinstance(address, str) else address
    if needs_smtputf8(addr_spec):
        local_part, _, domain = addr_spec.rpartition("@")
        return str(Address(display_name=name, username=local_part, domain=domain.encode("idna").decode("ascii")))
    if name.isascii() and name.isprintable() and addr_spec.isascii():
        # A plain ASCII name is written as it is (quoted where needed): flask-mail encodes every
        # name as RFC 2047, with a loop that costs as much as the rest of the message.
        return email.utils.formataddr((name, addr_spec))
    return flask_mail_sanitize_address(address, encoding)


# flask-mail calls its module's sanitize_address for the To header and for the envelope
# (RCPT TO), and its own raises on an address that needs SMTPUTF8: without this, such mail
# could never be sent. Not memoised: it would keep recipients' names in memory after erasure.
flask_mail.sanitize_address = sanitize_address


# compat32 writes each header as flask-mail encoded it, where email.policy.SMTP (flask-mail's)
# parses every header again and refolds a long encoded name mid-word. CRLF on the wire; 998
# (RFC 5322's limit) keeps URLs on one line.
WIRE_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)
# A message sent with SMTPUTF8 carries its UTF-8 address as it is (RFC 6532), where compat32
# would turn the whole address into an RFC 2047 encoded word that no mailbox matches.
UTF8_WIRE_POLICY = email.policy.SMTPUTF8.clone(max_line_length=998)


class OutboxEmail(Message):
    """flask-mail's Message, flattened with WIRE_POLICY (UTF8_WIRE_POLICY when sent with SMTPUTF8)."""

    def as_bytes(self) -> bytes:
        policy = UTF8_WIRE_POLICY if "SMTPUTF8" in self.mail_options else WIRE_POLICY
        return self._message().as_bytes(policy=policy)


# RFC 5322's recommended line length: text parts wrap there, subjects stay within it.
LINE_LIMIT = 78
ELLIPSIS = "\u2026"


def shorten_at_word(text: str, width: int) -> str:
    """`text` if it fits in `width` characters, else cut at a word and ended with an ellipsis."""
    shortened = textwrap.shorten(text, width, placeholder=ELLIPSIS)
    # textwrap gives only the ellipsis when even the first word is too long: cut that word.
    return shortened if shortened != ELLIPSIS else text[: width - 1] + ELLIPSIS


def fit_subject(subject: str, title: str = "") -> str:
    """The subject in LINE_LIMIT characters: a long title in it is shortened first, keeping the rest."""
    subject = " ".join(subject.split())
    title = " ".join(title.split())
    if len(subject) > LINE_LIMIT and title and title in subject:
        subject = subject.replace(title, shorten_at_word(title, LINE_LIMIT - (len(subject) - len(title))), 1)
    return shorten_at_word(subject, LINE_LIMIT)


def wrap_text(text: str) -> str:
    """Wrap the text part's long lines at LINE_LIMIT, keeping each line's indent.

    A line holding a link is left whole: mail clients find links by line, and a label
    ("Unsubscribe with one click: <link>") reads best beside its link.
    """
    lines = []
    for line in text.splitlines():
        if len(line) <= LINE_LIMIT or "://" in line:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        # A list item's next lines line up under its text.
        follow = indent + "  " if line.lstrip().startswith("- ") else indent
        wrapper = textwrap.TextWrapper(
            LINE_LIMIT, initial_indent=indent, subsequent_indent=follow, break_long_words=False, break_on_hyphens=False
        )
        lines.extend(wrapper.wrap(line.strip()) or [line])
    return "\n".join(lines)


def render_pair(template: str, context: dict) -> tuple[str, str, str]:
    """Render email/<template>.txt and .html; the .txt template sets the subject.

    A template that names a title in its subject sets `subject_title` too, so a long title
    is what gets shortened. The text part is wrapped at LINE_LIMIT characters. A mail staff
    reworded on /admin/content is their words inside the same layout (outbox.words).
    """
    env = current_app.jinja_env
    # Templates loaded directly skip Flask's context processors: add the clinic's details.
    context = {**clinic_context(), **context}
    if words := words_for(template, context):
        subject, title, text, html = render_words(template, words, context)
        return fit_subject(subject, title), wrap_text(text.strip()) + "\n", html
    text_module = env.get_template(f"email/{template}.txt").make_module(context)
    html = env.get_template(f"email/{template}.html").render(context)
    subject = fit_subject(str(getattr(text_module, "subject", "")), str(getattr(text_module, "subject_title", "")))
    return subject, wrap_text(str(text_module).strip()) + "\n", html


def render_email(message: OutboxMessage) -> Message:
    """Build the MIME message: text and HTML, stable Message-ID, attachments, list headers."""
    context = {**message.context, "message": message, "unsubscribe_url": None, "confirm_url": None}
    # The text and HTML parts share one signed download link (and sign it once).
    context["ebook_download_url"] = functools.cache(ebook_download_url)
    # And read the offer they are about once (one query, not one per part).
    context["ebook_for_mail"] = functools.cache(ebook_for_mail)
    # A broadcast's words live once, in its row: rendered here for this lead.
    context |= broadcast_mail_parts(message)
    headers = extra_headers_for(message, context)
    subject, text, html = render_pair(message.template, context)
    email = OutboxEmail(
        subject=subject,
        # A (name, address) pair: flask-mail encodes the name once (formataddr first would encode it twice).
        recipients=[(message.recipient_name, message.recipient)],
        body=text,
        html=html,
        sender=sender_for(message),
        extra_headers=headers,
    )
    email.msgId = message.message_id
    if needs_smtputf8(message.recipient):
        # smtplib asks the relay for SMTPUTF8, or raises SMTPNotSupportedError before a word is sent.
        email.mail_options = ["SMTPUTF8"]
    for attachment in message.context.get("attachments", []):
        email.attach(
            filename=attachment["filename"],
            content_type=attachment["content_type"],
            data=base64.b64decode(attachment["data_base64"]),
        )
    return email
