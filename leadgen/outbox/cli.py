"""`flask --app wsgi outbox ...`"""

import click
from flask.cli import with_appcontext

from .service import count_by_status
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
    """Print how many messages are queued, sent, failed..."""
    counts = count_by_status()
    for name in ("queued", "sending", "sent", "failed", "cancelled"):
        click.echo(f"{name:>10}: {counts.get(name, 0)}")
