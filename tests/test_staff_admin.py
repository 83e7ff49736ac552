"""The staff page: admins add accounts, change roles, switch accounts off, reset passwords, revoke tokens."""

import re

import pytest

from leadgen.extensions import db
from leadgen.staff.models import StaffUser

from .helpers import STAFF_PASSWORD, csrf_token_from, make_staff, sign_in, staff_token, submit_form
from .test_staff_login import client_with_cookie, saved_session_cookie

NEW_PASSWORD = "a long new password"


def account(app, email: str) -> StaffUser | None:
    with app.app_context():
        user = db.session.scalars(db.select(StaffUser).where(StaffUser.email == email)).first()
        if user is not None:
            db.session.expunge(user)
        return user


def account_id(app, email: str) -> int:
    return account(app, email).id


def post_on_staff_page(client, path: str, data: dict | None = None):
    """Press a button or send a form of the staff page, as a browser would (with its CSRF token)."""
    token = csrf_token_from(client.get("/admin/staff").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def admin(app, client, auth):
    auth.sign_in()
    return client


def test_an_admin_adds_an_account_who_can_then_sign_in(app, admin):
    page = admin.get("/admin/staff").get_data(as_text=True)
    assert "admin@clinic.example" in page and ">you<" in page and 'href="/admin/staff" aria-current="page"' in page

    data = {"email": " Mia@Clinic.example ", "role": "marketing", "password": NEW_PASSWORD}
    response = submit_form(admin, "/admin/staff", data)
    assert response.status_code == 303
    page = admin.get(response.location).get_data(as_text=True)
    assert "Account added: mia@clinic.example (marketing)." in page
    assert account(app, "mia@clinic.example").role == "marketing"

    colleague = app.test_client()
    assert sign_in(colleague, "mia@clinic.example", NEW_PASSWORD).status_code == 303
    assert colleague.get("/admin/leads").status_code == 200
    assert colleague.get("/admin/staff").status_code == 403  # marketing may not manage staff
    assert "/admin/staff" not in colleague.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "role", "password", "field", "message"),
    [
        ("not an address", "marketing", NEW_PASSWORD, "email", "Enter an email address"),
        ("admin@clinic.example", "admin", NEW_PASSWORD, "email", "already has an account"),
        ("mia@clinic.example", "owner", NEW_PASSWORD, "role", "Choose admin or marketing."),
        ("mia@clinic.example", "marketing", "short", "password", "at least 12 characters"),
    ],
)
def test_a_wrong_new_account_is_explained_beside_its_field_and_nothing_is_added(
    app, admin, email, role, password, field, message
):
    data = {"email": email, "role": role, "password": password}
    response = submit_form(admin, "/admin/staff", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert data["password"] not in page  # a password is never sent back
    if field != "email":
        assert f'value="{data["email"]}"' in page  # what was typed stays
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StaffUser)) == 1


def test_switching_an_account_off_ends_its_sessions_and_tokens_for_good(app, admin):
    headers = staff_token(app, "mia@clinic.example", "marketing")
    colleague = app.test_client()
    sign_in(colleague, "mia@clinic.example")
    assert colleague.get("/admin/leads").status_code == 200
    cookie = saved_session_cookie(colleague)
    mia = account_id(app, "mia@clinic.example")

    response = post_on_staff_page(admin, f"/admin/staff/{mia}/deactivate")
    page = admin.get(response.location).get_data(as_text=True)
    assert "mia@clinic.example is switched off: no sign-in, and their API tokens are revoked." in page
    assert colleague.get("/admin/leads").status_code == 302  # back to sign-in
    assert sign_in(app.test_client(), "mia@clinic.example").status_code == 422
    assert app.test_client().get("/api/v1/leads", headers=headers).status_code == 401

    response = post_on_staff_page(admin, f"/admin/staff/{mia}/activate")
    assert "Issue them a new API token if they need one." in admin.get(response.location).get_data(as_text=True)
    assert account(app, "mia@clinic.example").active
    assert app.test_client().get("/api/v1/leads", headers=headers).status_code == 401  # the old token stays revoked
    replayed = client_with_cookie(app, cookie).get("/admin/leads")
    assert replayed.status_code == 302 and replayed.location.startswith("/admin/login")  # so does the old session
    assert colleague.get("/admin/leads").status_code == 302
    assert sign_in(colleague, "mia@clinic.example").status_code == 303  # signing in afresh works
    assert colleague.get("/admin/leads").status_code == 200


def test_an_admin_changes_a_role(app, admin):
    make_staff(app, "mia@clinic.example", "marketing")
    mia = account_id(app, "mia@clinic.example")
    response = post_on_staff_page(admin, f"/admin/staff/{mia}/role", {"role": "admin"})
    assert "mia@clinic.example is now admin." in admin.get(response.location).get_data(as_text=True)
    assert account(app, "mia@clinic.example").role == "admin"
    refused = post_on_staff_page(admin, f"/admin/staff/{mia}/role", {"role": "owner"})
    assert "Choose admin or marketing." in admin.get(refused.location).get_data(as_text=True)
    assert account(app, "mia@clinic.example").role == "admin"


def test_nobody_demotes_or_switches_off_themselves_so_an_admin_always_remains(app, admin):
    me = account_id(app, "admin@clinic.example")
    for path, data in [(f"/admin/staff/{me}/role", {"role": "marketing"}), (f"/admin/staff/{me}/deactivate", {})]:
        response = post_on_staff_page(admin, path, data)
        assert "You cannot change your own account here. Ask another admin." in admin.get(response.location).get_data(
            as_text=True
        )
    mine = account(app, "admin@clinic.example")
    assert mine.role == "admin" and mine.active
    # Nor sets their own password here, without giving the current one.
    response = post_on_staff_page(admin, f"/admin/staff/{me}/password", {"password": NEW_PASSWORD})
    assert "Change your own password on Your account" in admin.get(response.location).get_data(as_text=True)
    assert sign_in(app.test_client(), "admin@clinic.example", STAFF_PASSWORD).status_code == 303
    assert admin.get("/admin/staff").status_code == 200


@pytest.mark.slow
def test_an_admin_sets_a_new_password_for_someone_who_forgot_theirs(app, admin):
    make_staff(app, "mia@clinic.example", "marketing")
    mia = account_id(app, "mia@clinic.example")
    old_session = app.test_client()  # e.g. a laptop left signed in
    sign_in(old_session, "mia@clinic.example")
    short = post_on_staff_page(admin, f"/admin/staff/{mia}/password", {"password": "short"})
    assert short.status_code == 422
    page = short.get_data(as_text=True)
    assert f'id="password-{mia}-error"' in page and "at least 12 characters" in page and "<details open>" in page
    add_form_roles = page.split('<select id="role" name="role"')[1].split("</select>")[0]
    assert '<option value="marketing" selected>' in add_form_roles  # the add form still proposes the lesser role
    assert sign_in(app.test_client(), "mia@clinic.example", STAFF_PASSWORD).status_code == 303  # unchanged
    assert old_session.get("/admin/leads").status_code == 200

    response = post_on_staff_page(admin, f"/admin/staff/{mia}/password", {"password": NEW_PASSWORD})
    assert "New password set for mia@clinic.example." in admin.get(response.location).get_data(as_text=True)
    assert sign_in(app.test_client(), "mia@clinic.example", STAFF_PASSWORD).status_code == 422
    assert sign_in(app.test_client(), "mia@clinic.example", NEW_PASSWORD).status_code == 303
    assert old_session.get("/admin/leads").status_code == 302  # the old password's session is over


def test_revoking_an_accounts_tokens_stops_the_api_for_them(app, admin):
    headers = staff_token(app, "crm@clinic.example", "marketing")
    crm = account_id(app, "crm@clinic.example")
    assert f'action="/admin/staff/{crm}/revoke-tokens"' in admin.get("/admin/staff").get_data(as_text=True)
    response = post_on_staff_page(admin, f"/admin/staff/{crm}/revoke-tokens")
    assert "Revoked 1 API token of crm@clinic.example." in admin.get(response.location).get_data(as_text=True)
    assert app.test_client().get("/api/v1/leads", headers=headers).status_code == 401
    assert f'action="/admin/staff/{crm}/revoke-tokens"' not in admin.get("/admin/staff").get_data(as_text=True)


def test_an_unknown_account_is_a_404(admin):
    assert post_on_staff_page(admin, "/admin/staff/999/deactivate").status_code == 404


def test_an_admin_issues_an_api_token_shown_once(app, admin):
    make_staff(app, "crm@clinic.example", "marketing")
    crm = account_id(app, "crm@clinic.example")
    response = post_on_staff_page(admin, f"/admin/staff/{crm}/tokens", {"label": "  HubSpot   intake "})
    page = admin.get(response.location).get_data(as_text=True)
    assert "API token for crm@clinic.example (HubSpot intake). Store it now" in page
    token = re.search(r"not shown again: (lg_[\w-]+)", page).group(1)
    assert app.test_client().get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in admin.get("/admin/staff").get_data(as_text=True)  # shown once

    post_on_staff_page(admin, f"/admin/staff/{crm}/deactivate")
    refused = post_on_staff_page(admin, f"/admin/staff/{crm}/tokens")
    assert "switch the account on before issuing it a token" in admin.get(refused.location).get_data(as_text=True)
