"""Anti-spam rules for comments: the form's signed timestamp, links, disallowed words, repeats."""

import re
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..extensions import db, limiter
from ..tokens import TokenExpired, TokenInvalid, sign, unsign
from .models import Comment

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


def disallowed_word_in(text: str) -> str | None:
    """The first word of COMMENT_DISALLOWED_WORDS found in the text (whole words, any case)."""
    for word in current_app.config["COMMENT_DISALLOWED_WORDS"]:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


def count_links(text: str) -> int:
    """How many links the text holds (http://, https://, www., or an HTML anchor)."""
    return len(LINK_PATTERN.findall(text))


def was_approved_before(email: str) -> bool:
    """True when this address already has an approved comment (WordPress's rule)."""
    found = db.session.scalar(select(Comment.id).where(Comment.email == email, Comment.status == "approved").limit(1))
    return found is not None


def refuse_repeat(post_id: int, email: str, body: str) -> None:
    """The same person posting the same words under the same article twice is refused."""
    repeat = db.session.scalar(
        select(Comment.id).where(Comment.post_id == post_id, Comment.email == email, Comment.body == body).limit(1)
    )
    if repeat is not None:
        raise CommentRefused("body", "You have already posted this comment here. It is not sent twice.")


def verdict_for(email: str, name: str, website: str | None, body: str) -> Verdict:
    """Decide the status of a new comment: spam, pending, or approved for a known commenter."""
    config = current_app.config
    word = disallowed_word_in(" ".join(filter(None, (name, website, body))))
    if word:
        return Verdict("spam", f"disallowed word: {word}")
    links = count_links(body)
    if links > config["COMMENT_MAX_LINKS"]:
        return Verdict(config["COMMENT_TOO_MANY_LINKS"], f"{links} links")
    if was_approved_before(email):
        return Verdict("approved", "earlier comment approved")
    return Verdict("pending")
