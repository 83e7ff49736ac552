"""Staff pages at /admin/webinars: schedule, edit, cancel, see and export registrations."""

import csv
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..admin.console import require_staff
from ..clinictime import clinic_time
from ..forms import load_form
from ..leads.export import BOM
from . import attendance, service
from .models import Webinar
from .schemas import WebinarFormSchema

bp = Blueprint("webinars_admin", __name__, url_prefix="/admin/webinars")
bp.before_request(require_staff)


def webinar_or_404(webinar_id: int) -> Webinar:
    """The webinar, or the 404 page."""
    webinar = service.get_webinar(webinar_id)
    if webinar is None:
        abort(404)
    return webinar


def form_values(webinar: Webinar) -> dict:
    """A webinar as the form shows it: the start in the clinic's timezone, minutes precision."""
    values = {name: getattr(webinar, name) for name in service.EDITABLE}
    values["starts_at"] = clinic_time(webinar.starts_at, "%Y-%m-%dT%H:%M")
    values["timezone"] = current_app.config["CLINIC_TIMEZONE"]
    values["replay_url"] = webinar.replay_url or ""
    return values


def form_page(webinar: Webinar | None, values: dict, errors: dict, status: int = 200):
    """The create/edit form with its values and messages beside the fields."""
    return render_template("admin/webinars_form.html", webinar=webinar, values=values, errors=errors), status


@bp.get("")
def index():
    """Every webinar, latest first, with seats and registrations."""
    return render_template("admin/webinars.html", webinars=service.all_webinars(), counts=service.registration_counts())


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Schedule a webinar; 422 with messages beside the fields."""
    if request.method == "GET":
        return form_page(None, {"timezone": current_app.config["CLINIC_TIMEZONE"], "duration_minutes": 60}, {})
    data, errors = load_form(WebinarFormSchema())
    if errors:
        return form_page(None, request.form.to_dict(), errors, 422)
    webinar = service.create_webinar(data)
    flash(f"Scheduled: {webinar.title}. Its page is /webinars/{webinar.slug}.", "info")
    return redirect(url_for(".detail", webinar_id=webinar.id), 303)


@bp.route("/<int:webinar_id>/edit", methods=["GET", "POST"])
def edit(webinar_id: int):
    """Change a webinar; a new start time moves the queued reminders."""
    webinar = webinar_or_404(webinar_id)
    if request.method == "GET":
        return form_page(webinar, form_values(webinar), {})
    data, errors = load_form(WebinarFormSchema(current_start=webinar.starts_at))
    if not errors:
        try:
            service.update_webinar(webinar, data)
        except service.WebinarError as error:
            errors = {error.field: [error.message]}
    if errors:
        return form_page(webinar, request.form.to_dict(), errors, 422)
    flash("Saved.", "info")
    return redirect(url_for(".detail", webinar_id=webinar.id), 303)


@bp.post("/<int:webinar_id>/cancel")
def cancel(webinar_id: int):
    """Cancel the webinar: its queued reminders are dropped and every registrant is told."""
    webinar = webinar_or_404(webinar_id)
    if webinar.status == "cancelled":
        flash("This webinar was already cancelled.", "info")
    else:
        told = service.cancel_webinar(webinar)
        flash(f"Cancelled. {told} registrant{'s' if told != 1 else ''} will get an email saying so.", "info")
    return redirect(url_for(".detail", webinar_id=webinar.id), 303)


@bp.get("/<int:webinar_id>")
def detail(webinar_id: int):
    """One webinar with everyone who registered (and who cancelled)."""
    webinar = webinar_or_404(webinar_id)
    return render_template("admin/webinars_detail.html", webinar=webinar, registrations=webinar.registrations)


# An attendee export of a large meeting is well under this; anything bigger is not one.
ATTENDEE_FILE_LIMIT = 5 * 1024 * 1024


@bp.post("/<int:webinar_id>/attendees")
def attendees(webinar_id: int):
    """Mark the registrants named in the meeting tool's attendee CSV as attended; say how many matched."""
    webinar = webinar_or_404(webinar_id)
    upload = request.files.get("attendees")
    data = upload.stream.read(ATTENDEE_FILE_LIMIT + 1) if upload else b""
    if not data or len(data) > ATTENDEE_FILE_LIMIT:
        flash("Choose the attendee list (a CSV file of at most 5 MB) to upload.", "error")
        return redirect(url_for(".detail", webinar_id=webinar.id), 303)
    try:
        result = attendance.mark_attendees(webinar, data)
    except attendance.AttendeeFileError as error:
        flash(str(error), "error")
        return redirect(url_for(".detail", webinar_id=webinar.id), 303)
    flash(
        f"{result.matched} registrant{'s' if result.matched != 1 else ''} marked as attended; "
        f"{result.unknown} address{'es' if result.unknown != 1 else ''} in the file did not match a registration "
        "and were ignored.",
        "info",
    )
    return redirect(url_for(".detail", webinar_id=webinar.id), 303)


@bp.get("/<int:webinar_id>/registrations.csv")
def export(webinar_id: int):
    """The registrations as CSV (UTF-8 with a BOM, so Excel keeps accents)."""
    webinar = webinar_or_404(webinar_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _expression in service.registration_columns()])
    writer.writerows(service.registration_rows(webinar.id))
    response = current_app.response_class(BOM + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{webinar.slug}-registrations.csv"'
    return response
