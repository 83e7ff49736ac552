"""`flask staff ...`: accounts and API tokens from the shell, with clear refusals."""

import pytest

from .helpers import STAFF_PASSWORD, sign_in


def create(runner, email="ops@clinic.example", role="admin", password=STAFF_PASSWORD):
    return runner.invoke(args=["staff", "create", email, "--role", role, "--password-stdin"], input=password + "\n")


def test_created_account_can_sign_in_and_is_listed(runner, client):
    result = create(runner, email="Ops@Clinic.example ")
    assert result.exit_code == 0, result.output
    assert "Created ops@clinic.example (admin)" in result.output

    assert sign_in(client, "ops@clinic.example").status_code == 303

    listed = runner.invoke(args=["staff", "list"])
    assert listed.exit_code == 0
    assert "ops@clinic.example  admin" in listed.output and "tokens: 0" in listed.output


def test_password_prompt_asks_twice(runner):
    result = runner.invoke(
        args=["staff", "create", "m@clinic.example", "--role", "marketing"],
        input=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert STAFF_PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff", "create", "a@clinic.example", "--role", "owner", "--password-stdin"], "unknown role 'owner'"),
        (["staff", "create", "not-an-email", "--role", "admin", "--password-stdin"], "is not an email address"),
        (["staff", "token", "nobody@clinic.example"], "no staff account for nobody@clinic.example"),
        (["staff", "revoke", "nobody@clinic.example"], "no staff account for nobody@clinic.example"),
    ],
)
def test_refusals_exit_1_with_a_message(runner, args, message):
    result = runner.invoke(args=args, input=STAFF_PASSWORD + "\n")
    assert result.exit_code == 1
    assert message in result.output


def test_short_password_and_duplicate_are_refused(runner):
    short = create(runner, password="short")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert create(runner).exit_code == 0
    again = create(runner, email="OPS@clinic.example")
    assert again.exit_code == 1 and "ops@clinic.example already has an account" in again.output


def test_token_works_until_revoked(runner, client):
    create(runner, role="marketing")
    issued = runner.invoke(args=["staff", "token", "ops@clinic.example", "--label", "CRM"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    assert token.startswith("lg_") and "(CRM)" in issued.output
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/leads", headers=headers).status_code == 200
    assert "tokens: 1" in runner.invoke(args=["staff", "list"]).output

    revoked = runner.invoke(args=["staff", "revoke", "ops@clinic.example"])
    assert revoked.exit_code == 0 and "Revoked 1 token of ops@clinic.example" in revoked.output
    assert client.get("/api/v1/leads", headers=headers).status_code == 401
    assert client.get("/api/v1/leads", headers={"Authorization": "Bearer lg_forged"}).status_code == 401


def test_list_without_accounts_says_how_to_make_one(runner):
    result = runner.invoke(args=["staff", "list"])
    assert result.exit_code == 0 and "No staff accounts yet" in result.output
