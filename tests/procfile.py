"""Run the Procfile's own commands as the platform does: a shell expands them, then becomes the process."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from .mailserver import free_port

PROJECT = Path(__file__).resolve().parent.parent


def procfile_command(process: str) -> str:
    """The Procfile's command line for `process` (web, worker, release)."""
    prefix = f"{process}:"
    line = next(line for line in (PROJECT / "Procfile").read_text().splitlines() if line.startswith(prefix))
    return line.removeprefix(prefix).strip()


def procfile_env(tmp_path: Path, **settings: str) -> dict:
    """The environment of a Procfile process on a SQLite database in tmp_path, `settings` on top."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'leadgen.sqlite3'}",
        "SECRET_KEY": "test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        **settings,
    }


def run_procfile(command: str, env: dict, output) -> subprocess.Popen:
    """Start a Procfile command line in a shell that execs it; its output goes to `output`."""
    return subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=PROJECT, env=env, stdout=output, stderr=output)


@contextmanager
def running_web(env: dict, log: Path) -> Iterator[str]:
    """The Procfile's web process on a free port, answering /healthz; yields its base URL, then stops it."""
    port = free_port()
    with log.open("wb") as output:
        server = run_procfile(procfile_command("web"), {**env, "PORT": str(port)}, output)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)
