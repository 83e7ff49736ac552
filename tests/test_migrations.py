"""The schema as deployed: `db upgrade` on an empty database builds the tables, columns and indexes the
models describe, and again after `db downgrade base`; `demo seed` is idempotent."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from leadgen.extensions import db

from .helpers import row_counts

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def flask_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ...` as an operator (or the Procfile's release step) would."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-not-for-production"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def schema_differences(database_url: str) -> list:
    """What Alembic's autogenerate finds between the database and the models: tables, columns and
    their types and nullability, indexes and unique constraints (empty when they match)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def table_names(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def assert_schema_matches_the_models(database_url: str) -> None:
    differences = schema_differences(database_url)
    described = "\n".join(repr(difference)[:200] for difference in differences)
    assert differences == [], f"models changed without a migration (run `flask db migrate`):\n{described}"


@pytest.mark.slow
def test_db_upgrade_builds_the_schema_the_models_describe(app, empty_database_url):
    result = flask_cli(empty_database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert_schema_matches_the_models(empty_database_url)


@pytest.mark.slow
def test_db_upgrade_twice_then_down_and_up_again_gives_the_same_schema(app, empty_database_url):
    """The newest migration undone and redone (each migration is the newest when it is added), then
    every migration undone: nothing is left behind, and upgrading again builds the same schema."""
    for args in (("upgrade",), ("upgrade",), ("downgrade", "--", "-1"), ("upgrade",)):
        result = flask_cli(empty_database_url, "db", *args)
        assert result.returncode == 0, (args, result.stderr)
    assert_schema_matches_the_models(empty_database_url)

    down = flask_cli(empty_database_url, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert table_names(empty_database_url) == {"alembic_version"}
    up = flask_cli(empty_database_url, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert_schema_matches_the_models(empty_database_url)


def test_demo_seed_twice_changes_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        after_first = row_counts()
    ebook = Path(app.config["EBOOK_PATH"]).read_bytes()
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert row_counts() == after_first
    assert Path(app.config["EBOOK_PATH"]).read_bytes() == ebook
    assert "ebook: kept" in second.output
