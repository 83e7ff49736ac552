"""Per-IP limits on public POSTs: generous for a person, a 429 for a script."""

from flask import current_app

from .extensions import limiter

# One budget per IP shared by every public form and API POST.
public_post_limit = limiter.shared_limit(
    lambda: current_app.config["PUBLIC_POST_LIMIT"], scope="public-post", methods=["POST"]
)
