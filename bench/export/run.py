"""The CSV export of a million leads through HTTP, against the databases' own CSV writers.

For each database: fill a dedicated database with BENCH_ROWS leads (default 1,000,000) and
their consents, activities and sent mail; start gunicorn as the Procfile does; sign a staff
user in through the login form; download /admin/leads/export.csv and time it. In the same
run, time PostgreSQL's `COPY (<the export's SELECT>) TO STDOUT WITH CSV` through psql, and
the sqlite3 command-line tool's `-csv` output of the same SELECT. The gunicorn workers' RSS
is read from /proc before, during (sampled) and after the download.

Targets: HTTP at most 3x COPY and at most 4x sqlite3; worker memory growth under 64 MiB.
Settings: BENCH_ROWS, BENCH_DATABASES (default "postgresql,sqlite"),
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/leadgen_bench_export).
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import gunicorn, recreate_postgresql, signed_in_opener  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
DATABASES = os.environ.get("BENCH_DATABASES", "postgresql,sqlite").split(",")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/leadgen_bench_export")
RESULTS = ROOT / "bench" / "results"
SQLITE_FILE = RESULTS / "export-bench.sqlite3"
# As the Procfile's web process: gthread workers, so a long download is not killed by --timeout.
GUNICORN = ["--worker-class", "gthread", "--workers", "2", "--threads", "8", "--timeout", "60"]
STAFF_EMAIL, STAFF_PASSWORD = "bench@clinic.example", "benchmark password 1"
TARGETS = {"postgresql": 3.0, "sqlite": 4.0}
MEMORY_TARGET_MIB = 64
MIB = 1024 * 1024


def prepare(database: str) -> str:
    """A fresh database with the tables, ROWS leads and a staff user; returns its SQLAlchemy URL."""
    from data import fill

    from leadgen import create_app
    from leadgen.extensions import db
    from leadgen.staff.service import create_staff_user

    if database == "postgresql":
        url = recreate_postgresql(POSTGRES_URL)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_FILE}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-secret-key"})
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        with db.engine.connect() as connection:
            fill(connection, database, ROWS)
        print(
            f"{database:>10}: {ROWS:,} leads (+ consents, activities, sent mail) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        create_staff_user(STAFF_EMAIL, STAFF_PASSWORD, "marketing")
        db.engine.dispose()
    return url


def export_sql(database: str) -> str:
    """The export's own SELECT (all leads), as literal SQL for psql and sqlite3."""
    from sqlalchemy.dialects import postgresql, sqlite

    from leadgen.leads.export import export_query

    dialect = postgresql.dialect() if database == "postgresql" else sqlite.dialect()
    return str(export_query({}).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    """Resident memory (or VmHWM, its peak) of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) * 1024


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the children of the master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def download(opener, url: str, out: Path) -> tuple[float, int]:
    """Stream the URL into a file; return (seconds, bytes)."""
    started = time.perf_counter()
    size = 0
    with opener.open(url, timeout=600) as response, out.open("wb") as file:
        while chunk := response.read(1 << 20):
            file.write(chunk)
            size += len(chunk)
    return time.perf_counter() - started, size


def timed_command(command: list[str], out: Path) -> tuple[float, int]:
    """Run a command with stdout into a file; return (seconds, bytes)."""
    started = time.perf_counter()
    with out.open("wb") as file:
        subprocess.run(command, stdout=file, check=True)
    return time.perf_counter() - started, out.stat().st_size


def baseline(database: str, out: Path) -> tuple[float, int]:
    """The database's own CSV writer over the same SELECT."""
    sql = export_sql(database)
    if database == "postgresql":
        command = ["psql", POSTGRES_URL, "-X", "-q", "-c", f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"]
    else:
        command = ["sqlite3", "-csv", "-header", str(SQLITE_FILE), sql]
    return timed_command(command, out)


def count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


class RssSampler(threading.Thread):
    """Samples the workers' RSS every 20 ms while the download runs; keeps each worker's peak."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.peaks = {pid: rss_bytes(pid) for pid in pids}
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(0.02):
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], rss_bytes(pid))


def measure(database: str) -> dict:
    url = prepare(database)
    results: dict = {}
    base_out = RESULTS / f"export-{database}-baseline.csv"
    http_out = RESULTS / f"export-{database}-http.csv"
    baseline(database, base_out)  # warm the caches, as a first download would
    with gunicorn(url, RESULTS / "gunicorn-export.log", GUNICORN) as (port, master):
        opener = signed_in_opener(port, STAFF_EMAIL, STAFF_PASSWORD)
        export_url = f"http://127.0.0.1:{port}/admin/leads/export.csv"
        for _ in range(4):  # load the export's code in every worker: a tiny export, twice each
            download(opener, export_url + "?since=2099-01-01", RESULTS / "export-warmup.csv")
        pids = worker_pids(master)
        before = {pid: rss_bytes(pid) for pid in pids}
        sampler = RssSampler(pids)
        sampler.start()
        results["http"] = download(opener, export_url, http_out)
        sampler.stopped.set()
        sampler.join()
        after = {pid: rss_bytes(pid) for pid in pids}
    results["baseline"] = baseline(database, base_out)
    results["growth"] = max(sampler.peaks[pid] - before[pid] for pid in pids)
    results["rss"] = (before, sampler.peaks, after)
    lines = {"http": count_lines(http_out), "baseline": count_lines(base_out)}
    if lines["http"] != ROWS + 1 or lines["baseline"] != ROWS + 1:
        raise SystemExit(f"{database}: expected {ROWS + 1} lines, got {lines}")
    if not http_out.read_bytes()[:3] == b"\xef\xbb\xbf":
        raise SystemExit(f"{database}: the HTTP export has no BOM")
    http_out.unlink()
    base_out.unlink()
    return results


def main() -> int:
    for tool in ("psql", "sqlite3"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install {'postgresql-client' if tool == 'psql' else tool}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"export of {ROWS:,} leads; gunicorn {' '.join(GUNICORN)}", flush=True)
    table, verdicts = [], []
    for database in DATABASES:
        result = measure(database)
        tool = "COPY (psql)" if database == "postgresql" else "sqlite3 -csv"
        (http_s, http_b), (base_s, base_b) = result["http"], result["baseline"]
        before, peaks, after = result["rss"]
        table.append((database, "HTTP export.csv", http_s, http_b))
        table.append((database, tool, base_s, base_b))
        ratio = http_s / base_s
        growth = result["growth"] / MIB
        verdicts.append((database, ratio, growth))
        for pid in before:
            print(
                f"{database:>10}: worker {pid} RSS before {before[pid] / MIB:.1f} MiB, peak {peaks[pid] / MIB:.1f} MiB,"
                f" after {after[pid] / MIB:.1f} MiB",
                flush=True,
            )
    print(f"\n{'database':<11}{'method':<17}{'seconds':>9}{'MiB':>9}{'rows/s':>12}")
    for database, method, seconds, size in table:
        print(f"{database:<11}{method:<17}{seconds:>9.2f}{size / MIB:>9.1f}{ROWS / seconds:>12,.0f}")
    print()
    for database, _ratio, growth in verdicts:
        met = "met" if growth < MEMORY_TARGET_MIB else "MISSED"
        print(f"memory growth of the worker during the {database} export: {growth:.1f} MiB (target < 64 MiB): {met}")
    for database, ratio, _growth in verdicts:
        target = TARGETS[database]
        print(
            f"RESULT export-{database} ratio={ratio:.2f} target=<={target:g} {'met' if ratio <= target else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
