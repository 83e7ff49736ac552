"""`flask db ...`: Flask-Migrate's commands (upgrade, migrate, downgrade, ...), wired on first use.

Flask-Migrate imports alembic, which costs about as much start-up as SQLAlchemy's ORM. Only
`flask db` needs it, so it is imported when that group runs; every other command and every
web process starts without it.
"""

from pathlib import Path

import click
from flask import g
from flask.cli import ScriptInfo, with_appcontext

from .extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class MigrationCommands(click.Group):
    """Stands in for Flask-Migrate's `db` group: wires Flask-Migrate to the app, then hands over."""

    def flask_migrate_commands(self, ctx: click.Context) -> click.Group:
        """Flask-Migrate's own `db` group, with the app's migrations set up."""
        from flask_migrate import Migrate  # here for start-up time: it imports alembic
        from flask_migrate.cli import db as commands

        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            Migrate(app, db, directory=str(MIGRATIONS))
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.flask_migrate_commands(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.flask_migrate_commands(ctx).get_command(ctx, name)


@click.group("db", cls=MigrationCommands)
@click.option("-d", "--directory", default=None, help=f"Migration script directory (default {MIGRATIONS.name}/)")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def migration_cli(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Database migrations (Flask-Migrate): `db upgrade` builds or updates the schema."""
    # The options of Flask-Migrate's own group, passed on the way it reads them.
    g.directory = directory
    g.x_arg = x_arg
