"""Running the service as in production for the drills: gunicorn, outbox workers, HTTP clients.

Everything listens on 127.0.0.1 only; every loop is bounded in count and time.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SilentRelay:
    """A port that completes the TCP handshake and never says a word (nothing accepts).

    Closing it resets the waiting connections, so a real relay can take the port at once.
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(100)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def service_env(database_url: str, mail_port: int, **settings) -> dict:
    """The environment of a web or worker process: the test database, the test relay, quick retries."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "TEST_DATABASE"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="drill-secret-key",
        PUBLIC_BASE_URL="http://leadgen.test",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail_port),
        SMTP_TIMEOUT="2",
        RATELIMIT_ENABLED="false",
        OUTBOX_POLL_INTERVAL="0.1",
        OUTBOX_RETRY_DELAYS=",".join(["1s"] * 10),
        OUTBOX_LEASE="3s",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in settings.items()})
    return env


def wait_until(condition, seconds: float, what: str, interval: float = 0.25) -> None:
    """Poll `condition` until it is true; fail with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Service:
    """The web and worker processes of one drill; stops them all on exit, whatever happened."""

    env: dict
    logs: Path
    processes: list = field(default_factory=list)
    base_url: str = ""

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}-{len(self.processes)}.log", "wb")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        process.log = log
        self.processes.append(process)
        return process

    def start_web(self, workers: int = 2, threads: int = 8) -> str:
        """gunicorn as in the Procfile, on a free loopback port; returns its base URL once it answers."""
        port = free_port()
        self._spawn(
            "web",
            [str(BIN / "gunicorn"), "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5", "wsgi:app"],
        )  # fmt: skip
        self.base_url = f"http://127.0.0.1:{port}"
        wait_until(lambda: get_status(self.base_url, "/healthz") == 200, 30, f"gunicorn on {port}\n{self.log_tail()}")
        return self.base_url

    def start_worker(self) -> subprocess.Popen:
        """`flask --app wsgi outbox work`, as the Procfile's worker."""
        return self._spawn("worker", [str(BIN / "flask"), "--app", "wsgi", "outbox", "work"])

    def log_tail(self, characters: int = 3000) -> str:
        """The end of every process's log, for a failure message."""
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-characters:]}")
        return "\n".join(parts)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()


def get_status(base_url: str, path: str) -> int | None:
    """The status of a GET, or None if nothing answers."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@dataclass
class Tally:
    """What the clients saw: final statuses, and how many attempts had to be repeated."""

    statuses: Counter = field(default_factory=Counter)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)


class Client:
    """One visitor's browser: a keep-alive connection that retries a failed attempt, as people do."""

    def __init__(self, base_url: str, tally: Tally, attempts: int = 1, pause: float = 0.2):
        host, port = base_url.removeprefix("http://").split(":")
        self.address = (host, int(port))
        self.tally = tally
        self.attempts = attempts
        self.pause = pause
        self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def post_json(self, path: str, body: dict) -> int | None:
        """POST the body; on a network error or 5xx try again (up to `attempts`); the final status."""
        payload = json.dumps(body)
        status = None
        for attempt in range(self.attempts):
            if attempt:
                with self.tally.lock:
                    self.tally.retried += 1
                time.sleep(self.pause)
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(*self.address, timeout=15)
                self.connection.request("POST", path, payload, {"Content-Type": "application/json"})
                response = self.connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                with contextlib.suppress(Exception):
                    self.connection.close()
                self.connection = None
                status = None
                continue
            if status < 500:
                break
        with self.tally.lock:
            self.tally.statuses[status or 0] += 1
        return status


def submit_ebook_requests(base_url: str, emails: list[str], clients: int, attempts: int = 1, during=None) -> Tally:
    """Send one ebook request per address from `clients` concurrent clients; `during()` runs meanwhile."""
    tally = Tally()
    local = threading.local()
    opened: list[Client] = []

    def send(email: str) -> None:
        if not hasattr(local, "client"):
            local.client = Client(base_url, tally, attempts=attempts)
            opened.append(local.client)
        local.client.post_json("/api/v1/ebook-requests", {"email": email, "first_name": "Drill"})

    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            futures = [pool.submit(send, email) for email in emails]
            if during is not None:
                during()
            for future in futures:
                future.result(timeout=120)
    finally:
        for client in opened:
            client.close()
    return tally
