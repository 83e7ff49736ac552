"""POST /hooks/mail/<provider>: the mail provider's bounce and complaint reports.

No login and no CSRF token: each provider proves itself with its own signature (or, for
Postmark, basic auth), checked before anything is read. Thin: parse, then one service call.
"""

import logging

from flask import Blueprint, abort, current_app, jsonify, request

from ..extensions import csrf, limiter
from . import generic, mailgun, postmark, service, ses
from .reports import Malformed, Refused

log = logging.getLogger(__name__)

bp = Blueprint("mailevents", __name__)

PARSERS = {
    "generic": generic.parse,
    "postmark": postmark.parse,
    "mailgun": mailgun.parse,
    "ses": ses.parse,
}


@bp.post("/hooks/mail/<provider>")
@csrf.exempt
# Its own per-IP budget: a provider posts from a few addresses on behalf of every recipient,
# so the forms' limit would refuse a busy morning's bounces (they retry on 429 all the same).
@limiter.limit(lambda: current_app.config["MAIL_EVENTS_LIMIT"], methods=["POST"])
def mail_event(provider: str):
    """401 unsigned or wrongly signed; 400/422 malformed; 200 otherwise (unknown addresses too)."""
    parse = PARSERS.get(provider)
    if parse is None:
        abort(404)
    try:
        report = parse(request.get_data(cache=False), request.headers, current_app.config)
    except Refused as error:
        log.warning("mail event from %s refused: %s", provider, error)
        return jsonify(error="unauthorized"), 401
    except Malformed as error:
        return jsonify(errors=error.messages), error.status
    return jsonify(service.apply_report(provider, report)), 200
