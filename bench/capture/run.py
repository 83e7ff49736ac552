"""Capture throughput against a bare insert, under gunicorn as the Procfile runs it, on SQLite and PostgreSQL.

For each database: start the baseline (bench/baseline/app.py, one bare INSERT per request)
and the product (`POST /api/v1/ebook-requests`) under the same gunicorn settings, warm each
up, then run wrk at 32 connections for DURATION seconds. Prints req/s, p99 latency and
errors (non-2xx and socket errors) for each, and the capture/baseline ratio last.
Targets: ratio >= 0.5, p99 <= 50 ms, zero errors.

Settings from the environment: BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (32),
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/leadgen_bench_capture),
BENCH_DATABASES (default "sqlite,postgresql").
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, recreate_postgresql  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "baseline"))

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/leadgen_bench_capture")
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
RESULTS = ROOT / "bench" / "results"
# As the Procfile's web process, with two workers of eight threads.
GUNICORN = ["-k", "gthread", "--threads", "8", "-w", "2"]
TARGETS = {
    "baseline": ("app:app", ROOT / "bench" / "baseline", "/rows"),
    "capture": ("wsgi:app", ROOT, "/api/v1/ebook-requests"),
}


def prepare(database: str, workdir: Path) -> str:
    """An empty database with the product's tables and the baseline's table; returns its URL."""
    from app import create_table

    from leadgen import create_app
    from leadgen.extensions import db

    url = recreate_postgresql(POSTGRES_URL) if database == "postgresql" else f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(workdir / "instance")})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    create_table(url)
    return url


def wait_until_up(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {RESULTS}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answered (the baseline has no /healthz)
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not start on port {port}")


def cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@contextmanager
def gunicorn(name: str, database_url: str, workdir: Path):
    """The app under gunicorn as the Procfile starts it; yields its port."""
    target, directory, _path = TARGETS[name]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-secret-key",
        "RATELIMIT_ENABLED": "false",
        "MAIL_SERVER": "",
        "MAIL_FILE_DIR": str(workdir / "mail"),
        "EBOOK_PATH": str(workdir / "ebook.pdf"),
    }
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), *GUNICORN, "-b", f"127.0.0.1:{port}", target]
    with (RESULTS / f"gunicorn-{name}.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wrk(port: int, path: str, seconds: int, prefix: str) -> dict:
    """Run wrk with the POST script; return its JSON summary plus req/s."""
    script = ROOT / "bench" / "capture" / "post.lua"
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}", "--", prefix], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    stats = json.loads(line.removeprefix("WRK_JSON "))
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["errors"] = sum(stats[key] for key in ("connect", "read", "write", "status", "timeout"))
    return stats


def measure(database: str) -> dict[str, dict]:
    workdir = Path(tempfile.mkdtemp(prefix=f"leadgen-bench-{database}-"))
    try:
        url = prepare(database, workdir)
        results = {}
        for name in TARGETS:
            with gunicorn(name, url, workdir) as (port, pid):
                path = TARGETS[name][2]
                wrk(port, path, 2, f"warm-{name}-{database}")  # both workers loaded, pools filled
                cpu_before = cpu_seconds(pid)
                results[name] = stats = wrk(port, path, DURATION, f"{name}-{database}-{time.time_ns()}")
                # CPU per request: a figure that holds even when other work shares the machine.
                stats["cpu_ms"] = (cpu_seconds(pid) - cpu_before) * 1000 / max(stats["requests"], 1)
            print(
                f"{database:>10} {name:>8}: {stats['rps']:8.0f} req/s  p50 {stats['p50_us'] / 1000:6.1f} ms"
                f"  p99 {stats['p99_us'] / 1000:6.1f} ms  errors {stats['errors']}"
                f"  web CPU {stats['cpu_ms']:.2f} ms/request",
                flush=True,
            )
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"wrk: {CONNECTIONS} connections, {DURATION} s; gunicorn {' '.join(GUNICORN)}", flush=True)
    ratios, cpu_ratios, met = {}, {}, {}
    for database in DATABASES:
        results = measure(database)
        capture = results["capture"]
        ratios[database] = capture["rps"] / results["baseline"]["rps"]
        cpu_ratios[database] = results["baseline"]["cpu_ms"] / capture["cpu_ms"]
        met[database] = capture["p99_us"] <= 50_000 and capture["errors"] == 0 and ratios[database] >= 0.5
    cpu_summary = ", ".join(f"{database} {ratio:.2f}" for database, ratio in cpu_ratios.items())
    print(f"CPU-per-request ratio baseline/capture (load-independent): {cpu_summary}")
    print("targets: ratio >= 0.5, capture p99 <= 50 ms, no errors (all three for 'met')")
    # The result lines bench/run reads (bench/README.md), the ratio last.
    for database, ratio in ratios.items():
        print(f"RESULT capture-{database} ratio={ratio:.2f} target=>=0.5 {'met' if met[database] else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
