"""Console pages for leads at /admin: the filtered list, one lead's timeline, what staff do to a
lead, the CSV export and the admins' logs of exports and erasures."""

import json
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..admin.console import admin_only, require_staff
from ..callbacks.service import lead_callbacks
from ..clinictime import clinic_time
from ..forms import load_form
from ..privacy import access, erasure
from ..webinars.service import all_webinars
from . import listing, status, tags
from .export import logged_csv_export, recent_exports
from .filters import LeadFilterSchema
from .models import SOURCES, STATUSES
from .schemas import ConsoleLeadListSchema, LeadStatusSchema
from .service import find_lead

bp = Blueprint("leads_admin", __name__, url_prefix="/admin")
bp.before_request(require_staff)

PAGE_SIZE = 50
# Words for the activities the domains record; anything else shows its kind, tidied.
ACTIVITY_LABELS = {
    "ebook_requested": "Asked for the ebook",
    "ebook_link_requested": "Asked for a new ebook link",
    "ebook_downloaded": "Downloaded the ebook",
    "webinar_registered": "Registered for a webinar",
    "webinar_cancelled": "Cancelled a webinar registration",
    "commented": "Left a comment",
    "unsubscribed": "Unsubscribed from marketing email",
    "mail_bounced": "Bounce reported by the mail provider",
    "mail_soft_bounced": "Soft bounce reported by the mail provider",
    "mail_complained": "Marked our mail as spam",
    "marked_contacted": "Marked contacted",
    "marked_booked": "Marked booked",
    "callback_requested": "Asked to be called back",
    "callback_updated": "Call-back request updated",
}


def activity_label(kind: str) -> str:
    """What an activity means, in words."""
    return ACTIVITY_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def lead_or_404(lead_id: int):
    """The lead, or the not-found page."""
    lead = find_lead(lead_id)
    if lead is None:
        abort(404)
    return lead


def webinar_options() -> list[tuple[str, str]]:
    """(slug, "Title (date)") for the webinar filter."""
    return [
        (webinar.slug, f"{webinar.title} ({clinic_time(webinar.starts_at, '%-d %b %Y')})") for webinar in all_webinars()
    ]


@bp.get("/leads")
def leads():
    """Search and filter leads, newest first, a keyset page at a time."""
    values = request.args.to_dict()
    errors, filters = {}, {}
    try:
        filters = ConsoleLeadListSchema().load(values)
    except ValidationError as error:
        errors = error.normalized_messages()
    cursor = filters.pop("after", None)
    page = None if errors else listing.lead_page(filters, cursor, PAGE_SIZE, newest_first=True)
    chosen = {name: values[name] for name in LeadFilterSchema().fields if values.get(name)}
    return render_template(
        "admin/leads.html",
        page=page,
        values=values,
        errors=errors,
        chosen=chosen,
        first_page=not values.get("after"),
        any_leads=listing.any_leads(),
        sources=[(name, name.capitalize()) for name in SOURCES],
        statuses=[(name, name.capitalize()) for name in STATUSES],
        webinars=webinar_options(),
        tag_names=tags.all_tag_names(),
    ), (422 if errors else 200)


@bp.get("/leads/<int:lead_id>")
def lead(lead_id: int):
    """Everything about one lead: timeline, consent evidence, mail, and the staff actions."""
    found = lead_or_404(lead_id)
    return render_template(
        "admin/lead.html",
        lead=found,
        messages=access.lead_messages(found.id),
        activity_label=activity_label,
        # Activities name a webinar by slug; the timeline shows its title.
        webinars={webinar.slug: webinar for webinar in all_webinars()},
        staff_statuses=status.STAFF_STATUSES,
        tags=tags.tags_of([found.id]).get(found.id, []),
        callbacks=lead_callbacks(found.id),
    )


@bp.post("/leads/<int:lead_id>/status")
def mark(lead_id: int):
    """Mark the lead contacted or booked (any staff); its queued follow-ups are cancelled."""
    data, errors = load_form(LeadStatusSchema())
    if errors:
        flash(" ".join(errors.get("status", ["Choose contacted or booked."])), "error")
        return redirect(url_for(".lead", lead_id=lead_id), 303)
    if status.mark_lead(lead_id, data["status"], current_user.email) is None:
        abort(404)
    flash(f"Marked {data['status']}. Follow-up emails still queued for this lead were cancelled.", "info")
    return redirect(url_for(".lead", lead_id=lead_id), 303)


@bp.get("/leads/<int:lead_id>/export.json")
def export_lead(lead_id: int):
    """The subject-access export of one lead, as a JSON download."""
    data = access.subject_access_export(lead_id)
    if data is None:
        abort(404)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="lead-{lead_id}.json"'},
    )


@bp.get("/leads/<int:lead_id>/erase")
@admin_only
def confirm_erase(lead_id: int):
    """The confirmation step before erasing (admins only)."""
    return render_template("admin/erase.html", lead=lead_or_404(lead_id))


@bp.post("/leads/<int:lead_id>/erase")
@admin_only
def erase(lead_id: int):
    """Erase the lead everywhere (admins only); back to the list with a note."""
    if not erasure.erase_lead(lead_id, erased_by=current_user.email):
        abort(404)
    flash(f"Lead {lead_id} was erased. Only a hashed tombstone and the record of your erasure remain.", "info")
    return redirect(url_for(".leads"), 303)


@bp.get("/erasures")
@admin_only
def erasures():
    """Who erased which lead and when (admins only): the audit of art. 17 requests."""
    return render_template("admin/erasures.html", erasures=erasure.recent_erasures())


@bp.get("/leads/export.csv")
def export_leads_csv():
    """Every lead the list's filters select, as a CSV download streamed row batch by batch."""
    try:
        filters = LeadFilterSchema().load(request.args.to_dict())
    except ValidationError as error:
        return render_template("admin/exports_invalid.html", errors=error.normalized_messages()), 422
    chunks = logged_csv_export(filters, actor=current_user.email, staff_user_id=current_user.id)
    filename = f"leads-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: not for shared caches or the browser's disk cache.
            "Cache-Control": "no-store",
            # Let a proxy pass the stream on as it comes instead of buffering a million rows.
            "X-Accel-Buffering": "no",
        },
    )


@bp.get("/exports")
@admin_only
def exports():
    """The export log: who took which leads out, when, with which filters."""
    return render_template("admin/exports.html", exports=recent_exports())
