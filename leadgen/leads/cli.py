"""`flask --app wsgi leads ...`"""

import click


@click.group("leads")
def leads_cli():
    """Export and maintain leads."""
