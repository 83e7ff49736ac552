"""Who may open what: every console path and staff API endpoint, by role, and CSRF on every staff form."""

import re

import pytest

from leadgen.admin.console import require_staff
from leadgen.extensions import db
from leadgen.outbox.service import enqueue

from .helpers import add_lead, csrf_token_from, staff_token

PUBLIC_ADMIN_ENDPOINTS = {"staff.login", "staff.login_submit", "staff.logout"}
# Console pages a marketing user may not open: they answer the console's 403 page.
ADMIN_ONLY_ENDPOINTS = {
    "leads_admin.confirm_erase",
    "leads_admin.erase",
    "leads_admin.erasures",
    "leads_admin.exports",
    "staff_admin.index",
    "staff_admin.create",
    "staff_admin.change_role",
    "staff_admin.deactivate",
    "staff_admin.activate",
    "staff_admin.new_password",
    "staff_admin.issue_token",
    "staff_admin.revoke_tokens",
    "webhooks_admin.index",
    "webhooks_admin.create",
    "webhooks_admin.disable",
    "webhooks_admin.enable",
    # The consent sentence is a legal text: marketing reads it, admins change or restore it.
    "content_admin.save_consent_text",
    "content_admin.restore_consent_text",
}

# (method, path, marketing answers, admin answers); {lead} and {message} are filled in.
CONSOLE = [
    ("GET", "/admin/", 200, 200),
    ("GET", "/admin/leads", 200, 200),
    ("GET", "/admin/leads/{lead}", 200, 200),
    ("GET", "/admin/leads/{lead}/export.json", 200, 200),
    ("POST", "/admin/leads/{lead}/status", 303, 303),
    ("POST", "/admin/leads/{lead}/tags", 303, 303),
    ("POST", "/admin/leads/{lead}/tags/remove", 303, 303),
    ("GET", "/admin/leads/tags?bulk_tag=vip&action=add", 200, 200),
    ("POST", "/admin/leads/tags", 422, 422),  # no tag in the form: the person is told so
    ("GET", "/admin/leads/import", 200, 200),
    ("GET", "/admin/reports?by=campaign", 200, 200),
    ("GET", "/admin/reports/conversions.csv", 200, 200),
    ("POST", "/admin/leads/import", 422, 422),  # no file in the form: the person is told so
    ("POST", "/admin/outbox/{message}/retry", 303, 303),
    ("GET", "/admin/leads/{lead}/erase", 403, 200),
    ("POST", "/admin/leads/{lead}/erase", 403, 303),
    ("GET", "/admin/erasures", 403, 200),
    ("GET", "/admin/staff", 403, 200),
    ("GET", "/admin/account", 200, 200),
    ("POST", "/admin/account/password", 422, 422),  # no passwords in the form: the person is told so
    ("POST", "/admin/staff", 403, 422),  # no email or password in the form: the admin is told so
    ("GET", "/admin/broadcasts", 200, 200),
    ("GET", "/admin/broadcasts/new", 200, 200),
    ("POST", "/admin/broadcasts/new", 422, 422),  # no subject or body: the person is told so
]
STAFF_API = [
    ("GET", "/api/v1/leads", None, 200, 200),
    ("GET", "/api/v1/reports/conversions?by=article", None, 200, 200),
    ("PATCH", "/api/v1/leads/{lead}", {"status": "contacted"}, 200, 200),
    ("GET", "/api/v1/leads/{lead}/export", None, 200, 200),
    ("PUT", "/api/v1/leads/{lead}/tags/vip", None, 204, 204),
    ("DELETE", "/api/v1/leads/{lead}/tags/vip", None, 204, 204),
    ("DELETE", "/api/v1/leads/{lead}", None, 403, 204),
]
# Other domains' staff endpoints, with valid bodies: a token is needed for each.
WEBINAR = {
    "title": "Gut health",
    "starts_at": "2030-01-15T18:00:00Z",
    "duration_minutes": 60,
    "capacity": 50,
    "join_url": "https://meet.example/x",
    "description": "Q&A",
}
OTHER_STAFF_API = [
    ("GET", "/api/v1/comments", None),
    ("PATCH", "/api/v1/comments/1", {"status": "approved"}),
    ("POST", "/api/v1/webinars", WEBINAR),
    ("POST", "/api/v1/broadcasts", {"subject": "News", "body": "Hello"}),
    ("GET", "/api/v1/broadcasts/1", None),
]


@pytest.fixture
def ids(app):
    """A lead with a failed message, so every path has something real to show."""
    lead_id = add_lead(app, "ana@example.com", consent=True)
    with app.app_context():
        enqueue(template="ebook_delivery", recipient="ana@example.com", dedupe_key="t:1", lead_id=lead_id)
        db.session.commit()
        from leadgen.outbox.models import OutboxMessage

        message = db.session.scalars(db.select(OutboxMessage)).one()
        message.status = "failed"
        db.session.commit()
        return {"lead": lead_id, "message": message.id}


def admin_routes(app, ids, with_endpoints=False):
    """(method, path) of every console route but sign-in and sign-out, with ids filled in;
    with_endpoints: (method, path, endpoint)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ADMIN_ENDPOINTS:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1).removesuffix("_id"), 1)), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path, rule.endpoint) if with_endpoints else (method, path))
    return routes


def test_every_console_blueprint_has_the_sign_in_guard(app):
    """One guard, installed the same way on each console blueprint, so no page can forget it."""
    console = {rule.endpoint.partition(".")[0] for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")}
    console -= {endpoint.partition(".")[0] for endpoint in PUBLIC_ADMIN_ENDPOINTS}
    assert {"admin", "leads_admin", "blog_admin", "webinars_admin", "staff_admin", "webhooks_admin"} <= console
    for name in console:
        assert require_staff in app.before_request_funcs.get(name, []), name


def test_marketing_gets_the_403_page_on_every_admin_only_console_path(app, client, auth, ids):
    auth.sign_in(role="marketing")
    token = csrf_token_from(client.get("/admin/").get_data(as_text=True))
    routes = admin_routes(app, ids, with_endpoints=True)
    assert {endpoint for _method, _path, endpoint in routes} >= ADMIN_ONLY_ENDPOINTS
    for method, path, endpoint in routes:
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        if endpoint in ADMIN_ONLY_ENDPOINTS:
            assert response.status_code == 403, (method, path, response.status_code)
            assert "Not allowed for your role" in response.get_data(as_text=True), (method, path)
        else:
            assert response.status_code != 403, (method, path)


def test_every_console_path_sends_a_signed_out_visitor_to_sign_in(app, client, ids):
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    routes = admin_routes(app, ids)
    assert len(routes) >= len(CONSOLE)
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.location.startswith("/admin/login?next="), (method, path)


@pytest.mark.parametrize("role", ["marketing", "admin"])
@pytest.mark.parametrize(("method", "path", "marketing", "admin"), CONSOLE)
def test_console_by_role(app, client, ids, role, method, path, marketing, admin, auth):
    auth.sign_in(role=role)
    url = path.format(**ids)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token_from(client.get("/admin/").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "status": "booked"})
    expected = marketing if role == "marketing" else admin
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected == 403:
        page = response.get_data(as_text=True)
        assert "Not allowed for your role" in page and "needs the admin role" in page


def test_unknown_lead_pages_are_404(app, client, auth):
    auth.sign_in()
    for path in ("/admin/leads/999", "/admin/leads/999/export.json", "/admin/leads/999/erase"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("role", [None, "marketing", "admin"])
@pytest.mark.parametrize(("method", "path", "body", "marketing", "admin"), STAFF_API)
def test_staff_api_by_role(app, client, ids, role, method, path, body, marketing, admin):
    headers = staff_token(app, f"{role}@clinic.example", role) if role else {}
    response = client.open(path.format(**ids), method=method, json=body, headers=headers)
    expected = {None: 401, "marketing": marketing, "admin": admin}[role]
    assert response.status_code == expected, response.get_json()
    if expected in (401, 403):
        assert response.get_json()["code"] == expected


@pytest.mark.parametrize(("method", "path", "body"), OTHER_STAFF_API)
def test_other_staff_endpoints_need_a_token(client, method, path, body):
    assert client.open(path, method=method, json=body).status_code == 401


@pytest.mark.parametrize(("method", "path"), [("PATCH", "/api/v1/leads/999"), ("DELETE", "/api/v1/leads/999")])
def test_staff_api_unknown_lead_is_404(app, client, method, path):
    response = client.open(path, method=method, json={"status": "booked"}, headers=staff_token(app))
    assert response.status_code == 404
    assert client.get("/api/v1/leads/999/export", headers=staff_token(app, "b@clinic.example")).status_code == 404


def test_every_staff_form_refuses_a_post_without_csrf(app, client, ids, auth):
    auth.sign_in()
    posts = [path for method, path in admin_routes(app, ids) if method == "POST"]
    posts += ["/admin/login", "/admin/logout"]
    for path in posts:
        response = client.post(path, data={"status": "booked", "email": "admin@clinic.example"})
        assert response.status_code == 400, path
        assert "reload the page" in response.get_data(as_text=True)
