"""Years of sent mail in the outbox: a claim still reads only the rows still to send."""

import pytest
from sqlalchemy import event, text

from leadgen.extensions import db
from leadgen.outbox.claims import claim_due_messages

SENT_HISTORY = 5000


def add_sent_history(rows: int) -> None:
    """`rows` messages delivered long ago, and the statistics SQLite's planner reads."""
    db.session.execute(
        text(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :rows)"
            " INSERT INTO outbox_messages (kind, category, priority, recipient, recipient_name, template, context,"
            " dedupe_key, message_id, status, due_at, attempts, created_at, sent_at)"
            " SELECT 'email', 'transactional', 0, 'lead' || n || '@example.com', '', 'ebook_delivery', '{}',"
            " 'history:' || n, '<' || n || '@example.com>', 'sent', :long_ago, 1, :long_ago, :long_ago FROM g"
        ),
        {"rows": rows, "long_ago": "2024-01-01 00:00:00.000000"},
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@pytest.mark.sqlite_only
def test_a_claim_reads_no_sent_mail_however_much_there_is(app):
    with app.app_context():
        add_sent_history(SENT_HISTORY)
        statements = []

        def remember(_connection, _cursor, statement, parameters, _context, _executemany):
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            claim_due_messages("test-worker", 10)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        connection = db.session.connection()
        plans = [
            row[-1]
            for statement, parameters in statements
            if statement.lstrip().upper().startswith("SELECT")
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        assert plans
        assert not [step for step in plans if step.startswith("SCAN outbox_messages")], plans
