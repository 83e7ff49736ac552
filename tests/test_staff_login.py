"""Signing in and out of the console: same answer for any wrong part, local redirects only, a rate limit."""

import pytest
from werkzeug import security

from leadgen.config import load_settings
from leadgen.extensions import db
from leadgen.staff import service
from leadgen.staff.service import find_staff_user

from .helpers import STAFF_PASSWORD, csrf_token_from, make_staff, sign_in, submit_form


def saved_session_cookie(client) -> str:
    """The session cookie as the browser holds it (what someone could copy, or a back-up keeps)."""
    return client.get_cookie("session").value


def client_with_cookie(app, cookie: str):
    """Another browser that replays a saved session cookie."""
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    return replay


def test_sign_in_goes_where_the_user_was_going(app, client):
    make_staff(app)
    bounced = client.get("/admin/leads?source=ebook")
    assert bounced.status_code == 302
    assert "/admin/login?next=" in bounced.location

    response = submit_form(client, bounced.location, {"email": "ADMIN@clinic.example ", "password": STAFF_PASSWORD})
    assert response.status_code == 303
    assert response.location == "/admin/leads?source=ebook"
    assert client.get("/admin/leads").status_code == 200


def test_a_signed_in_user_skips_the_form(app, client, auth):
    auth.sign_in(role="marketing")
    response = client.get("/admin/login?next=/admin/leads")
    assert response.status_code == 302 and response.location == "/admin/leads"
    nav = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/comments"' in nav and 'href="/admin/exports"' not in nav  # admin-only pages stay out of view


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(app, client, target):
    make_staff(app)
    response = submit_form(
        client, "/admin/login", {"email": "admin@clinic.example", "password": STAFF_PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.location == "/admin/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("admin@clinic.example", "wrong password!"), ("nobody@clinic.example", STAFF_PASSWORD)],
)
def test_wrong_email_or_password_get_the_same_answer(app, client, email, password):
    make_staff(app)
    response = sign_in(client, email, password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That email and password do not match an account." in page
    assert password not in page  # the password is never echoed back
    assert client.get("/admin/").status_code == 302


def test_missing_fields_are_named(app, client):
    response = submit_form(client, "/admin/login", {"email": " ", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter your email address." in page and "Enter your password." in page


@pytest.mark.parametrize("email", ["admin\x00@clinic.example", "admin@clinic.example\r\nX: y", "not an address"])
def test_an_email_no_account_could_have_is_a_field_message(app, client, email):
    make_staff(app)
    response = submit_form(client, "/admin/login", {"email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_out_needs_the_form_and_ends_the_session(app, client, auth):
    auth.sign_in()
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Sign out" in dashboard

    assert client.post("/admin/logout").status_code == 400  # no CSRF token: refused
    assert client.get("/admin/").status_code == 200

    response = client.post("/admin/logout", data={"csrf_token": csrf_token_from(dashboard)})
    assert response.status_code == 303 and response.location == "/admin/login"
    assert "You are signed out." in client.get("/admin/login").get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_a_saved_cookie_opens_nothing_after_signing_out(app, client, auth):
    auth.sign_in()
    other_device = app.test_client()
    sign_in(other_device)
    cookie = saved_session_cookie(client)
    assert client_with_cookie(app, cookie).get("/admin/leads").status_code == 200  # the copy works while signed in

    dashboard = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf_token": csrf_token_from(dashboard)}).status_code == 303
    replayed = client_with_cookie(app, cookie).get("/admin/leads")
    assert replayed.status_code == 302 and replayed.location.startswith("/admin/login")
    assert other_device.get("/admin/leads").status_code == 302  # signing out ends the account's every session
    assert sign_in(app.test_client()).status_code == 303  # and signing in again starts a new one


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@clinic.example", STAFF_PASSWORD),  # no such account
        ("off@clinic.example", STAFF_PASSWORD),  # switched off
        ("admin@clinic.example", "wrong password!"),
        ("admin@clinic.example", STAFF_PASSWORD),
    ],
)
def test_sign_in_checks_one_password_hash_whoever_the_address_is(app, client, monkeypatch, email, password):
    """The work (one password hash check of the same kind) is the same for every address, so timing tells nothing."""
    make_staff(app)
    make_staff(app, "off@clinic.example", "marketing")
    with app.app_context():
        find_staff_user("off@clinic.example").active = False
        db.session.commit()
        real_method = find_staff_user("admin@clinic.example").password_hash.split("$")[0]
    checked = []

    def counted(pwhash: str, candidate: str) -> bool:
        checked.append(pwhash.split("$")[0])  # the hasher and its parameters, e.g. scrypt:32768:8:1
        return security.check_password_hash(pwhash, candidate)

    monkeypatch.setattr(service, "check_password_hash", counted)
    sign_in(client, email, password)
    assert checked == [real_method]


def test_passwords_are_stored_as_scrypt_hashes_unless_a_setting_says_otherwise(make_app, tmp_path, monkeypatch):
    """The suite signs staff in with a cheap hasher (conftest); a deployment keeps scrypt."""
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    default = load_settings(tmp_path)["PASSWORD_HASH_METHOD"]
    app = make_app(PASSWORD_HASH_METHOD=default)
    make_staff(app)
    with app.app_context():
        assert find_staff_user("admin@clinic.example").password_hash.startswith("scrypt:32768:8:1$")


@pytest.mark.slow
def test_sign_in_attempts_are_limited_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="10/minute")
    make_staff(app)
    client = app.test_client()
    for _ in range(10):
        assert sign_in(client, password="wrong password!").status_code == 422
    blocked = sign_in(client)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    # Someone at another address is not held up by this one.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert sign_in(elsewhere).status_code == 303


@pytest.mark.slow
def test_guessing_the_current_password_is_limited_like_signing_in(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute")
    make_staff(app)
    client = app.test_client()
    sign_in(client)
    guess = {"current_password": "a guess", "password": "a long new password"}
    for _ in range(3):
        assert submit_form(client, "/admin/account", guess, PASSWORD_FORM).status_code == 422
    blocked = submit_form(client, "/admin/account", {**guess, "current_password": STAFF_PASSWORD}, PASSWORD_FORM)
    assert blocked.status_code == 429
    assert "Too many password attempts" in blocked.get_data(as_text=True)
    assert sign_in(app.test_client(), password=STAFF_PASSWORD).status_code == 303  # the password is unchanged


def test_session_cookie_is_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    make_staff(app)
    client = app.test_client()
    response = sign_in(client)
    cookie = next(value for name, value in response.headers.items() if name == "Set-Cookie" and "session=" in value)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


PASSWORD_FORM = "/admin/account/password"


@pytest.mark.slow
def test_anyone_signed_in_changes_their_own_password(app, client, auth):
    auth.sign_in(role="marketing", email="mia@clinic.example")
    elsewhere = app.test_client()  # the same person signed in on another device
    sign_in(elsewhere, "mia@clinic.example")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/account"' in page
    assert "mia@clinic.example" in client.get("/admin/account").get_data(as_text=True)

    wrong_current = {"current_password": "not it", "password": "a long new password"}
    wrong = submit_form(client, "/admin/account", wrong_current, PASSWORD_FORM)
    assert wrong.status_code == 422
    assert 'id="current_password-error"' in wrong.get_data(as_text=True)
    assert "That is not your current password." in wrong.get_data(as_text=True)
    too_short = {"current_password": STAFF_PASSWORD, "password": "short"}
    short = submit_form(client, "/admin/account", too_short, PASSWORD_FORM)
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    assert sign_in(app.test_client(), "mia@clinic.example", STAFF_PASSWORD).status_code == 303  # unchanged so far

    new = {"current_password": STAFF_PASSWORD, "password": "a long new password"}
    changed = submit_form(client, "/admin/account", new, PASSWORD_FORM)
    assert changed.status_code == 303 and changed.location == "/admin/account"
    assert "Your password is changed." in client.get(changed.location).get_data(as_text=True)
    assert client.get("/admin/leads").status_code == 200  # this session carries on
    assert elsewhere.get("/admin/leads").status_code == 302  # sessions of the old password end
    assert sign_in(app.test_client(), "mia@clinic.example", STAFF_PASSWORD).status_code == 422
    assert sign_in(app.test_client(), "mia@clinic.example", "a long new password").status_code == 303


@pytest.mark.parametrize("method", ["scrypt", "scrypt:16384:8:1", "pbkdf2", "pbkdf2:sha256", "pbkdf2:sha256:1000"])
def test_a_password_hasher_werkzeug_takes_is_accepted(tmp_path, monkeypatch, method):
    monkeypatch.setenv("PASSWORD_HASH_METHOD", method)
    assert load_settings(tmp_path)["PASSWORD_HASH_METHOD"] == method


@pytest.mark.parametrize(
    "method", ["bcrypt", "md5", "scrypt:1:2", "scrypt:0:8:1", "pbkdf2:nohash", "pbkdf2:sha256:x", "pbkdf2:sha256:١٠٠"]
)
def test_a_password_hasher_werkzeug_refuses_stops_start_up_saying_so(tmp_path, monkeypatch, method):
    """Not a sign-in that fails with a server error later: the setting is named at start-up."""
    monkeypatch.setenv("PASSWORD_HASH_METHOD", method)
    with pytest.raises(ValueError, match="PASSWORD_HASH_METHOD must be scrypt"):
        load_settings(tmp_path)
