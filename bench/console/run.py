"""Every console page and the staff API list at 1,000 leads and at 1,000,000, on PostgreSQL.

For each size: a database of its own built by `flask db upgrade` (the schema as deployed) and
filled by the export benchmark's filler (leads, consents, activities, sent mail); an admin
staff user and an API token; gunicorn as the Procfile starts it; sign in through the login
form; each page fetched twice to warm up, then timed REPEAT times (median). Prints one
row per page with both medians and their ratio, then the worst ratio. Target: every page
at the large size costs at most 2x its cost at the small one.

The conversion report reads every lead of its days. Its default days (the last 30) hold none of
the small fill (one lead a minute from 2025-01-01) and about 26,000 of the large one (to late
November 2026), so its ratio there measures those leads, not the table; the one-day report pages
compare like with like (1,000 and 1,440 leads).

The filled databases are kept: `--reuse` skips the fill when a kept database has the right
number of leads (it still runs `db upgrade`, so new migrations apply to it).
Settings: BENCH_SMALL (1000), BENCH_LARGE (1000000), BENCH_REPEAT (7),
BENCH_POSTGRES_URL (postgresql://postgres@127.0.0.1/lg_million_console; the size is appended).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.common import gunicorn, postgresql_exists, recreate_postgresql, signed_in_opener  # noqa: E402
from bench.export.data import fill  # noqa: E402

SMALL = int(os.environ.get("BENCH_SMALL", "1000"))
LARGE = int(os.environ.get("BENCH_LARGE", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/lg_million_console")
RESULTS = ROOT / "bench" / "results"
GUNICORN = ["--worker-class", "gthread", "--workers", "2", "--threads", "8", "--timeout", "60"]
STAFF_EMAIL, STAFF_PASSWORD = "bench@clinic.example", "benchmark password 1"
TARGET = 2.0


def pages(rows: int) -> list[tuple[str, str]]:
    """(label, path) of every GET page under /admin and every staff API list (`flask routes`); a lead
    in the middle of the table for its own page. Counts (a broadcast's audience, a bulk tag) cost
    what they count, so they count one day: about as many leads at either size."""
    one_day = "since=2025-01-01&until=2025-01-01"
    return [
        ("dashboard", "/admin/"),
        ("leads", "/admin/leads"),
        ("leads search", "/admin/leads?q=lead77777"),
        ("leads by source", "/admin/leads?source=webinar"),
        ("leads by status", "/admin/leads?status=booked"),
        ("leads by date", f"/admin/leads?{one_day}"),
        ("leads by campaign", "/admin/leads?campaign=facebook"),
        ("leads by rare tag", "/admin/leads?tag=vip"),
        ("leads by common tag", "/admin/leads?tag=newsletter"),
        ("bulk tag one day", f"/admin/leads/tags?{one_day}&bulk_tag=vip&action=add"),
        ("import upload", "/admin/leads/import"),
        ("one lead", f"/admin/leads/{rows // 2}"),
        ("webinars", "/admin/webinars"),
        ("new webinar", "/admin/webinars/new"),
        ("ebooks", "/admin/ebooks"),
        ("new ebook", "/admin/ebooks/new"),
        ("comments", "/admin/comments"),
        ("callbacks", "/admin/callbacks"),
        ("broadcasts", "/admin/broadcasts"),
        ("new broadcast", "/admin/broadcasts/new"),
        ("broadcast count day", f"/admin/broadcasts/count?{one_day}"),
        ("report", "/admin/reports"),
        ("report by offer", "/admin/reports?by=offer"),
        ("report by campaign", "/admin/reports?by=campaign"),
        ("report one day", f"/admin/reports?{one_day}"),
        ("report by offer one day", f"/admin/reports?by=offer&{one_day}"),
        ("content", "/admin/content"),
        ("content mail", "/admin/content/mail/ebook_delivery"),
        ("content consent", "/admin/content/consent/ebook"),
        ("content sequence", "/admin/content/sequences/ebook"),
        ("exports", "/admin/exports"),
        ("erasures", "/admin/erasures"),
        ("staff", "/admin/staff"),
        ("account", "/admin/account"),
        ("webhooks", "/admin/webhooks"),
        ("API leads", "/api/v1/leads"),
        ("API search", "/api/v1/leads?q=lead77777"),
        ("API by tag", "/api/v1/leads?tag=vip"),
        ("API by common tag", "/api/v1/leads?tag=newsletter"),
        ("API comments", "/api/v1/comments"),
        ("API callbacks", "/api/v1/callback-requests"),
        ("API webinars", "/api/v1/webinars"),
        ("API posts", "/api/v1/posts"),
        ("API report", "/api/v1/reports/conversions"),
        ("API report by offer", "/api/v1/reports/conversions?by=offer"),
        ("API report one day", f"/api/v1/reports/conversions?{one_day}"),
    ]


def flask_cli(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark-secret-key"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def lead_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM leads"))
    except Exception:  # no table yet: a database left half-made
        return -1
    finally:
        engine.dispose()


def prepare(rows: int, reuse: bool) -> tuple[str, str]:
    """The database of `rows` leads (kept or filled now) and an API token; returns (url, token)."""
    from leadgen import create_app
    from leadgen.extensions import db
    from leadgen.staff.service import create_staff_user, find_staff_user, issue_token

    plain = f"{POSTGRES_URL}_{rows}"
    url = plain.replace("postgresql://", "postgresql+psycopg://", 1)
    kept = reuse and postgresql_exists(plain) and lead_count(url) == rows
    if not kept:
        recreate_postgresql(plain)
    flask_cli(url, "db", "upgrade")
    if not kept:
        started = time.perf_counter()
        engine = create_engine(url)
        with engine.connect() as connection:
            fill(connection, "postgresql", rows)
        engine.dispose()
        print(f"{rows:>9,} leads filled in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"{rows:>9,} leads: kept database reused", flush=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret-key"})
    with app.app_context():
        user = find_staff_user(STAFF_EMAIL) or create_staff_user(STAFF_EMAIL, STAFF_PASSWORD, "admin")
        token = issue_token(user, "console benchmark")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return url, token


def fetch(opener, url: str, token: str) -> float:
    """Seconds to get the whole page (the API with the bearer token); any status but 200 stops the run."""
    request = urllib.request.Request(url)
    if "/api/" in url:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    with opener.open(request, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url}: {response.status}")
    return time.perf_counter() - started


def time_pages(arguments) -> dict[int, dict[str, float]]:
    """Median seconds per page label at each size; the two sizes alternate, so noise hits both alike."""
    prepared = {rows: prepare(rows, arguments.reuse) for rows in (SMALL, LARGE)}
    timings: dict[int, dict[str, list[float]]] = {SMALL: {}, LARGE: {}}
    log = RESULTS / "gunicorn-console.log"
    with (
        gunicorn(prepared[SMALL][0], log, GUNICORN) as (small_port, _),
        gunicorn(prepared[LARGE][0], log, GUNICORN) as (large_port, _),
    ):
        servers = {SMALL: small_port, LARGE: large_port}
        openers = {rows: signed_in_opener(port, STAFF_EMAIL, STAFF_PASSWORD) for rows, port in servers.items()}
        for index, (label, _path) in enumerate(pages(SMALL)):
            for rows, port in servers.items():
                path = pages(rows)[index][1]
                url, token = f"http://127.0.0.1:{port}{path}", prepared[rows][1]
                for _ in range(2):  # both workers have the page's code and plans warm
                    fetch(openers[rows], url, token)
                timings[rows][label] = []
            for _ in range(REPEAT):
                for rows, port in servers.items():
                    path = pages(rows)[index][1]
                    url = f"http://127.0.0.1:{port}{path}"
                    timings[rows][label].append(fetch(openers[rows], url, prepared[rows][1]))
    return {
        rows: {label: statistics.median(times) for label, times in by_label.items()}
        for rows, by_label in timings.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="use the kept databases when they have the leads")
    arguments = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    medians = time_pages(arguments)
    small, large = medians[SMALL], medians[LARGE]
    print(f"\n{'page':<24}{f'{SMALL:,} ms':>12}{f'{LARGE:,} ms':>14}{'ratio':>8}")
    ratios = {}
    for label in small:
        ratios[label] = large[label] / small[label]
        print(f"{label:<24}{small[label] * 1000:>12.1f}{large[label] * 1000:>14.1f}{ratios[label]:>8.2f}")
    worst = max(ratios, key=ratios.get)
    print(f"\nworst: {worst} at {ratios[worst]:.2f}x")
    verdict = "met" if ratios[worst] <= TARGET else "MISSED"
    print(f"RESULT console-postgresql ratio={ratios[worst]:.2f} target=<={TARGET:g} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
