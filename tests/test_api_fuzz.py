"""Schemathesis against /api/v1/openapi.json of the running app: every operation, staff
ones with a bearer token; no 5xx, and every response as the document describes it.

The document is read once at collection (from an app without a database) so each
operation is its own test; the requests go over HTTP to the live server.
"""

import tempfile

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
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
