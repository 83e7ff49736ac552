"""Fill a benchmark database with N leads and their consents, activities and sent mail, fast.

One INSERT ... SELECT per table over a generated series (generate_series on PostgreSQL, a
recursive CTE on SQLite), so a million leads take seconds and no Python loop per row.
The values are the awkward ones: accents, formula-looking names and campaigns, NULLs.
"""

import json

from sqlalchemy import text

NAMES = ("Ana", "Begoña", "José", "Zoë", "Łukasz", "Renée", "=cmd|' /C calc'!A0", "Ñandú", "O'Brien", "Müller, Jr.")
CAMPAIGNS = ("newsletter", "facebook", "+promo", "@partner", "-2", "spring sale")
# What the first activity of each source names (leads.first_offer keeps it): an ebook's title, a
# webinar's slug; a comment names no offer.
SOURCES = ("ebook", "webinar", "comment")
EBOOK_TITLE = "The 5 Foundations of Autoimmune Diseases"
WEBINAR_SLUG = "gut-health-and-autoimmunity"
FIRST_DETAILS = (json.dumps({"ebook": EBOOK_TITLE}), json.dumps({"webinar": WEBINAR_SLUG}), "{}")


def choose(values: tuple[str, ...], expression: str) -> str:
    """SQL CASE picking values[expression % len(values)] (the same SQL on both databases)."""
    branches = " ".join(
        "WHEN {} THEN '{}'".format(index, value.replace("'", "''")) for index, value in enumerate(values)
    )
    return f"CASE ({expression}) % {len(values)} {branches} END"


class Dialect:
    """The two bits of SQL that differ: the row series and a timestamp N minutes after a start."""

    def __init__(self, name: str, rows: int):
        self.name = name
        self.rows = rows

    def insert(self, table: str, columns: str, select: str, rows: int | None = None) -> str:
        rows = rows or self.rows
        if self.name == "postgresql":
            return f"INSERT INTO {table} ({columns}) SELECT {select} FROM generate_series(1, {rows}) AS s(g)"
        return (
            f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) "
            f"INSERT INTO {table} ({columns}) SELECT {select} FROM s"
        )

    def minutes_after_start(self, minutes: str) -> str:
        if self.name == "postgresql":
            return f"(TIMESTAMP '2025-01-01 00:00:00' + ({minutes}) * INTERVAL '1 minute')"
        return f"strftime('%Y-%m-%d %H:%M:%S.000000', '2025-01-01 00:00:00', ({minutes}) || ' minutes')"

    def boolean(self, condition: str) -> str:
        return f"({condition})" if self.name == "postgresql" else f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    def json(self, expression: str) -> str:
        return f"CAST({expression} AS json)" if self.name == "postgresql" else expression


def sent_mail(d: Dialect, rows: int, ids: str, lead_id: str, dedupe_key: str, minutes: str = "g") -> str:
    """INSERT of `rows` delivered ebook mails; ids, lead ids (or NULL), dedupe keys and the
    minutes after the start they were sent (negative: before it) are SQL over g."""
    created = d.minutes_after_start(minutes)
    return d.insert(
        "outbox_messages",
        "id, kind, category, recipient, recipient_name, template, context, lead_id, dedupe_key, message_id,"
        " status, due_at, attempts, created_at, sent_at",
        f"{ids}, 'email', 'transactional', 'lead' || COALESCE({lead_id}, g) || '@example.com', '', 'ebook_delivery',"
        f" '{{}}', {lead_id}, {dedupe_key}, '<' || {ids} || '@bench>', 'sent', {created}, 1, {created}, {created}",
        rows,
    )


def run(connection, dialect_name: str, statements: list[str], tables: tuple[str, ...]) -> None:
    """Execute the fill's statements, move the tables' id sequences past them, ANALYZE; commits."""
    for statement in statements:
        connection.execute(text(statement.replace(":", "\\:")))
    connection.commit()
    if dialect_name == "postgresql":
        for table in tables:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
        connection.commit()
    connection.execute(text("ANALYZE"))
    connection.commit()


def fill_sent_mail(connection, dialect_name: str, rows: int, first_id: int) -> None:
    """Add `rows` delivered mails (no lead) with ids from `first_id`: an outbox with years of history.

    One a minute up to the start (2025-01-01), so all of it is in the past: sent mail "from the
    future" would sit in every range of recent mail (the broadcast rate's "sent in the last minute").
    """
    d = Dialect(dialect_name, rows)
    history = f"g - {rows}"
    statement = sent_mail(d, rows, f"({first_id - 1} + g)", "CAST(NULL AS INTEGER)", "'history:' || g", history)
    run(connection, dialect_name, [statement], ("outbox_messages",))


def fill(connection, dialect_name: str, rows: int) -> None:
    """Insert `rows` leads (id = g) and their related rows; commits."""
    d = Dialect(dialect_name, rows)
    created = d.minutes_after_start("g")
    null_unless = "CASE WHEN {} THEN {} ELSE NULL END".format
    statements = [
        d.insert(
            "leads",
            "id, email, first_name, source, first_offer, status, utm_source, utm_medium, utm_campaign,"
            " marketing_consent, confirmed_at, unsubscribed_at, bounced_at, created_at, updated_at",
            f"g, 'lead' || g || '@example.com', {choose(NAMES, 'g')}, {choose(SOURCES, 'g')},"
            f" CASE g % 3 WHEN 0 THEN '{EBOOK_TITLE}' WHEN 1 THEN '{WEBINAR_SLUG}' END,"
            f" {choose(('new', 'new', 'contacted', 'booked'), 'g')},"
            f" {null_unless('g % 3 > 0', choose(CAMPAIGNS, 'g'))}, {null_unless('g % 3 > 0', repr('email'))},"
            f" {null_unless('g % 5 > 0', choose(CAMPAIGNS, 'g / 7'))}, {d.boolean('g % 2 = 0')},"
            f" {null_unless('g % 4 = 0', created)}, {null_unless('g % 20 = 0', created)}, NULL, {created}, {created}",
        ),
        d.insert(
            "consents",
            "id, lead_id, purpose, granted, text, text_version, ip_address, user_agent, created_at",
            f"g, 2 * g, 'marketing_email', {d.boolean('1 = 1')}, 'Yes, send me occasional emails from the clinic.',"
            f" '2026-11-v1', '203.0.113.7', 'bench', {d.minutes_after_start('2 * g')}",
            rows // 2,
        ),
        d.insert(
            "activities",
            "id, lead_id, kind, detail, created_at",
            f"g, g, {choose(('ebook_requested', 'webinar_registered', 'commented'), 'g')},"
            f" {d.json(choose(FIRST_DETAILS, 'g'))}, {created}",
        ),
        d.insert(
            "activities",
            "id, lead_id, kind, detail, created_at",
            f"{rows} + g, 3 * g, 'ebook_downloaded', '{{}}', {d.minutes_after_start('3 * g')}",
            rows // 3,
        ),
        sent_mail(d, rows // 2, "g", "2 * g", "'bench:' || g"),
        # Tags: a rare one (vip, 1 lead in 100) and a common one (newsletter, 1 in 3).
        d.insert("tags", "id, name, created_at", f"g, CASE g WHEN 1 THEN 'vip' ELSE 'newsletter' END, {created}", 2),
        d.insert(
            "lead_tags",
            "tag_id, lead_id, lead_created_at",
            f"1, 100 * g, {d.minutes_after_start('100 * g')}",
            max(rows // 100, 1),
        ),
        d.insert(
            "lead_tags",
            "tag_id, lead_id, lead_created_at",
            f"2, 3 * g, {d.minutes_after_start('3 * g')}",
            max(rows // 3, 1),
        ),
    ]
    tables = ("leads", "consents", "activities", "outbox_messages", "tags")
    run(connection, dialect_name, statements, tables)
