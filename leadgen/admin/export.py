"""Console pages for exports: the streamed CSV download and the admins' export log."""

from datetime import date

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user
from marshmallow import ValidationError

from ..leads.export import logged_csv_export, recent_exports
from ..leads.filters import LeadFilterSchema
from ..staff.auth import staff_required
from .views import bp


@bp.get("/leads/export.csv")
@staff_required()
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
@staff_required("admin")
def exports():
    """The export log: who took which leads out, when, with which filters."""
    return render_template("admin/exports.html", exports=recent_exports())
