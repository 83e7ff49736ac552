"""Anti-spam rules for comments: the form's signed one-use timestamp, links, disallowed words, repeats."""

import hashlib
import re
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from ..database import insert_if_absent, utcnow
from ..extensions import db, limiter
from ..tokens import TokenExpired, TokenInvalid, sign, unsign
from .models import Comment, UsedFormToken

FORM_TOKEN_PURPOSE = "comment-form"
LINK_PATTERN = re.compile(r"https?://|www\.|<a\s", re.IGNORECASE)

# A flood limit per IP for comments (page and API share it), on top of public_post_limit.
comment_post_limit = limiter.shared_limit(
    lambda: current_app.config["COMMENT_POST_LIMIT"], scope="comments", methods=["POST"]
)


class CommentRefused(Exception):
    """A comment that is not stored, with the field and message to show (422 or 404)."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Verdict:
    """The status the rules give a new comment and why."""

    status: str
    note: str = ""


def form_token(post_id: int) -> str:
    """The signed timestamp the comment form carries (hidden field `form_token`)."""
    return sign(FORM_TOKEN_PURPOSE, {"post": post_id, "at": time.time()})


def check_form_token(token: str, post_id: int) -> None:
    """Refuse a form sent faster than a person types, too long after it was shown, or forged."""
    config = current_app.config
    try:
        payload = unsign(FORM_TOKEN_PURPOSE, token or "", max_age=config["COMMENT_FORM_MAX_AGE"].total_seconds())
    except TokenExpired as error:
        raise CommentRefused("body", "This form was open for too long. Please send your comment again.") from error
    except TokenInvalid as error:
        raise CommentRefused("body", "This form could not be checked. Please reload the page and try again.") from error
    if not isinstance(payload, dict) or payload.get("post") != post_id:
        raise CommentRefused("body", "This form belongs to another article. Please reload the page and try again.")
    if time.time() - float(payload.get("at", 0)) < config["COMMENT_MIN_SECONDS"]:
        raise CommentRefused("body", "That was quicker than anyone can type. Please wait a moment and send it again.")


def use_form_token(token: str) -> None:
    """Record in the caller's transaction that this form was sent; refuse it if it already was.

    A form posts one comment: a second submit of the same page (a replay, or a bot
    reusing one token) is refused. Markers of tokens old enough to be refused anyway are
    purged here, so the table stays as small as an hour or a day of comments.
    """
    now = utcnow()
    db.session.execute(delete(UsedFormToken).where(UsedFormToken.expires_at < now))
    marker = {
        "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
        "expires_at": now + current_app.config["COMMENT_FORM_MAX_AGE"],
    }
    if insert_if_absent(UsedFormToken, marker, ["token_sha256"]) is None:
        raise CommentRefused("body", "This form was already sent once. To post this as another comment, send it again.")


def disallowed_word_in(text: str) -> str | None:
    """The first word of COMMENT_DISALLOWED_WORDS found in the text (whole words, any case)."""
    for word in current_app.config["COMMENT_DISALLOWED_WORDS"]:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


def count_links(text: str) -> int:
    """How many links the text holds (http://, https://, www., or an HTML anchor)."""
    return len(LINK_PATTERN.findall(text))


def same_name(name: str) -> str:
    """A name as compared for trust: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def was_approved_before(email: str, name: str) -> bool:
    """True when an approved comment has both this address and this name (WordPress's rule).

    The address alone is not enough: names are public, and an address is easy to guess.
    """
    names = db.session.scalars(
        select(Comment.name).where(Comment.email == email, Comment.status == "approved").distinct()
    )
    return same_name(name) in {same_name(known) for known in names}


def refuse_repeat(post_id: int, email: str, body: str) -> None:
    """The same person posting the same words under the same article twice is refused."""
    repeat = db.session.scalar(
        select(Comment.id).where(Comment.post_id == post_id, Comment.email == email, Comment.body == body).limit(1)
    )
    if repeat is not None:
        raise CommentRefused("body", "You have already posted this comment here. It is not sent twice.")


def verdict_for(email: str, name: str, website: str | None, body: str) -> Verdict:
    """Decide the status of a new comment: spam, pending, or approved for a known commenter.

    The same rules for the form and the API, in this order: a disallowed word is spam;
    more than COMMENT_MAX_LINKS links is COMMENT_TOO_MANY_LINKS; a comment is approved at
    once only when its name and address match an approved comment and it has no link
    at all (a known commenter's links still wait for a person); everything else waits.
    """
    config = current_app.config
    word = disallowed_word_in(" ".join(filter(None, (name, website, body))))
    if word:
        return Verdict("spam", f"disallowed word: {word}")
    links = count_links(body)
    if links > config["COMMENT_MAX_LINKS"]:
        return Verdict(config["COMMENT_TOO_MANY_LINKS"], f"{links} links")
    if not was_approved_before(email, name):
        return Verdict("pending")
    if links:
        return Verdict("pending", f"known commenter, {links} link{'s' if links > 1 else ''}")
    return Verdict("approved", "earlier comment approved")
