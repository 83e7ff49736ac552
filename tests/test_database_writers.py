"""Writers wait for each other instead of failing, and never wait on a finished one."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select, update

from leadgen.extensions import db
from leadgen.leads.models import Lead

# How long the first writer keeps its transaction open while the second one tries.
HOLD_SECONDS = 0.5


def in_thread(app, write) -> tuple[threading.Thread, dict]:
    """Run `write()` then commit, in another thread with its own app context and connection.

    Returns the thread and what it saw: when it committed, or the error it met.
    """
    seen = {}

    def run() -> None:
        with app.app_context():
            try:
                write()
                db.session.commit()
                seen["committed_at"] = time.monotonic()
            except Exception as error:  # handed to the test, which fails with it
                seen["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, seen


def add_lead(email: str):
    return lambda: db.session.add(Lead(email=email, source="ebook"))


def rename(email: str, first_name: str):
    return lambda: db.session.execute(update(Lead).where(Lead.email == email).values(first_name=first_name))


def emails(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Lead.email)))


def test_a_connection_kept_after_its_commit_or_rollback_does_not_hold_up_other_writers(app):
    with app.app_context(), db.engine.connect() as kept:
        for end in (kept.commit, kept.rollback):
            kept.execute(select(1))
            end()  # the connection stays checked out, as a long task's may
            writer, seen = in_thread(app, add_lead(f"after-{end.__name__}@example.com"))
            writer.join(timeout=10)
            assert not writer.is_alive(), f"a writer waited on a connection after its {end.__name__}"
            assert "error" not in seen
    assert emails(app) == {"after-commit@example.com", "after-rollback@example.com"}


def test_a_second_writer_waits_until_the_first_commits_then_writes_after_it(app):
    with app.app_context():
        db.session.add(Lead(email="ana@example.com", source="ebook"))
        db.session.commit()
        rename("ana@example.com", "First")()  # the write transaction is open
        second, seen = in_thread(app, rename("ana@example.com", "Second"))
        second.join(timeout=HOLD_SECONDS)
        assert second.is_alive(), f"the second writer did not wait: {seen}"
        first_committed_at = time.monotonic()
        db.session.commit()
    second.join(timeout=10)
    assert not second.is_alive()
    assert "error" not in seen, seen["error"]
    assert seen["committed_at"] >= first_committed_at
    with app.app_context():
        assert db.session.scalar(select(Lead.first_name)) == "Second"  # written after the first, not lost


@pytest.mark.sqlite_only
def test_on_sqlite_a_writer_waits_for_another_process_holding_the_write_lock(app):
    with app.app_context():
        path = db.engine.url.database
    # A connection of its own, as another process (a second gunicorn worker, the sqlite3 tool) has.
    other_process = sqlite3.connect(path, isolation_level=None)
    try:
        other_process.execute("BEGIN IMMEDIATE")
        other_process.execute(
            "INSERT INTO leads (email, first_name, source, status, marketing_consent, created_at, updated_at)"
            " VALUES ('other@example.com', '', 'ebook', 'new', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        writer, seen = in_thread(app, add_lead("waited@example.com"))
        writer.join(timeout=HOLD_SECONDS)
        assert writer.is_alive(), f"the writer did not wait: {seen}"
        other_committed_at = time.monotonic()
        other_process.execute("COMMIT")
        writer.join(timeout=10)
    finally:
        other_process.close()
    assert not writer.is_alive()
    assert "error" not in seen, seen["error"]
    assert seen["committed_at"] >= other_committed_at
    assert emails(app) == {"other@example.com", "waited@example.com"}
