"""The console's report page: conversions by source, campaign or article, a bar chart, a CSV."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template, request

from ..admin.console import require_staff
from ..forms import load_form
from . import service
from .schemas import ReportArgsSchema

bp = Blueprint("reports_admin", __name__, url_prefix="/admin/reports")
bp.before_request(require_staff)

CSV_COLUMNS = ("key", "leads", "consented", "contacted", "booked", "callbacks", "booked_rate")
BAR_WIDTH = 300  # SVG user units of the longest bar


def chosen_args() -> tuple[dict, dict, dict]:
    """(values as typed, loaded args, errors) of the page's query string; a start day left empty
    shows the default one the report used, so the form says which days the table covers."""
    values = {name: request.args.get(name, "") for name in ("by", "since", "until")}
    args, errors = load_form(ReportArgsSchema(), request.args.to_dict())
    if not errors and not values["since"].strip():
        values["since"] = args["since"].isoformat()
    return values, args, errors


@bp.get("")
def conversions():
    """The report for the chosen grouping and days; 422 with messages beside the fields."""
    values, args, errors = chosen_args()
    if errors:
        return render_template("admin/reports.html", values=values, errors=errors, rows=[], args={}), 422
    rows = service.conversions(args["by"], args.get("since"), args.get("until"))
    longest = max((row.leads for row in rows), default=0) or 1
    bars = [
        {"row": row, "leads": row.leads * BAR_WIDTH / longest, "booked": row.booked * BAR_WIDTH / longest}
        for row in rows
    ]
    return render_template(
        "admin/reports.html", values=values, errors={}, rows=rows, bars=bars, args=args, bar_width=BAR_WIDTH
    )


@bp.get("/conversions.csv")
def conversions_csv():
    """The same rows as a CSV download; keys pass the export's CSV guard (safe_text)."""
    values, args, errors = chosen_args()
    if errors:
        return render_template("admin/reports.html", values=values, errors=errors, rows=[], args={}), 422
    rows = service.conversions(args["by"], args.get("since"), args.get("until"), for_csv=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, name) for name in CSV_COLUMNS])
    filename = f"conversions-by-{args['by']}-{date.today().isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
