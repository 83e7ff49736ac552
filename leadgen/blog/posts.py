"""Articles: import from Markdown files with front matter, list, summarise, seed the demo."""

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import frontmatter
from sqlalchemy import func, select

from ..clinictime import clinic_zone
from ..database import utcnow
from ..extensions import db
from .models import Comment, Post

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEMO_ARTICLE = Path(__file__).parent / "demo" / "leaky-gut-and-autoimmunity.md"


class PostImportError(ValueError):
    """A Markdown file that cannot become an article, with the reason for the operator."""


def published_query():
    """Published articles, newest first."""
    return select(Post).where(Post.published_at <= utcnow()).order_by(Post.published_at.desc(), Post.id.desc())


def list_posts(page: int, per_page: int):
    """One page of published articles (flask-sqlalchemy Pagination); past the end is empty."""
    return db.paginate(published_query(), page=page, per_page=per_page, error_out=False)


def recent_posts(limit: int = 20) -> list[Post]:
    """The newest published articles, for the feed."""
    return list(db.session.scalars(published_query().limit(limit)))


def post_summaries() -> list[dict]:
    """Every published article with its number of approved comments (the API's list)."""
    approved = (
        select(Comment.post_id, func.count().label("comments"))
        .where(Comment.status == "approved")
        .group_by(Comment.post_id)
        .subquery()
    )
    query = published_query().add_columns(func.coalesce(approved.c.comments, 0))
    query = query.outerjoin(approved, approved.c.post_id == Post.id)
    return [
        {"slug": post.slug, "title": post.title, "published_at": post.published_at, "comment_count": count}
        for post, count in db.session.execute(query)
    ]


def as_utc(value) -> datetime:
    """A front-matter date in the clinic's timezone: a date is its midnight there, as UTC."""
    zone = clinic_zone()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError as error:
            raise PostImportError(f"date {value!r} is not a date like 2026-11-24") from error
    raise PostImportError("date must be a date like 2026-11-24")


def import_post(text: str, default_slug: str = "") -> tuple[Post, str]:
    """Create or update (by slug) an article from front matter + Markdown; commits.

    Returns (post, "created" | "updated" | "unchanged").
    """
    try:
        document = frontmatter.loads(text)
    except Exception as error:  # YAML errors come in many classes
        raise PostImportError(f"the front matter is not valid YAML: {error}") from error
    meta = document.metadata
    title = str(meta.get("title") or "").strip()
    slug = str(meta.get("slug") or default_slug).strip().lower()
    if not title:
        raise PostImportError("the front matter needs a title")
    if not SLUG_PATTERN.match(slug) or len(slug) > 200:
        raise PostImportError(f"slug {slug!r} must be lower-case letters, digits and hyphens")
    if not document.content.strip():
        raise PostImportError("the article has no text after the front matter")
    post = db.session.scalars(select(Post).where(Post.slug == slug)).first()
    # Without a date an article is published now, and keeps that date on later imports.
    published_at = as_utc(meta["date"]) if meta.get("date") else (post.published_at if post else utcnow())
    values = {
        "title": title[:300],
        "summary": str(meta.get("summary") or "").strip(),
        "body_markdown": document.content.strip() + "\n",
        "published_at": published_at,
    }
    if post is None:
        post, outcome = Post(slug=slug, **values), "created"
        db.session.add(post)
    elif all(getattr(post, key) == value for key, value in values.items()):
        outcome = "unchanged"
    else:
        for key, value in values.items():
            setattr(post, key, value)
        outcome = "updated"
    db.session.commit()
    return post, outcome


def import_file(path: Path) -> tuple[Post, str]:
    """Import one Markdown file; its name (without .md) is the slug unless the front matter has one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PostImportError(f"cannot read {path}: {error}") from error
    return import_post(text, default_slug=path.stem)


def seed_demo_article() -> str:
    """`demo seed`: the clinic's article on leaky gut and autoimmunity (idempotent)."""
    post, outcome = import_file(DEMO_ARTICLE)
    return f"blog: {outcome} /blog/{post.slug}"
