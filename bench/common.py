"""What every benchmark needs: a free port and a fresh PostgreSQL database of its own."""

import socket
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_postgresql(url: str) -> str:
    """Drop and create the benchmark's own database; return its SQLAlchemy URL."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))
