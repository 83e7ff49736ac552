"""`flask --app wsgi leads ...`"""

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from .cli_import import import_command
from .export import count_leads, logged_csv_export
from .filters import LeadFilterSchema
from .models import SOURCES, STATUSES
from .purge import purge_command


@click.group("leads")
def leads_cli():
    """Export, import and maintain leads."""


@leads_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="CSV file to write.")
@click.option("--source", type=click.Choice(SOURCES), help="Only leads from this source.")
@click.option("--status", type=click.Choice(STATUSES), help="Only leads in this status.")
@click.option("--consent", type=click.Choice(("yes", "no")), help="yes: may receive marketing mail.")
@click.option("--since", help="Created on or after this day (YYYY-MM-DD, clinic time zone).")
@click.option("--until", help="Created on or before this day (YYYY-MM-DD, clinic time zone).")
@click.option("--q", "q", help="Part of the name or email.")
@click.option("--webinar", help="Slug of a webinar the leads are registered for.")
@click.option("--tag", help="Only leads carrying this tag.")
@click.option("--campaign", help="Only leads whose first touch had this utm_campaign.")
@with_appcontext
def export(out: str, **options):
    """Write the leads as CSV (the console's export), with a progress bar; logged as "cli"."""
    try:
        filters = LeadFilterSchema().load({name: value for name, value in options.items() if value})
    except ValidationError as error:
        messages = "; ".join(f"--{name}: {' '.join(text)}" for name, text in error.normalized_messages().items())
        raise click.UsageError(messages) from error
    written = 0

    def advance(rows: int) -> None:
        nonlocal written
        written += rows
        bar.update(rows)

    with open(out, "wb") as file, click.progressbar(length=count_leads(filters), label="Exporting leads") as bar:
        for chunk in logged_csv_export(filters, actor="cli", progress=advance):
            file.write(chunk)
    click.echo(f"wrote {written} lead(s) to {out}")


leads_cli.add_command(purge_command)
leads_cli.add_command(import_command)
