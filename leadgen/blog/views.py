"""Blog pages: the list, an article with its comments and "Leave a reply", the Atom feed."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for

from ..content.service import consent_for
from ..database import page_number, row_id
from ..extensions import csrf
from ..forms import contact_form_values, current_visit, honeypot_filled, landing_values, load_contact_form
from ..ratelimits import public_post_limit
from . import posts, reply_stops, service
from .feed import atom_feed
from .render import article_html
from .schemas import CommentCreateSchema
from .spam import CommentRefused, check_form_token, comment_post_limit, form_token

bp = Blueprint("blog", __name__, url_prefix="/blog")

# The session remembers a reader's own pending comments so that they, and only they, see them.
OWN_COMMENTS_KEY = "own_comments"
OWN_COMMENTS_KEPT = 20
AWAITING = "Thank you. Your comment is awaiting moderation: only you can see it until we publish it."
PUBLISHED = "Thank you. Your comment is published."
# Said to a commenter who asked for mail, so a typo'd address shows before they wait in vain
# (spam reads as awaiting moderation, as it does above).
WHEN_PUBLISHED_OR_REPLIED = " We will email {email} when it is published and when someone replies."
WHEN_REPLIED = " We will email {email} when someone replies."


@bp.get("")
def index():
    """Published articles, newest first, a page at a time."""
    listing = posts.list_posts(page_number(), current_app.config["BLOG_PAGE_SIZE"])
    return render_template("blog/index.html", listing=listing)


@bp.get("/feed.xml")
def feed():
    """The Atom feed of the newest articles."""
    return current_app.response_class(atom_feed(posts.recent_posts()), mimetype="application/atom+xml")


def own_pending_ids() -> list[int]:
    """Ids of the comments this browser posted that still await moderation."""
    return [i for i in session.get(OWN_COMMENTS_KEY, []) if isinstance(i, int)]


def reusable_form_token(post, sent: str) -> str:
    """`sent` (a form token not yet checked or used) while it checks out, else a new one: a form
    shown again with a question ("Did you mean ...?") is answered at once, without waiting again."""
    try:
        check_form_token(sent, post.id)
    except CommentRefused:
        return form_token(post.id)
    return sent


def article_page(post, values: dict, errors: dict, status: int = 200, sent_token: str = ""):
    """The article, its comment thread and the reply form with its values and messages; the form
    keeps `sent_token` when it may (see reusable_form_token)."""
    replying_to = None
    parent_id = row_id(values.get("parent_id") or request.args.get("replytocom", ""))
    if parent_id:
        found = service.find_comment(parent_id)
        if found and found.post_id == post.id and found.status == "approved":
            replying_to = found
    page = render_template(
        "blog/post.html",
        post=post,
        body=article_html(post.body_markdown),
        thread=service.comment_thread(post, own_pending_ids()),
        max_depth=current_app.config["COMMENT_MAX_DEPTH"],
        replying_to=replying_to,
        form_token=reusable_form_token(post, sent_token),
        values=values,
        errors=errors,
        consent_text=consent_for("comment").text,
    )
    return page, status


@bp.get("/<slug>")
def post(slug: str):
    """One article; `?replytocom=ID#respond` opens the form as a reply (no JavaScript needed)."""
    found = service.find_post(slug) or abort(404)
    # The reply form sits under this article: its path is the landing path, whatever the query says.
    return article_page(found, landing_values(url_for(".post", slug=slug)), {})


@bp.post("/<slug>/comments")
@public_post_limit
@comment_post_limit
def comment(slug: str):
    """Store a comment and 303 back to the article; 422 with messages; 404 for an unknown article."""
    found = service.find_post(slug) or abort(404)
    if honeypot_filled():
        flash(AWAITING, "success")
        return redirect(url_for(".post", slug=slug, _anchor="comments"), 303)
    data, errors = load_contact_form(CommentCreateSchema())
    token = request.form.get("form_token", "")
    if not errors:
        try:
            check_form_token(token, found.id)
            stored = service.submit_comment(found, data, current_visit(), form_token=token)
        except CommentRefused as refused:
            errors = {refused.field: [refused.message]}
            token = ""  # refused (too fast, already sent, ...): the form shown again gets a new one
    if errors:
        return article_page(found, contact_form_values(), errors, 422, sent_token=token)
    if stored.status == "pending":
        session[OWN_COMMENTS_KEY] = [*own_pending_ids(), stored.id][-OWN_COMMENTS_KEPT:]
    published = stored.status == "approved"
    message = PUBLISHED if published else AWAITING
    if stored.notify and stored.email:
        message += (WHEN_REPLIED if published else WHEN_PUBLISHED_OR_REPLIED).format(email=stored.email)
    flash(message, "success")
    anchor = f"comment-{stored.id}" if stored.status != "spam" else "comments"
    return redirect(url_for(".post", slug=slug, _anchor=anchor), 303)


def stop_replies_page(token: str):
    """The "stop these emails" page: one button, or once pressed what it did; 404 for a link not ours."""
    comment = reply_stops.comment_for_stop_token(token)
    if comment is None:
        return render_template("blog/stop_replies.html", comment=None), 404
    stopped = reply_stops.replies_stopped(comment.email)
    return render_template("blog/stop_replies.html", comment=comment, stopped=stopped, token=token)


@bp.get("/stop-replies/<token>")
def stop_replies(token: str):
    """The link in a reply notification: a page with one button (a mail scanner's GET changes nothing)."""
    return stop_replies_page(token)


@bp.post("/stop-replies/<token>")
@csrf.exempt  # the signed token is the proof; RFC 8058 one-click POSTs carry no CSRF token
def stop_replies_now(token: str):
    """Stop reply notifications: 200 for a mail provider's one-click POST, 303 to the page for the button."""
    comment = reply_stops.comment_for_stop_token(token)
    if comment is None:
        return stop_replies_page(token)
    reply_stops.stop_replies(comment)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return stop_replies_page(token)
    return redirect(url_for(".stop_replies", token=token), 303)
