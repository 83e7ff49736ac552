"""The benchmark's yardstick: a bare Flask app whose one endpoint inserts one row.

Same database (DATABASE_URL), same SQLite tuning, same gunicorn settings as the product,
so bench/capture/run can say what our capture costs on top of a bare insert.
Not part of the product.
"""

import os
import uuid

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, event, func, insert

metadata = MetaData()
rows = Table(
    "bench_baseline_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
)


def sqlalchemy_url(url: str) -> str:
    """DATABASE_URL as the product reads it (postgres:// mapped to psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str):
    """An engine tuned like the product's: WAL and a busy timeout on SQLite."""
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def on_connect(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def create_table(url: str) -> None:
    """Create the baseline's table (the run script calls this before starting gunicorn)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])

    @app.post("/rows")
    def add_row():
        email = (request.get_json(silent=True) or {}).get("email") or f"{uuid.uuid4().hex}@example.com"
        with engine.begin() as connection:
            row_id = connection.execute(insert(rows).values(email=email).returning(rows.c.id)).scalar_one()
        return jsonify({"id": row_id}), 201

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
