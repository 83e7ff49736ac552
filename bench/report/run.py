"""The conversion report by offer at a million leads: the lead's first offer read from the lead
(leads.first_offer) against looking up each lead's first activity naming an offer (the report
before it kept first_offer; its expression is kept here as the baseline), with PostgreSQL's JIT
on and off, and the report by source beside them.

Runs on a database the console benchmark filled (`bench/console/run`), after `flask db upgrade`;
it changes nothing in it. Each query is the service's own (reports.service.conversions) over the
report's default days (the last 30: about 26,000 leads of that fill), run in its own transaction
with `SET LOCAL jit`. The variants alternate REPEAT times, so the machine's noise hits them
alike; prints the median of each, then the ratios: by offer now against before (jit on and
off; target at most 0.5) and against by source (target at most 1.5).
Settings: BENCH_DATABASE_URL (postgresql+psycopg://postgres@127.0.0.1/lg_console_million_1000000),
BENCH_REPEAT (5).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, or_, select, text  # noqa: E402

from leadgen import create_app  # noqa: E402
from leadgen.extensions import db  # noqa: E402
from leadgen.leads.filters import filter_conditions  # noqa: E402
from leadgen.leads.models import Activity, Lead  # noqa: E402
from leadgen.reports.schemas import ReportArgsSchema  # noqa: E402
from leadgen.reports.service import GROUPINGS, conversions  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/lg_console_million_1000000"
)
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
# Now against before (at most half the time), and by offer against by source (about the same).
TARGET_NOW, TARGET_SOURCE = 0.5, 1.5


def result(name: str, ratio: float, target: float) -> None:
    """The line bench/run reads (bench/README.md)."""
    print(f"RESULT {name} ratio={ratio:.2f} target=<={target:g} {'met' if ratio <= target else 'MISSED'}")


def looked_up_first_offer():
    """The baseline: the report's key before leads.first_offer, one probe of the lead's activities per lead."""
    ebook, webinar = Activity.detail["ebook"].as_string(), Activity.detail["webinar"].as_string()
    named = (
        select(func.coalesce(ebook, webinar))
        .where(Activity.lead_id == Lead.id, or_(ebook.is_not(None), webinar.is_not(None)))
        .order_by(Activity.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(named, Lead.source)


VARIANTS = {"offer, looked up (before)": "offer_lookup", "offer, on the lead (now)": "offer", "source": "source"}


def timed(by: str, jit: str, days: dict) -> tuple[float, list]:
    """Seconds for one report, in a transaction of its own with `jit` set for it; and its rows."""
    started = time.perf_counter()
    db.session.execute(text(f"SET LOCAL jit = {jit}"))
    rows = conversions(by, days["since"], days.get("until"))
    seconds = time.perf_counter() - started
    db.session.rollback()
    return seconds, rows


def main() -> int:
    GROUPINGS["offer_lookup"] = looked_up_first_offer
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "benchmark-secret-key"})
    with app.app_context():
        days = ReportArgsSchema().load({})
        leads = db.session.scalar(select(func.count(Lead.id)).where(*filter_conditions(days)))
        print(f"report days from {days['since']}: {leads:,} leads", flush=True)
        runs = [(label, by, jit) for label, by in VARIANTS.items() for jit in ("on", "off")]
        for _label, by, jit in runs:  # warm-up; and both offer keys must name the same groups
            timed(by, jit, days)
        before, now = timed("offer_lookup", "off", days)[1], timed("offer", "off", days)[1]
        assert before == now, "the lookup and the column disagree"
        times = {run: [] for run in runs}
        for _ in range(REPEAT):
            for run in runs:
                times[run].append(timed(run[1], run[2], days)[0])
    medians = {run: statistics.median(seconds) for run, seconds in times.items()}
    print(f"\n{'report by':<28}{'jit on ms':>12}{'jit off ms':>12}{'on/off':>8}")
    for label in VARIANTS:
        on, off = medians[(label, VARIANTS[label], "on")], medians[(label, VARIANTS[label], "off")]
        print(f"{label:<28}{on * 1000:>12.1f}{off * 1000:>12.1f}{on / off:>8.2f}")
    source = medians[("source", "source", "on")]
    for jit in ("on", "off"):
        before = medians[("offer, looked up (before)", "offer_lookup", jit)]
        now = medians[("offer, on the lead (now)", "offer", jit)]
        result(f"report-offer-jit-{jit}", now / before, TARGET_NOW)
    result("report-offer-vs-source", medians[("offer, on the lead (now)", "offer", "on")] / source, TARGET_SOURCE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
