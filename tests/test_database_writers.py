"""Writers take turns (on SQLite by locks of their own, for threads and processes), never waiting on a finished one."""

import fcntl
import threading

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.leads.models import Lead


def write_in_thread(app, email: str) -> threading.Thread:
    """Insert a lead from another thread, with its own app context and connection; returns the thread."""

    def write() -> None:
        with app.app_context():
            db.session.add(Lead(email=email, source="ebook"))
            db.session.commit()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def emails(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Lead.email)))


def test_a_connection_kept_after_its_commit_or_rollback_does_not_hold_up_other_writers(app):
    with app.app_context(), db.engine.connect() as kept:
        for end in (kept.commit, kept.rollback):
            kept.execute(select(1))
            end()  # the connection stays checked out, as the outbox worker's does for a batch
            writer = write_in_thread(app, f"after-{end.__name__}@example.com")
            writer.join(timeout=10)
            assert not writer.is_alive(), f"a writer waited on a connection after its {end.__name__}"
    assert emails(app) == {"after-commit@example.com", "after-rollback@example.com"}


def test_a_writer_waits_for_the_open_write_transaction_then_goes(app):
    with app.app_context():
        db.session.add(Lead(email="first@example.com", source="ebook"))
        db.session.flush()  # the write transaction is open
        writer = write_in_thread(app, "second@example.com")
        writer.join(timeout=0.5)
        db.session.commit()
    writer.join(timeout=10)
    assert not writer.is_alive()
    assert emails(app) == {"first@example.com", "second@example.com"}


@pytest.mark.sqlite_only
def test_on_sqlite_a_writer_waits_while_another_process_holds_the_writers_lock_file(app):
    with app.app_context():
        lock_file = f"{db.engine.url.database}-writers"
    # Another open file of the lock, as another process (a second gunicorn worker) would hold it.
    with open(lock_file, "a") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        writer = write_in_thread(app, "waited@example.com")
        writer.join(timeout=0.5)
        assert writer.is_alive(), "the writer went while another process was writing"
        fcntl.flock(other_process, fcntl.LOCK_UN)
        writer.join(timeout=10)
    assert not writer.is_alive()
    assert emails(app) == {"waited@example.com"}
