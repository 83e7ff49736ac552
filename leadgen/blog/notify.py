"""Mail about comments: to staff (each, or a digest) and to commenters who opted in."""

from flask import current_app
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..outbox.service import enqueue
from .models import Comment


def staff_recipients() -> list[str]:
    """The addresses of COMMENT_NOTIFY_TO."""
    return current_app.config["COMMENT_NOTIFY_TO"]


def comment_context(comment: Comment) -> dict:
    """What the comment mails show: JSON only, rendered later by the worker."""
    return {
        "comment_id": comment.id,
        "name": comment.name,
        "body": comment.body,
        "post_title": comment.post.title,
        "post_slug": comment.post.slug,
    }


def tell_staff_about(comment: Comment) -> int:
    """With COMMENT_NOTIFY=each, queue one mail per recipient about a new pending comment."""
    if current_app.config["COMMENT_NOTIFY"] != "each":
        return 0
    queued = 0
    for recipient in staff_recipients():
        queued += enqueue(
            template="comment_pending",
            recipient=recipient,
            context=comment_context(comment),
            dedupe_key=f"comment-pending:{comment.id}:{recipient}",
        )
    comment.staff_notified_at = utcnow()
    return queued


def queue_digest() -> int:
    """With COMMENT_NOTIFY=digest, queue one mail listing the pending comments not yet reported.

    Run hourly (`flask --app wsgi blog digest` from cron). The dedupe key names the newest
    comment reported, so running it twice queues nothing new. Commits; returns comments reported.
    """
    if current_app.config["COMMENT_NOTIFY"] != "digest":
        return 0
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.status == "pending", Comment.staff_notified_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    if not comments:
        return 0
    context = {"comments": [comment_context(comment) for comment in comments]}
    for recipient in staff_recipients():
        enqueue(
            template="comment_digest",
            recipient=recipient,
            context=context,
            dedupe_key=f"comment-digest:{comments[-1].id}:{recipient}",
        )
    for comment in comments:
        comment.staff_notified_at = utcnow()
    db.session.commit()
    return len(comments)


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
    """Tell the author of the comment replied to, if they opted in and it is not their own reply."""
    parent = reply.parent
    if parent is None or not (parent.notify and parent.email) or parent.email == reply.email:
        return False
    return enqueue(
        template="comment_reply",
        recipient=parent.email,
        recipient_name=parent.name,
        context={**comment_context(reply), "parent_name": parent.name, "parent_body": parent.body},
        dedupe_key=f"comment-reply:{reply.id}",
    )
