"""What every benchmark needs: a free port, a PostgreSQL database of its own, the app under
gunicorn as the Procfile runs it, and a staff user signed in through the login form."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(url: str):
    """An autocommit connection to the server's `postgres` database (to create or drop others)."""
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def recreate_postgresql(url: str) -> str:
    """Drop and create the benchmark's own database; return its SQLAlchemy URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def postgresql_exists(url: str) -> bool:
    """True when the database of `url` exists (a kept benchmark database)."""
    name = urlsplit(url).path.lstrip("/")
    with admin_connection(url) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


@contextmanager
def gunicorn(database_url: str, log_path: Path, options: list[str]):
    """The app under gunicorn with `options` (the Procfile's); yields (port, master pid)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "benchmark-secret-key"}
    env.update(RATELIMIT_ENABLED="false", MAIL_SERVER="")
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), *options, "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start; see {log_path}") from None
                time.sleep(0.1)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_opener(port: int, email: str, password: str) -> urllib.request.OpenerDirector:
    """Sign a staff user in through the login form (CSRF token and all); return the cookie-carrying opener."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects)
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/admin/login").read().decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update(email=email, password=password)
    try:
        opener.open(f"{base}/admin/login", data=urllib.parse.urlencode(fields).encode())
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise SystemExit(f"sign-in failed with {answer.code}") from None
    return opener
