"""The schema as deployed: `db upgrade` on an empty database builds the tables, columns and indexes the
models describe, and again after `db downgrade base`; `demo seed` is idempotent."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

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


def database_at(database_url: str, revision: str):
    """An engine on the database upgraded as far as `revision` (to fill rows a later migration must keep)."""
    result = flask_cli(database_url, "db", "upgrade", revision)
    assert result.returncode == 0, result.stderr
    return create_engine(database_url)


def assert_schema_matches_the_models(database_url: str) -> None:
    differences = schema_differences(database_url)
    described = "\n".join(repr(difference)[:200] for difference in differences)
    assert differences == [], f"models changed without a migration (run `flask db migrate`):\n{described}"


@pytest.mark.slow
def test_db_upgrade_builds_the_schema_the_models_describe(app, empty_database_url):
    result = flask_cli(empty_database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    # The operator reads which migrations ran, not Alembic announcing its own plugins.
    assert "Running upgrade" in result.stderr and "setup plugin" not in result.stderr, result.stderr
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


def test_upgrade_counts_the_leads_staff_marked_and_its_triggers_keep_counting(app, empty_database_url):
    engine = database_at(empty_database_url, "t12_identity_mailbox")
    insert = text(
        "INSERT INTO leads (email, first_name, source, status, marketing_consent, created_at, updated_at)"
        " VALUES (:email, '', 'ebook', :status, false, '2026-11-01 10:00:00', '2026-11-01 10:00:00')"
    )
    statuses = ["new", "booked", "booked", "contacted", "new"]
    try:
        with engine.begin() as connection:
            for number, status in enumerate(statuses):
                connection.execute(insert, {"email": f"lead{number}@example.com", "status": status})
        after = flask_cli(empty_database_url, "db", "upgrade")
        assert after.returncode == 0, after.stderr

        def kept() -> dict[str, int]:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT status, count FROM lead_status_counts WHERE count > 0"))
                return dict(rows.all())

        assert kept() == {"booked": 2, "contacted": 1}
        with engine.begin() as connection:
            connection.execute(text("UPDATE leads SET status = 'booked' WHERE email = 'lead0@example.com'"))
            connection.execute(text("DELETE FROM leads WHERE status = 'contacted'"))
        assert kept() == {"booked": 3}
    finally:
        engine.dispose()


def test_upgrade_keeps_on_each_lead_the_offer_its_earliest_activity_names(app, empty_database_url):
    engine = database_at(empty_database_url, "t16_console_indexes")
    lead = text(
        "INSERT INTO leads (id, email, first_name, source, status, marketing_consent, soft_bounces, created_at,"
        " updated_at) VALUES (:id, :email, '', :source, 'new', false, 0, '2026-11-01 10:00:00', '2026-11-01 10:00:00')"
    )
    activity = text(
        "INSERT INTO activities (id, lead_id, kind, detail, created_at)"
        " VALUES (:id, :lead_id, 'did', :detail, '2026-11-01 10:00:00')"
    )
    # Lead 1 commented, then took an ebook, then a webinar; lead 2 took only a webinar; lead 3 no offer.
    details = [(1, '{"post": "gut"}'), (1, '{"ebook": "Gut health"}'), (1, '{"webinar": "live-q-and-a"}')]
    details += [(2, '{"webinar": "live-q-and-a"}'), (3, '{"best_time": "morning"}')]
    try:
        with engine.begin() as connection:
            for number, source in ((1, "comment"), (2, "webinar"), (3, "callback")):
                connection.execute(lead, {"id": number, "email": f"lead{number}@example.com", "source": source})
            for number, (lead_id, detail) in enumerate(details, start=1):
                connection.execute(activity, {"id": number, "lead_id": lead_id, "detail": detail})
        after = flask_cli(empty_database_url, "db", "upgrade")
        assert after.returncode == 0, after.stderr
        with engine.connect() as connection:
            kept = dict(connection.execute(text("SELECT id, first_offer FROM leads")).all())
        assert kept == {1: "Gut health", 2: "live-q-and-a", 3: None}
    finally:
        engine.dispose()


def search_index_options(database_url: str) -> list[str]:
    """The storage options PostgreSQL keeps for the console search's trigram index."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT reloptions FROM pg_class WHERE relname = 'ix_leads_name_email_search'")
            return connection.scalar(query) or []
    finally:
        engine.dispose()


@pytest.mark.postgresql_only
@pytest.mark.slow
def test_the_search_index_writes_entries_straight_in_both_as_migrated_and_as_declared(app, empty_database_url):
    """No pending list for a search to read through (t17_search_index_fastupdate): after `db upgrade`,
    and in a database the models built (the tests', `demo`)."""
    result = flask_cli(empty_database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert search_index_options(empty_database_url) == ["fastupdate=off"]
    assert search_index_options(app.config["SQLALCHEMY_DATABASE_URI"]) == ["fastupdate=off"]
