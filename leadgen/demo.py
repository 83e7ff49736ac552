"""`flask --app wsgi demo seed`: the sample ebook, an article and upcoming webinars."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .blog.posts import seed_demo_article
from .ebook.offers import stored_default_offer
from .extensions import db
from .webinars.demo import seed_demo_webinars


def seed_ebook() -> str:
    """The default ebook offer (/ebook), and the sample ebook where EBOOK_PATH points unless a file is already there."""
    stored_default_offer()
    db.session.commit()
    path = Path(current_app.config["EBOOK_PATH"])
    if path.exists():
        return f"ebook: kept {path}"
    # Imported here, not at the top: fpdf takes longer to import than Flask, for every CLI command.
    from .ebook.sample import write_sample_ebook

    write_sample_ebook(path, current_app.config["CLINIC_NAME"], current_app.config["OFFICE_PHONE"])
    return f"ebook: wrote {path}"


SEEDERS = (seed_ebook, seed_demo_article, seed_demo_webinars)


@click.group("demo")
def demo_cli():
    """Demo content for a laptop or a staging site."""


@demo_cli.command("seed")
@with_appcontext
def seed():
    """Add demo content; running it twice changes nothing."""
    for seeder in SEEDERS:
        click.echo(seeder())
