"""Turn an outbox row into a flask-mail Message, rendering its templates at send time."""

import base64
import email.policy

from flask import current_app
from flask_mail import Message

from ..templating import clinic_context
from .models import OutboxMessage
from .policy import extra_headers_for, sender_for

# flask-mail flattens with email.policy.SMTP, which parses again every header it has just
# encoded: most of a send's time, and it refolds a long encoded name mid-word. compat32
# with CRLF writes the headers as encoded; 998 (RFC 5322's limit) keeps URLs on one line.
WIRE_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)


class OutboxEmail(Message):
    """flask-mail's Message, flattened with WIRE_POLICY."""

    def as_bytes(self) -> bytes:
        return self._message().as_bytes(policy=WIRE_POLICY)


def render_pair(template: str, context: dict) -> tuple[str, str, str]:
    """Render email/<template>.txt and .html; the .txt template sets the subject."""
    env = current_app.jinja_env
    # Templates loaded directly skip Flask's context processors: add the clinic's details.
    context = {**clinic_context(), **context}
    text_module = env.get_template(f"email/{template}.txt").make_module(context)
    html = env.get_template(f"email/{template}.html").render(context)
    return str(getattr(text_module, "subject", "")).strip(), str(text_module).strip() + "\n", html


def render_email(message: OutboxMessage) -> Message:
    """Build the MIME message: text and HTML, stable Message-ID, attachments, list headers."""
    config = current_app.config
    context = {**message.context, "message": message}
    # Links in mail are absolute and point at the public site, whichever host renders them.
    with current_app.test_request_context(base_url=config["PUBLIC_BASE_URL"]):
        context["unsubscribe_url"] = context["confirm_url"] = None
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
    for attachment in message.context.get("attachments", []):
        email.attach(
            filename=attachment["filename"],
            content_type=attachment["content_type"],
            data=base64.b64decode(attachment["data_base64"]),
        )
    return email
