"""Schemathesis against /api/v1/openapi.json of the running app: every operation, staff
ones with a bearer token; no 5xx, and every response as the document describes it.

The document is read once at collection (from an app without a database) so each
operation is its own test; the requests go over HTTP to the live server.
"""

import base64
import tempfile
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leadgen import create_app
from leadgen.extensions import db
from leadgen.staff.service import create_staff_user, issue_token

from .drills.content import first_value, seed_demo
from .helpers import row_counts, staff_token
from .odd_unicode import IDS, RawNumber, json_body, odd_json_values, odd_text

MAX_EXAMPLES = 25
# No 5xx, every status, content type, header and body as documented, and staff operations
# refuse a request without the token. (Whether the schemas say every rule the server
# enforces, e.g. "not empty", is not checked: the 422 answers are documented.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


def openapi_document() -> dict:
    """The app's OpenAPI document, as /api/v1/openapi.json serves it."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "openapi", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": instance})
        with app.test_client() as client:
            document = client.get("/api/v1/openapi.json").get_json()
        with app.app_context():
            db.engine.dispose()
    return document


schema = schemathesis.openapi.from_dict(openapi_document())


def existing_resources(app, base_url: str) -> dict:
    """Real path parameters: the demo article and webinar, a lead and a comment made through the API."""
    seed_demo(app)
    with app.app_context():
        found = {
            "webinars": first_value("leadgen.webinars.models", "Webinar"),
            "posts": first_value("leadgen.blog.models", "Post"),
        }
        db.session.remove()
    requests.post(
        f"{base_url}/api/v1/ebook-requests", json={"email": "ana@example.com", "first_name": "Ana"}, timeout=10
    )
    with app.app_context():  # the answer names no lead (it never tells who is known): look it up
        found["lead_id"] = first_value("leadgen.leads.models", "Lead", "id")
        db.session.remove()
    if found.get("posts"):
        comment = requests.post(
            f"{base_url}/api/v1/posts/{found['posts']}/comments",
            json={"name": "Ana", "email": "ana@example.com", "body": "Thank you for this article."},
            timeout=10,
        )
        if comment.status_code == 202:
            found["comment_id"] = comment.json()["id"]
    return found


@pytest.fixture
def api(app, live_server):
    """The live server with content, an admin's API token, and ids that exist: (URL, headers, ids)."""
    resources = existing_resources(app, live_server)
    with app.app_context():
        token = issue_token(create_staff_user("fuzz@clinic.example", "fuzzing-password-1234", "admin"), "fuzz")
        db.session.remove()
    return live_server, {"Authorization": f"Bearer {token}"}, resources


def with_existing_ids(case, resources: dict) -> dict | None:
    """The case's path parameters pointed at rows that exist, or None if it has none we know."""
    parameters = dict(case.path_parameters or {})
    for name in parameters:
        key = case.path.split("/")[3] if name == "slug" else name  # /api/v1/<webinars|posts>/{slug}
        if resources.get(key) is None:
            return None
        parameters[name] = resources[key]
    return parameters or None


def needs_staff(case) -> bool:
    """True when the operation declares the bearer token."""
    return bool(case.operation.definition.raw.get("security"))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_operation(case, api):
    base_url, staff_headers, resources = api
    headers = staff_headers if needs_staff(case) else {}
    case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)
    # The same body and query against rows that exist, where random ids would only find 404s.
    if (existing := with_existing_ids(case, resources)) is not None:
        case.path_parameters = existing
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)


# --- Odd Unicode and huge numbers in every field and id (Hypothesis, through the test client) ---

# A valid body for each request schema, so the one odd field is all that is wrong.
VALID_BODIES = {
    "EbookRequest": {"email": "ana@example.com", "first_name": "Ana", "consent": True},
    "Registration": {"email": "ana@example.com", "first_name": "Ana", "consent": True},
    "CommentCreate": {"name": "Ana", "email": "ana@example.com", "body": "Thank you for this article."},
    "WebinarCreate": {
        "title": "Gut health",
        "starts_at": "2030-01-01T15:00:00Z",
        "duration_minutes": 60,
        "capacity": 20,
        "join_url": "https://meet.example.com/gut",
    },
    "WebinarPatch": {"capacity": 30},
    "CommentStatus": {"status": "approved"},
    "LeadStatus": {"status": "booked"},
    "BroadcastCreate": {"subject": "News for {first_name}", "body": "Hello {first_name}", "audience": {}},
    "CallbackRequest": {"email": "cal@example.com", "first_name": "Cal", "phone": "(312) 555-0100"},
    "CallbackStatus": {"status": "called"},
}


def operations(document: dict) -> list[dict]:
    """Every operation of the document with the fields of its body and its query parameters."""
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":  # the path's own, not an operation
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema_name = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            properties = document["components"]["schemas"].get(schema_name, {}).get("properties", {})
            query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "schema": schema_name,
                    "fields": list(properties),
                    "query": query,
                }
            )
    return found


OPERATIONS = operations(schema.raw_schema)


@pytest.fixture
def odd_api(make_app):
    """The app with content, one lead and one comment, and an admin token: (client, headers, path values)."""
    app = make_app()
    seed_demo(app)
    client = app.test_client()
    headers = staff_token(app, "odd@clinic.example")
    with app.app_context():
        post = first_value("leadgen.blog.models", "Post")
        webinar = first_value("leadgen.webinars.models", "Webinar")
        db.session.remove()
    ebook = client.post("/api/v1/ebook-requests", json=VALID_BODIES["EbookRequest"])
    comment = client.post(f"/api/v1/posts/{post}/comments", json=VALID_BODIES["CommentCreate"])
    callback = client.post("/api/v1/callback-requests", json=VALID_BODIES["CallbackRequest"])
    assert ebook.status_code < 300 and comment.status_code < 300, (ebook.get_data(), comment.get_data())
    assert callback.status_code < 300, callback.get_data()
    with app.app_context():
        values = {
            "lead_id": first_value("leadgen.leads.models", "Lead", "id"),
            "comment_id": comment.json["id"],
            "callback_id": first_value("leadgen.callbacks.models", "CallbackRequest", "id"),
        }
        db.session.remove()
    return app, client, headers, values | {"posts": post, "webinars": webinar}


def filled_path(path: str, values: dict, odd_id: str | None) -> str:
    """The path with its parameters: existing rows, or the odd id in place of every number."""
    for name in ("lead_id", "comment_id", "callback_id"):
        path = path.replace(f"{{{name}}}", quote(odd_id) if odd_id is not None else str(values[name]))
    if "{slug}" in path:  # /api/v1/<webinars|posts>/{slug}
        path = path.replace("{slug}", values[path.split("/")[3]])
    return path


def send(odd_api, operation: dict, body: dict, odd_id: str | None = None, query: dict | None = None):
    """One request of the operation with this body (existing rows in its path, or the odd id);
    returns (response, row counts before it)."""
    app, client, headers, values = odd_api
    with app.app_context():
        before = row_counts()
        db.session.remove()
    response = client.open(
        filled_path(operation["path"], values, odd_id),
        method=operation["method"],
        query_string=query or {},
        data=json_body(body) if operation["schema"] else None,
        content_type="application/json",
        headers=headers,
    )
    return response, before


def assert_nothing_stored(odd_api, before: dict) -> None:
    with odd_api[0].app_context():
        assert row_counts() == before
        db.session.remove()


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_odd_unicode_and_huge_numbers_in_any_field_or_id_get_a_4xx_and_store_nothing(odd_api, data):
    """Lone surrogates, digits of every script, confusables, thousands of digits: never a 500,
    and a refused request leaves every table as it was."""
    operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
    odd_id = data.draw(st.none() | IDS, label="id") if "_id}" in operation["path"] else None
    body = dict(VALID_BODIES.get(operation["schema"], {}))
    if operation["fields"]:
        body[data.draw(st.sampled_from(operation["fields"]), label="field")] = data.draw(odd_json_values())
    query = {}
    if operation["query"]:
        query[data.draw(st.sampled_from(operation["query"]), label="parameter")] = data.draw(odd_text(surrogates=False))
    response, before = send(odd_api, operation, body, odd_id, query)
    assert response.status_code < 500, (operation["method"], odd_id, body, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert response.json["message"], "a refusal says why"
        assert_nothing_stored(odd_api, before)


@pytest.mark.parametrize(
    ("operation", "field"),
    [(operation, field) for operation in OPERATIONS for field in operation["fields"]],
    ids=lambda value: value["path"] if isinstance(value, dict) else value,
)
def test_a_lone_surrogate_in_any_body_field_is_a_422_naming_the_field(odd_api, operation, field):
    body = {**VALID_BODIES[operation["schema"]], field: "Ana\ud800"}
    response, before = send(odd_api, operation, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "broken character" in response.json["errors"][field][0]
    assert_nothing_stored(odd_api, before)


def test_a_number_of_thousands_of_digits_is_a_400_not_a_500(odd_api):
    [operation] = [operation for operation in OPERATIONS if operation["schema"] == "CommentCreate"]
    for field in ("parent_id", "consent", "name"):
        body = {**VALID_BODIES["CommentCreate"], field: RawNumber("9" * 5000)}
        response, before = send(odd_api, operation, body)
        assert response.status_code == 400, (field, response.get_data(as_text=True))
        assert response.json["message"]
        assert_nothing_stored(odd_api, before)


@pytest.mark.parametrize("odd_id", ["9" * 30, "9" * 5000, "٣", "²", "-5", "0", "1.5"])
def test_a_page_cursor_naming_an_odd_id_is_a_422(odd_api, odd_id):
    """A cursor is ours (base64 of "time|id"), but anyone can edit one."""
    _app, client, headers, _values = odd_api
    cursor = base64.urlsafe_b64encode(f"2026-11-24T12:00:00+00:00|{odd_id}".encode()).decode()
    response = client.get("/api/v1/leads", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"]["cursor"] == ["This page link is not valid; start again from the first page."]
