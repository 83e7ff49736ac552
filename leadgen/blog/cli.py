"""`flask --app wsgi blog import FILE.md...`: add or update articles."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from .posts import PostImportError, import_file


@click.group("blog")
def blog_cli():
    """Manage the blog's articles."""


@blog_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def import_command(files):
    """Create or update articles from Markdown files with YAML front matter (title, slug, date, summary)."""
    failed = 0
    for path in files:
        try:
            post, outcome = import_file(path)
        except PostImportError as error:
            failed += 1
            click.echo(f"{path}: not imported: {error}", err=True)
            continue
        click.echo(f"{path}: {outcome} /blog/{post.slug}")
    if failed:
        raise click.exceptions.Exit(1)
