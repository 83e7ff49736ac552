"""The Procfile's processes share their counters: a scrape of either gunicorn worker shows what
both workers and the outbox worker counted; and with LOG_FORMAT=json every line is JSON,
gunicorn's own included."""

import json
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from prometheus_client.mmap_dict import MmapedDict

from .procfile import procfile_command, procfile_env, run_procfile, running_web
from .test_metrics import CAPTURE_URL, TOKEN, parse, timed, value

pytestmark = pytest.mark.slow


def post_capture(base: str, email: str) -> None:
    body = json.dumps({"email": email, "first_name": "Ana", "consent": True}).encode()
    request = Request(f"{base}{CAPTURE_URL}", body, {"Content-Type": "application/json"}, method="POST")
    with urlopen(request, timeout=10) as answer:
        assert answer.status < 300


def scrape(base: str) -> dict:
    request = Request(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urlopen(request, timeout=10) as answer:
        return parse(answer.read().decode())


def processes_that_answered(metrics_dir: Path, route: str) -> set[str]:
    """The pids whose histogram file (prometheus-client's, one per process) has timed `route`."""
    return {
        path.stem.rsplit("_", 1)[1]
        for path in metrics_dir.glob("histogram_*.db")
        if any(route in key for key, *_rest in MmapedDict.read_all_values_from_file(str(path)))
    }


def run_to_the_end(process: str, env: dict, log: Path, *arguments: str) -> None:
    """Run a Procfile process (with extra arguments) until it exits; it must succeed."""
    with log.open("ab") as output:
        exit_code = run_procfile(" ".join([procfile_command(process), *arguments]), env, output).wait(timeout=120)
    assert exit_code == 0, log.read_text()


def test_counters_add_up_across_two_gunicorn_workers_and_the_outbox_worker(tmp_path):
    # Not set nor made here: the Procfile's wrapper puts it in $TMPDIR and makes it.
    metrics_dir = tmp_path / "leadgen-metrics"
    env = procfile_env(
        tmp_path,
        TMPDIR=str(tmp_path),
        WEB_CONCURRENCY="2",
        METRICS_TOKEN=TOKEN,
        LOG_FORMAT="json",
        RATELIMIT_ENABLED="false",
        MAIL_SERVER="",
        MAIL_FILE_DIR=str(tmp_path / "mail"),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "web.log"
    run_to_the_end("release", env, tmp_path / "release.log")
    with running_web(env, log) as base:
        posted = 0
        # Until both workers have taken captures (the kernel hands connections to either).
        while posted < 4 or len(processes_that_answered(metrics_dir, CAPTURE_URL)) < 2:
            assert posted < 200, "one gunicorn worker took every request"
            post_capture(base, f"lead{posted}@example.com")
            posted += 1
        for samples in [scrape(base) for _ in range(6)]:  # whichever worker answers, the same sums
            assert value(samples, "leadgen_leads_captured_total", source="ebook") == posted
            assert value(samples, "leadgen_outbox_messages", status="queued", category="transactional") == posted
            assert timed(samples, "POST", CAPTURE_URL) == posted

        run_to_the_end("worker", env, tmp_path / "worker.log", "--once")
        drained = scrape(base)
        assert value(drained, "leadgen_outbox_sent_total", kind="email", category="transactional") == posted
        assert value(drained, "leadgen_outbox_messages", status="queued", category="transactional") == 0
    assert len(list((tmp_path / "mail").glob("*.eml"))) == posted

    records = [json.loads(line) for line in log.read_text().splitlines()]  # gunicorn's own lines too
    assert {"gunicorn.error", "leadgen.requests"} <= {record["logger"] for record in records}
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
    captures = [record for record in records if record.get("route") == CAPTURE_URL]
    assert len(captures) == posted
    for record in captures:
        assert {"time", "level", "logger", "message", "request_id", "route", "status", "duration_ms"} <= set(record)
        assert record["logger"] == "leadgen.requests" and record["status"] < 300
    assert "@example.com" not in log.read_text()
