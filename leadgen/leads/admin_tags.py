"""Console pages that tag leads: one lead's tags on its page, and every lead of the list's filters
at once, after a confirmation that says how many leads it touches."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..admin.console import require_staff
from ..forms import load_form
from . import tags
from .filters import LeadFilterSchema
from .schemas import BulkTagSchema, TagFormSchema

bp = Blueprint("leads_tags_admin", __name__, url_prefix="/admin")
bp.before_request(require_staff)


@bp.post("/leads/<int:lead_id>/tags")
def add(lead_id: int):
    """Put the typed tag on the lead; back to its page."""
    data, errors = load_form(TagFormSchema())
    if errors:
        flash(" ".join(errors["tag"]), "error")
    elif tags.add_tag(lead_id, data["tag"]) is None:
        abort(404)
    else:
        flash(f"Tagged {data['tag']}.", "info")
    return redirect(url_for("leads_admin.lead", lead_id=lead_id, _anchor="tags-heading"), 303)


@bp.post("/leads/<int:lead_id>/tags/remove")
def remove(lead_id: int):
    """Take a tag off the lead; back to its page."""
    data, errors = load_form(TagFormSchema())
    if errors:
        flash(" ".join(errors["tag"]), "error")
    elif tags.remove_tag(lead_id, data["tag"]) is None:
        abort(404)
    else:
        flash(f"Removed the tag {data['tag']}.", "info")
    return redirect(url_for("leads_admin.lead", lead_id=lead_id, _anchor="tags-heading"), 303)


def bulk_request() -> tuple[dict, dict, dict, dict]:
    """(filters, the list's chosen filter values, the tag and action, errors) of a bulk request."""
    values = request.values.to_dict()
    chosen = {name: values[name] for name in LeadFilterSchema().fields if values.get(name, "").strip()}
    filters, errors = load_form(LeadFilterSchema(), chosen)
    data, tag_errors = load_form(BulkTagSchema(), values)
    return filters, chosen, data, {**errors, **tag_errors}


@bp.get("/leads/tags")
def confirm_bulk():
    """How many leads the tag would go on (or come off), and the button that does it."""
    filters, chosen, data, errors = bulk_request()
    if errors:
        return render_template("admin/bulk_tag.html", errors=errors, chosen=chosen, values=request.args), 422
    count = tags.count_for_bulk(filters, data["bulk_tag"])
    return render_template("admin/bulk_tag.html", errors={}, chosen=chosen, values=request.args, count=count, **data)


@bp.post("/leads/tags")
def apply_bulk():
    """Tag or untag every lead the filters select now (one statement); back to the list."""
    filters, chosen, data, errors = bulk_request()
    if errors:
        return render_template("admin/bulk_tag.html", errors=errors, chosen=chosen, values=request.form), 422
    name = data["bulk_tag"]
    if data["action"] == "add":
        changed = tags.tag_matching(filters, name)
        flash(f"Tagged {changed} more lead{'s' if changed != 1 else ''} {name}.", "info")
    else:
        changed = tags.untag_matching(filters, name)
        flash(f"Removed the tag {name} from {changed} lead{'s' if changed != 1 else ''}.", "info")
    return redirect(url_for("leads_admin.leads", **chosen), 303)
