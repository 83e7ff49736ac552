"""`flask --app wsgi staff ...`: accounts and API tokens, from the operator's shell."""

import sys

import click
from flask.cli import with_appcontext

from . import service
from .models import ROLES


def staff_user_or_fail(email: str):
    """The account with this email, or exit 1 with a message naming the email."""
    user = service.find_staff_user(email)
    if user is None:
        raise click.ClickException(f"no staff account for {email} (see `staff list`)")
    return user


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("staff")
def staff_cli():
    """Manage staff accounts and API tokens."""


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def create(email: str, role: str, password_stdin: bool):
    """Create a staff account (admin: everything; marketing: all but erasing leads and managing staff)."""
    if role not in ROLES:
        raise click.ClickException(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    try:
        user = service.create_staff_user(email, read_password(password_stdin), role)
    except service.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.email} ({user.role}).")


@staff_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for, e.g. the CRM's name.")
@with_appcontext
def token(email: str, label: str):
    """Issue an API token; it is printed once, as the last line."""
    user = staff_user_or_fail(email)
    issued = service.issue_token(user, label=label[:100])
    click.echo(f"API token for {user.email}{f' ({label})' if label else ''}. Store it now; it is not shown again:")
    click.echo(issued)


@staff_cli.command("revoke")
@click.argument("email")
@with_appcontext
def revoke(email: str):
    """Revoke every API token of an account."""
    user = staff_user_or_fail(email)
    count = service.revoke_tokens(user)
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {user.email}.")


@staff_cli.command("list")
@with_appcontext
def list_accounts():
    """List the accounts with their role, last sign-in and live API tokens."""
    rows = service.list_staff_users()
    if not rows:
        click.echo("No staff accounts yet. Create one with: flask --app wsgi staff create EMAIL --role admin")
        return
    for user, tokens in rows:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never signed in"
        state = "" if user.active else "  (inactive)"
        click.echo(f"{user.email}  {user.role}  {last}  tokens: {tokens}{state}")
