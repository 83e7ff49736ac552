"""Comments: submit, moderate, list for readers and staff, erase."""

from flask import current_app
from sqlalchemy import func, select, update

from ..content.service import consent_for
from ..database import utcnow
from ..extensions import db
from ..fields import normalise_email
from ..followups.service import start_sequence
from ..leads.service import Visit, capture_lead
from . import notify
from .models import COMMENT_STATUSES, Comment, Post
from .spam import CommentRefused, refuse_repeat, use_form_token, verdict_for


def find_post(slug: str) -> Post | None:
    """The published article with this slug, or None."""
    return db.session.scalars(select(Post).where(Post.slug == slug, Post.published_at <= utcnow())).first()


def find_comment(comment_id: int) -> Comment | None:
    """The comment with this id, or None."""
    return db.session.get(Comment, comment_id)


def pending_comment_count() -> int:
    """How many comments wait for moderation (the dashboard shows it)."""
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.status == "pending")) or 0


def anonymise_comments(email: str) -> int:
    """Blank the personal fields of every comment by this address; the caller commits.

    The words stay under the article (others may have replied to them); the name
    becomes "Anonymous" and the email and website are removed. Returns how many.
    """
    result = db.session.execute(
        update(Comment)
        .where(Comment.email == normalise_email(email))
        .values(name="Anonymous", email=None, website=None, notify=False, lead_id=None)
    )
    return result.rowcount


def parent_for(post: Post, parent_id: int | None) -> Comment | None:
    """The published comment of this article being replied to; deeper than the limit, its parent."""
    if not parent_id:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != "approved":
        raise CommentRefused("parent_id", "The comment you are replying to is not on this article.")
    # Past the depth limit a reply joins the thread beside the comment it answers
    # (with COMMENT_MAX_DEPTH=1 there are no threads: every reply is a top-level comment).
    while parent is not None and parent.depth >= current_app.config["COMMENT_MAX_DEPTH"] - 1:
        parent = parent.parent
    return parent


def submit_comment(post: Post, data: dict, visit: Visit, form_token: str | None = None) -> Comment:
    """Store a reader's comment with the status the rules give it, in one transaction.

    `data` is a loaded CommentCreateSchema; the page and the API both come here, so the
    word, link, repeat and trust rules are the same for both. `form_token` (the page's,
    already checked by spam.check_form_token) is marked used in the same transaction.
    Raises CommentRefused (nothing stored) for a reply to a comment of another article,
    a repeat of the same comment or a form sent twice. A commenter who ticked the
    consent box becomes a lead (source "comment").
    """
    try:
        if form_token is not None:
            use_form_token(form_token)
        parent = parent_for(post, data.get("parent_id"))
        refuse_repeat(post.id, data["email"], data["body"])
    except CommentRefused:
        db.session.rollback()  # a form marked used by a refused comment can be sent again
        raise
    verdict = verdict_for(data["email"], data["name"], data.get("website"), data["body"])
    comment = Comment(
        post=post,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        name=data["name"],
        email=data["email"],
        website=data.get("website"),
        body=data["body"],
        status=verdict.status,
        moderation_note=verdict.note,
        notify=data.get("notify", False),
        marketing_consent=data.get("consent", False),
    )
    db.session.add(comment)
    db.session.flush()
    if comment.marketing_consent and comment.status != "spam":
        capture = capture_lead(
            email=comment.email,
            first_name=comment.name,
            source="comment",
            activity="commented",
            visit=visit,
            consent=consent_for("comment"),
            consent_granted=True,
            detail={"post": post.slug, "comment_id": comment.id},
        )
        comment.lead_id = capture.lead.id
        start_sequence(capture.lead, "comment", starts_at=utcnow())
    if comment.status == "pending":
        notify.tell_staff_about(comment)
    if comment.status == "approved":
        notify.tell_parent_author(comment)
    db.session.commit()
    return comment


def change_status(comment: Comment, status: str) -> None:
    """Moderate one comment in the caller's transaction; approving mails those who opted in."""
    if status not in COMMENT_STATUSES:
        raise ValueError(f"unknown comment status {status!r}")
    if comment.status == status:
        return
    was_pending = comment.status == "pending"
    comment.status = status
    comment.moderated_at = utcnow()
    if status == "approved":
        if was_pending:
            notify.tell_author_approved(comment)
        notify.tell_parent_author(comment)


def moderate(comment: Comment, status: str) -> Comment:
    """Set one comment's status (API and per-comment buttons) and commit."""
    change_status(comment, status)
    db.session.commit()
    return comment


def moderate_many(comment_ids: list[int], status: str) -> int:
    """Set the status of several comments at once (bulk actions); returns how many changed."""
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(comment_ids))).all()
    changed = sum(1 for comment in comments if comment.status != status)
    for comment in comments:
        change_status(comment, status)
    db.session.commit()
    return changed


def status_counts() -> dict[str, int]:
    """How many comments are in each moderation tab."""
    rows = db.session.execute(select(Comment.status, func.count()).group_by(Comment.status))
    return {status: 0 for status in COMMENT_STATUSES} | {status: count for status, count in rows}


def moderation_query(status: str):
    """A moderation tab: pending oldest first (a queue), the others newest first."""
    order = Comment.created_at.asc() if status == "pending" else Comment.created_at.desc()
    return select(Comment).where(Comment.status == status).order_by(order, Comment.id)


def comments_with_status(status: str, limit: int = 200) -> list[Comment]:
    """The first `limit` comments of a moderation tab (the API's queue)."""
    return list(db.session.scalars(moderation_query(status).limit(limit)))


def moderation_page(status: str, page: int, per_page: int = 50):
    """One page of a moderation tab (flask-sqlalchemy Pagination) for the console."""
    return db.paginate(moderation_query(status), page=page, per_page=per_page, error_out=False)


def comment_thread(post: Post, own_pending_ids: list[int]) -> list[tuple[Comment, list]]:
    """The article's approved comments (plus the reader's own pending ones) as a tree.

    Each node is (comment, children); siblings oldest first, as conversations read.
    """
    visible = (Comment.status == "approved") | (Comment.id.in_(own_pending_ids) & (Comment.status == "pending"))
    rows = db.session.scalars(
        select(Comment).where(Comment.post_id == post.id, visible).order_by(Comment.created_at, Comment.id)
    ).all()
    children: dict[int | None, list[Comment]] = {}
    shown = {comment.id for comment in rows}
    for comment in rows:
        # A reply whose parent is hidden (spam, trash) starts its own thread.
        parent = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(parent, []).append(comment)

    def build(parent_id):
        return [(comment, build(comment.id)) for comment in children.get(parent_id, [])]

    return build(None)
