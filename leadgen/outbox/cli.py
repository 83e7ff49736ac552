"""`flask --app wsgi outbox ...`"""

import click
from flask.cli import with_appcontext

from ..broadcasts.service import recipients_waiting
from ..config import parse_duration
from ..database import utcnow
from .service import PURGE_BATCH, count_by_status, count_sent_before, purge_sent
from .worker import run_worker


@click.group("outbox")
def outbox_cli():
    """Deliver and inspect queued mail."""


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@with_appcontext
def work(once: bool):
    """Deliver due messages until stopped (or, with --once, until none is due)."""
    sent = run_worker(once=once)
    if once:
        click.echo(f"processed {sent} message(s)")


@outbox_cli.command("status")
@with_appcontext
def status():
    """Print how many messages are queued, sent, failed..., and the broadcast mail still to be queued."""
    counts = count_by_status()
    for name in ("queued", "sending", "sent", "failed", "cancelled"):
        click.echo(f"{name:>10}: {counts.get(name, 0)}")
    waiting = recipients_waiting()
    click.echo(
        f"{'waiting':>10}: {waiting['recipients']} broadcast recipient(s) of {waiting['broadcasts']} broadcast(s),"
        " not in the outbox yet (the worker queues them a batch at a time)"
    )


@outbox_cli.command("purge")
@click.option("--sent-before", "age", required=True, help="Delete mail delivered longer ago than this: 90d, 12h...")
@click.option("--dry-run", is_flag=True, help="Count the messages, delete nothing.")
@click.option("--batch-size", default=PURGE_BATCH, show_default=True, help="Messages deleted per transaction.")
@with_appcontext
def purge(age: str, dry_run: bool, batch_size: int):
    """Delete delivered mail older than --sent-before; its dedupe keys stay, so nothing is sent twice."""
    try:
        if age.strip()[-1:].isdigit():  # a bare number would be seconds: almost certainly a slip
            raise ValueError(f"{age!r} has no unit: write e.g. 90d (days) or 12h (hours)")
        cutoff = utcnow() - parse_duration(age)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--sent-before") from error
    count = count_sent_before(cutoff)
    if dry_run:
        click.echo(f"would delete {count} message(s) sent before {cutoff:%Y-%m-%d %H:%M} UTC")
        return
    deleted = 0
    with click.progressbar(length=count, label="Deleting sent mail") as bar:
        for batch in purge_sent(cutoff, batch_size):
            deleted += batch
            bar.update(batch)
    click.echo(f"deleted {deleted} message(s) sent before {cutoff:%Y-%m-%d %H:%M} UTC; their dedupe keys are kept")
