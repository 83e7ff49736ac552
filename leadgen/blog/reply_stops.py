"""'Stop these emails': a commenter ends the mail we send when someone replies to them.

The link in each reply notification carries a signed token naming the comment replied to
and a digest of its address (like marketing's unsubscribe links), so a reused id never
stops someone else's mail. Stopping is kept per address, checked when a reply is queued
and again when the worker is about to send it.
"""

import hashlib

from sqlalchemy import select

from ..database import insert_if_absent
from ..extensions import db
from ..fields import normalise_email
from ..links import public_url
from ..outbox.models import OutboxMessage
from ..outbox.service import cancel_queued
from ..tokens import TokenExpired, TokenInvalid, address_check, row_for_person, sign, unsign
from .models import Comment, ReplyNotificationStop

TOKEN_PURPOSE = "comment-replies-stop"
REPLY_TEMPLATE = "comment_reply"


def address_sha256(email: str) -> str:
    """What the stop list keeps of an address: a SHA-256 of its normalised form."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def replies_stopped(email: str) -> bool:
    """True when this address asked for no more reply notifications."""
    stop = select(ReplyNotificationStop.id).where(ReplyNotificationStop.email_sha256 == address_sha256(email))
    return db.session.scalar(stop) is not None


def stop_token(comment: Comment) -> str:
    """The never-expiring token of a comment author's "stop these emails" link (RFC 8058 links must keep working)."""
    return sign(TOKEN_PURPOSE, {"comment": comment.id, "check": address_check(comment.email)})


def comment_for_stop_token(token: str) -> Comment | None:
    """The comment a genuine stop token names while it still has the address it was made for, or None."""
    try:
        return row_for_person(Comment, unsign(TOKEN_PURPOSE, token), "comment")
    except (TokenExpired, TokenInvalid):
        return None


def stop_replies(comment: Comment) -> bool:
    """Stop every reply notification to this comment's author and commit; False if already stopped.

    Queued notifications to the address are cancelled now; the worker's send-time check
    stops one already claimed.
    """
    stopped = insert_if_absent(ReplyNotificationStop, {"email_sha256": address_sha256(comment.email)}, ["email_sha256"])
    cancel_queued(OutboxMessage.template == REPLY_TEMPLATE, OutboxMessage.recipient == comment.email)
    db.session.commit()
    return stopped is not None


def reply_mail_stopped(message: OutboxMessage) -> bool:
    """The worker asks before sending: is this a reply notification to an address that stopped them?"""
    return message.template == REPLY_TEMPLATE and replies_stopped(message.recipient)


def stop_replies_url(message: OutboxMessage) -> str | None:
    """For a reply notification, its "stop these emails" link (None for any other mail).

    Called by the outbox while rendering; the link names PUBLIC_BASE_URL.
    """
    if message.template != REPLY_TEMPLATE:
        return None
    parent_id = (message.context or {}).get("parent_id")
    replied_to = db.session.get(Comment, parent_id) if isinstance(parent_id, int) else None
    if replied_to is None or not replied_to.email:
        return None
    return public_url("blog.stop_replies", token=stop_token(replied_to))
