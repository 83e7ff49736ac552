"""Error answers: a helpful HTML page for people, JSON for the API."""

import logging

from flask import current_app, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from .requestlog import route_name

log = logging.getLogger(__name__)

# What a visitor should read for each status, beside the standard phrase.
EXPLANATIONS = {
    400: "We could not understand that request.",
    403: "Your account may not do that. Ask an administrator if you need it.",
    404: "We could not find that page. It may have moved, or the link may be mistyped.",
    405: "That page does not accept this kind of request.",
    409: "That could not be done in the current state.",
    410: "That link has expired.",
    413: "What you sent is too large. Please shorten it and try again.",
    422: "Some of what you entered needs another look.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you did caused it; please try again shortly.",
    503: "The service is briefly unavailable. Please try again shortly.",
}


def wants_json() -> bool:
    """API paths always answer JSON; everything else answers a page."""
    return request.path.startswith("/api/")


def field_errors(error: HTTPException) -> dict:
    """Validation messages by field, without webargs' location level ("json", "query")."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    flat: dict = {}
    for by_field in messages.values():
        if isinstance(by_field, dict):
            flat.update(by_field)
    return flat


def error_response(error: HTTPException):
    """Render one HTTP error as JSON or as the error page."""
    code = error.code or 500
    message = EXPLANATIONS.get(code, error.description or "")
    if wants_json():
        body = {"code": code, "status": error.name, "message": error.description or message}
        if errors := field_errors(error):
            body["errors"] = errors
        response = jsonify(body)
    else:
        response = render_template("errors/error.html", code=code, title=error.name, message=message)
    headers = dict(error.get_headers()) if code != 500 else {}
    headers.pop("Content-Type", None)
    return response, code, headers


def not_found(error: NotFound):
    """A page address typed with a trailing slash ("/blog/") goes to the page it names; else 404."""
    path = request.path
    page = path.rstrip("/")
    # Never for "//host/": the address without its slash would point at another site.
    if request.method in ("GET", "HEAD") and page != path and not path.startswith("//"):
        try:
            current_app.create_url_adapter(request).match(page, method=request.method)
        except HTTPException:
            return error_response(error)
        query = request.query_string.decode()
        return redirect(page + (f"?{query}" if query else ""), code=308)
    return error_response(error)


def csrf_error(error: CSRFError):
    """A form without a valid CSRF token: explain it in words a visitor understands."""
    if wants_json():
        return jsonify({"code": 400, "status": "Bad Request", "message": error.description}), 400
    message = "This form expired or was sent from somewhere else. Please go back, reload the page and try again."
    return render_template("errors/error.html", code=400, title="Form expired", message=message), 400


def unexpected_error(error: Exception):
    """Anything uncaught: log it with its traceback and answer a calm 500."""
    log.exception("unhandled error on %s %s", request.method, route_name())  # the rule: a path may hold a token
    return error_response(InternalServerError())


def register_error_handlers(app) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(HTTPException, error_response)
    app.register_error_handler(Exception, unexpected_error)
