"""`flask --app wsgi staff ...`"""

import click


@click.group("staff")
def staff_cli():
    """Manage staff accounts and API tokens."""
