"""A private PostgreSQL cluster for the restart drill, so the shared one on 5432 is never touched.

`pg_createcluster <version> leadgen_drill --port 5433` once (kept between runs), then
`pg_ctlcluster` to start and restart it. Needs root and Debian's postgresql-common.
"""

import os
import shutil
import subprocess
from pathlib import Path

import psycopg

CLUSTER = "leadgen_drill"
PORT = 5433
DATABASE = "leadgen_drill"


def installed_version() -> str | None:
    """The newest PostgreSQL server version installed, e.g. "17"."""
    root = Path("/usr/lib/postgresql")
    versions = (
        sorted((p.name for p in root.iterdir() if (p / "bin" / "postgres").exists()), key=float)
        if root.exists()
        else []
    )
    return versions[-1] if versions else None


def why_unavailable() -> str | None:
    """Why the drill cannot run here, or None when it can."""
    if shutil.which("pg_createcluster") is None or shutil.which("pg_ctlcluster") is None:
        return "Debian's postgresql-common (pg_createcluster) is not installed"
    if installed_version() is None:
        return "no PostgreSQL server is installed"
    if os.geteuid() != 0:
        return "creating a PostgreSQL cluster needs root"
    return None


def pg_ctl(action: str, *options: str) -> None:
    """pg_ctlcluster <version> leadgen_drill <action>, waiting for it to finish."""
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", installed_version(), CLUSTER, action, *options],
        check=True,
        capture_output=True,
        timeout=60,
    )


def is_running() -> bool:
    """True when the drill cluster accepts connections."""
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PORT)], timeout=10).returncode == 0


def ensure_cluster() -> str:
    """Create the cluster if missing, start it if stopped, make an empty database; its SQLAlchemy URL."""
    version = installed_version()
    if not Path(f"/etc/postgresql/{version}/{CLUSTER}").exists():
        subprocess.run(
            ["pg_createcluster", version, CLUSTER, "--port", str(PORT), "--", "--auth=trust"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if not is_running():
        pg_ctl("start")
    admin = f"postgresql://postgres@127.0.0.1:{PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/{DATABASE}"


def restart() -> None:
    """Restart the drill cluster, dropping every connection (fast shutdown)."""
    pg_ctl("restart", "-m", "fast")


def stop() -> None:
    """Stop the drill cluster (it is kept on disk for the next run)."""
    if is_running():
        pg_ctl("stop", "-m", "fast")
