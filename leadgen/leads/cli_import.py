"""`flask --app wsgi leads import FILE.csv [--dry-run]`: bring in a list of leads from a spreadsheet."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from .importer import ImportReport, run_import
from .importfile import ImportFileError


def report_lines(report: ImportReport, *, dry_run: bool) -> list[str]:
    """The report in words: each refused line and note, then the counts."""
    would = "would be " if dry_run else ""
    lines = [f"line {refusal.line}: refused: {refusal.reason}" for refusal in report.refusals]
    if report.refused > len(report.refusals):
        lines.append(f"... and {report.refused - len(report.refusals)} more refused line(s)")
    lines += [f"line {note.line}: {note.reason}" for note in report.notes]
    lines.append(
        f"{report.rows} row(s): {report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.refused} refused"
    )
    if report.new_without_consent:
        lines.append(
            f"{report.new_without_consent} new lead(s) {would}imported without marketing consent: "
            "their row lacks some or all of consent_text, consent_at, consent_ip"
        )
    if report.consent_not_applied:
        lines.append(f"{report.consent_not_applied} known lead(s): consent in the file not applied (theirs stays)")
    if dry_run:
        lines.append("dry run: nothing was changed")
    return lines


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what the file would do; change nothing.")
@with_appcontext
def import_command(path: Path, dry_run: bool):
    """Import leads from a CSV file (UTF-8): columns email, first_name, and optionally
    consent_text, consent_at, consent_ip, tags, source.

    Marketing consent only where a row has all three consent cells; erased addresses are refused;
    a known lead only gains tags (and a first name if it has none). Bad rows are listed with their
    line numbers and the good rows are imported; a file that cannot be read imports nothing.
    """
    try:
        if dry_run:
            with path.open("rb") as stream:
                report = run_import(stream, apply=False)
        else:
            # A dry pass first, so an unreadable file changes nothing and the bar knows its length.
            with path.open("rb") as stream:
                total = run_import(stream, apply=False).rows
            bar = click.progressbar(length=total, label="Importing leads")
            with bar, path.open("rb") as stream:
                report = run_import(stream, apply=True, file_name=path.name, progress=bar.update)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from error
    for line in report_lines(report, dry_run=dry_run):
        click.echo(line)
