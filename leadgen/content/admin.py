"""Console pages at /admin/content: the words of every mail and the consent sentence of each form.

Marketing and admins reword mails (preview, "send me a test", restore); only admins change
or restore a consent sentence, a legal text. Follow-up sequences: sequences_admin.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..admin.console import admin_only, require_staff
from .catalogue import CONSENT_FORMS, FOLLOWUP_WORDS, MAILS
from .preview import PREVIEW_POLICY, preview, send_test
from .schemas import ConsentSchema, MailWordsSchema
from .service import (
    Words,
    consent_for,
    consent_versions,
    edited_mail_keys,
    restore_consent,
    restore_mail,
    save_consent,
    save_mail_words,
    stored_steps,
    words_for_editing,
)

bp = Blueprint("content_admin", __name__, url_prefix="/admin/content")
bp.before_request(require_staff)


@bp.get("")
def index():
    """Every mail staff may reword, each form's consent sentence, each follow-up sequence."""
    return render_template(
        "admin/content.html",
        mails=MAILS,
        edited=edited_mail_keys(),
        forms={form: (label, consent_for(form)) for form, label in CONSENT_FORMS.items()},
        sequences={name: stored_steps(name) is not None for name in FOLLOWUP_WORDS},
    )


def known_mail(key: str):
    """The catalogue entry of an editable mail, or 404."""
    if key not in MAILS:
        abort(404)
    return MAILS[key]


def mail_page(key: str, values: dict, errors: dict, status: int = 200, shown: dict | None = None):
    """The edit page of one mail (with the preview when `shown`)."""
    _, edited = words_for_editing(key)
    response = render_template(
        "admin/content_mail.html", key=key, mail=MAILS[key], values=values, errors=errors, edited=edited, shown=shown
    )
    headers = {"Content-Security-Policy": PREVIEW_POLICY} if shown else {}
    return response, status, headers


@bp.get("/mail/<key>")
def mail(key: str):
    """A mail's subject and Markdown body, its placeholders, preview and test buttons."""
    known_mail(key)
    words, _ = words_for_editing(key)
    return mail_page(key, {"subject": words.subject, "body": words.body}, {})


@bp.post("/mail/<key>")
def save_mail(key: str):
    """Save, preview or send a test of the words in the form (the button pressed says which)."""
    entry = known_mail(key)
    values = {"subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    try:
        data = MailWordsSchema(set(entry.placeholders)).load(values)
    except ValidationError as error:
        return mail_page(key, values, error.normalized_messages(), 422)
    words = Words(data["subject"], data["body"])
    action = request.form.get("action", "save")
    if action == "preview":
        return mail_page(key, values, {}, shown=preview(key, words, current_user.email))
    if action == "test":
        send_test(key, words, current_user.email)
        flash(f"A test of these words is on its way to {current_user.email} (not saved yet).", "info")
        return mail_page(key, values, {})
    save_mail_words(key, words, current_user.email)
    flash(f"Saved: the next \u201c{entry.label}\u201d mail sent uses these words.", "info")
    return redirect(url_for(".mail", key=key), 303)


@bp.post("/mail/<key>/restore")
def restore_mail_default(key: str):
    """Back to the shipped mail (templates/email/<key>)."""
    entry = known_mail(key)
    restore_mail(key)
    flash(f"\u201c{entry.label}\u201d is the default mail again.", "info")
    return redirect(url_for(".mail", key=key), 303)


def known_form(form: str) -> str:
    """The label of a form with a consent sentence, or 404."""
    if form not in CONSENT_FORMS:
        abort(404)
    return CONSENT_FORMS[form]


def consent_page(form: str, values: dict, errors: dict, status: int = 200):
    """A form's consent sentence, its earlier versions, and (for admins) the form to change it."""
    return render_template(
        "admin/content_consent.html",
        form=form,
        label=known_form(form),
        current=consent_for(form),
        versions=consent_versions(form),
        values=values,
        errors=errors,
    ), status


@bp.get("/consent/<form>")
def consent(form: str):
    """The sentence beside the form's consent box, as shown now, and its history."""
    known_form(form)
    return consent_page(form, {"text": consent_for(form).text}, {})


@bp.post("/consent/<form>")
@admin_only
def save_consent_text(form: str):
    """A new version of the sentence; consents already given keep the words they recorded."""
    known_form(form)
    values = {"text": request.form.get("text", "")}
    try:
        data = ConsentSchema().load(values)
    except ValidationError as error:
        return consent_page(form, values, error.normalized_messages(), 422)
    version = save_consent(form, data["text"], current_user.email)
    flash(f"The form now shows version {version.version}.", "info")
    return redirect(url_for(".consent", form=form), 303)


@bp.post("/consent/<form>/restore")
@admin_only
def restore_consent_text(form: str):
    """The shipped sentence again, as a new version."""
    known_form(form)
    version = restore_consent(form, current_user.email)
    flash(f"The form shows the default sentence again ({version.version}).", "info")
    return redirect(url_for(".consent", form=form), 303)
