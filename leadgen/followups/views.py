"""Unsubscribe pages: one button, and the RFC 8058 one-click POST that mail providers send."""

from flask import Blueprint, redirect, render_template, request, url_for

from ..extensions import csrf
from . import optin
from . import unsubscribe as service

bp = Blueprint("followups", __name__)

ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


def unknown_link():
    """A forged, mangled or outdated link: say so, change nothing."""
    return render_template("followups/unknown_link.html"), 404


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """One button that says what it does; or, once done, the confirmation."""
    lead = service.lead_for_token(token)
    if lead is None:
        return unknown_link()
    return render_template("followups/unsubscribe.html", lead=lead, token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # the signed token is the proof; RFC 8058 one-click POSTs carry no CSRF token
# No per-IP rate limit: one-click POSTs come from the mailbox provider's few servers on behalf
# of many readers, and a refused unsubscribe is one we must still honour. It is idempotent and cheap.
def unsubscribe(token: str):
    """Unsubscribe: 200 for a mail provider's one-click POST, 303 to the confirmation for the button."""
    lead = service.lead_for_token(token)
    if lead is None:
        return unknown_link()
    one_click = request.form.get(ONE_CLICK_BODY[0]) == ONE_CLICK_BODY[1]
    service.unsubscribe(lead, via="one-click" if one_click else "page")
    if one_click:
        return render_template("followups/unsubscribe.html", lead=lead, token=token)
    return redirect(url_for(".unsubscribe_page", token=token), 303)


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """One button that confirms; opening the page (GET or HEAD, as mail scanners do) changes nothing."""
    lead = optin.lead_for_confirmation(token)
    if lead is None:
        return render_template("followups/unknown_link.html", purpose="confirm"), 404
    return render_template("followups/confirm.html", lead=lead, token=token, done=optin.is_confirmed(lead))


@bp.post("/confirm/<token>")
@csrf.exempt  # the signed token is the proof (as for unsubscribe), and the page sets no cookie
def confirm(token: str):
    """The button: confirm the address (and end an earlier unsubscribe), then 303 to the confirmation."""
    lead = optin.lead_for_confirmation(token)
    if lead is None:
        return render_template("followups/unknown_link.html", purpose="confirm"), 404
    optin.confirm_marketing(lead)
    return redirect(url_for(".confirm_page", token=token), 303)
