"""Blog endpoints of the JSON API: articles, comments from the clinic's website, moderation."""

from flask import abort
from flask_smorest import abort as api_abort

from ..extensions import ApiBlueprint
from ..forms import current_visit
from ..ratelimits import public_post_limit
from ..staff.auth import STAFF_TOKEN, api_staff_required
from . import posts, service
from .schemas import (
    CommentCreatedSchema,
    CommentCreateSchema,
    CommentQuerySchema,
    CommentSchema,
    CommentStatusSchema,
    PostSummarySchema,
)
from .spam import CommentRefused, comment_post_limit

blp = ApiBlueprint("blog_api", __name__, url_prefix="/api/v1", description="Posts and comments")
# Staff endpoints check the token before reading the body: no validation hints without one.


@blp.route("/posts", methods=["GET"])
@blp.response(200, PostSummarySchema(many=True))
def list_posts():
    """List published articles

    Newest first, each with its number of approved comments.
    """
    return posts.post_summaries()


@blp.route("/posts/<slug>/comments", methods=["POST"])
@public_post_limit
@comment_post_limit
@blp.arguments(CommentCreateSchema)
@blp.response(202, CommentCreatedSchema)
def create_comment(data, slug):
    """Leave a reply under an article

    Stored as pending (or approved or spam by the moderation rules); 404 for an unknown article.
    The same word, link, repeat and per-IP flood rules as the page's "Leave a reply" form.
    """
    post = service.find_post(slug)
    if post is None:
        abort(404, description=f"There is no article {slug!r}.")
    try:
        comment = service.submit_comment(post, data, current_visit(data))
    except CommentRefused as refused:
        api_abort(refused.status, messages={"json": {refused.field: [refused.message]}})
    return {"id": comment.id, "status": comment.status}


@blp.route("/comments", methods=["GET"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(CommentQuerySchema, location="query")
@blp.response(200, CommentSchema(many=True))
def list_comments(query):
    """List comments by moderation status (staff)

    `status=pending` (the default) is the moderation queue, oldest first.
    """
    return service.comments_with_status(query["status"])


@blp.route("/comments/<int:comment_id>", methods=["PATCH"])
@api_staff_required()
@blp.doc(security=STAFF_TOKEN)
@blp.arguments(CommentStatusSchema)
@blp.response(200, CommentSchema)
def moderate_comment(data, comment_id):
    """Approve a comment, or mark it spam or trash (staff)"""
    comment = service.find_comment(comment_id)
    if comment is None:
        abort(404, description=f"There is no comment {comment_id}.")
    return service.moderate(comment, data["status"])
