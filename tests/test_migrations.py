"""The schema as deployed: `db upgrade` on an empty database matches the models; `demo seed` is idempotent."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from leadgen.extensions import db

from .helpers import row_counts

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def flask_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ...` as an operator (or the Procfile's release step) would."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-not-for-production"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_db_upgrade_builds_the_schema_the_models_describe(app, empty_database_url):
    result = flask_cli(empty_database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    described = "\n".join(repr(difference)[:200] for difference in differences)
    assert differences == [], f"models changed without a migration (run `flask db migrate`):\n{described}"


def test_db_upgrade_twice_changes_nothing(empty_database_url):
    assert flask_cli(empty_database_url, "db", "upgrade").returncode == 0
    again = flask_cli(empty_database_url, "db", "upgrade")
    assert again.returncode == 0, again.stderr


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
    before = flask_cli(empty_database_url, "db", "upgrade", "t12_identity_mailbox")
    assert before.returncode == 0, before.stderr
    engine = create_engine(empty_database_url)
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
