"""Mail about comments: to staff (each, or a digest) and to commenters who opted in."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from ..staff.models import StaffUser
from .models import Comment
from .reply_stops import REPLY_TEMPLATE, replies_stopped


def staff_recipients() -> list[str]:
    """COMMENT_NOTIFY_TO, or when it is empty every active staff account."""
    if configured := current_app.config["COMMENT_NOTIFY_TO"]:
        return configured
    return list(db.session.scalars(select(StaffUser.email).where(StaffUser.active.is_(True)).order_by(StaffUser.id)))


def comment_context(comment: Comment) -> dict:
    """What a comment mail needs: ids and the article, never the person's words or name.

    The worker loads the comment when it renders the mail (the `blog_comment` template
    global), so an erased commenter's name and words never wait in the outbox.
    """
    return {"comment_id": comment.id, "post_title": comment.post.title, "post_slug": comment.post.slug}


def comment_for_mail(comment_id: int) -> Comment | None:
    """Templates: the comment a mail is about, as it is now (None if it was deleted)."""
    return db.session.get(Comment, comment_id)


def tell_staff_about(comment: Comment) -> None:
    """Tell staff about a new pending comment: its own mail (each) or a line in the hour's digest."""
    mode = current_app.config["COMMENT_NOTIFY"]
    if mode not in ("each", "digest"):
        return
    for recipient in staff_recipients():
        if mode == "each" or not add_to_digest(comment, recipient):
            enqueue(
                template="comment_pending",
                recipient=recipient,
                context=comment_context(comment),
                dedupe_key=f"comment-pending:{comment.id}:{recipient}",
            )
    comment.staff_notified_at = utcnow()


def add_to_digest(comment: Comment, recipient: str) -> bool:
    """Add the comment to the recipient's digest, one mail due at the top of the next hour.

    The dedupe key names recipient and hour, so the first comment of the hour queues the
    mail and later ones join it (under a row lock, so two requests cannot lose a line).
    False if that hour's digest is already on its way.
    """
    due = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    key = f"comment-digest:{recipient}:{due:%Y%m%d%H}"
    line = comment_context(comment)
    enqueue(template="comment_digest", recipient=recipient, context={"comments": [line]}, dedupe_key=key, due_at=due)
    # Read the row back rather than trust enqueue's answer: the first comment of the hour
    # just created it, a later one finds it queued and joins the list.
    digest = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key).with_for_update()).one()
    if digest.status != "queued":
        return False
    listed = digest.context.get("comments", [])
    if all(item.get("comment_id") != comment.id for item in listed):
        digest.context = {**digest.context, "comments": [*listed, line]}
    return True


def tell_author_approved(comment: Comment) -> bool:
    """Tell a commenter who opted in that staff published their comment."""
    if not (comment.notify and comment.email):
        return False
    return enqueue(
        template="comment_approved",
        recipient=comment.email,
        recipient_name=comment.name,
        context=comment_context(comment),
        dedupe_key=f"comment-approved:{comment.id}",
    )


def tell_parent_author(reply: Comment) -> bool:
    """Tell the author of the comment replied to, if they opted in and did not stop these mails.

    Nobody hears of their own reply.
    """
    parent = reply.parent
    if parent is None or not (parent.notify and parent.email) or parent.email == reply.email:
        return False
    if replies_stopped(parent.email):
        return False
    return enqueue(
        template=REPLY_TEMPLATE,
        recipient=parent.email,
        recipient_name=parent.name,
        context={**comment_context(reply), "parent_id": parent.id},
        dedupe_key=f"comment-reply:{reply.id}",
    )
