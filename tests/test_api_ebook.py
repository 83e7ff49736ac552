"""POST /api/v1/ebook-requests: what the clinic's website gets back, and what it never stores."""

import threading

import pytest
from sqlalchemy import func, select

from leadgen.extensions import db
from leadgen.leads.models import Activity, Consent, Lead
from leadgen.outbox.models import OutboxMessage

URL = "/api/v1/ebook-requests"
VALID = {"email": "ana@example.com", "first_name": "Ana", "consent": True}


def stored_rows(app) -> dict[str, int]:
    """How many leads, consents, activities and queued messages exist."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Lead, Consent, Activity, OutboxMessage)
        }


NOTHING = {"Lead": 0, "Consent": 0, "Activity": 0, "OutboxMessage": 0}


def test_request_answers_202_accepted_and_queues_the_mail(app, client, smtp, deliver):
    body = {**VALID, "utm_source": "partner-site", "utm_campaign": "spring"}
    response = client.post(URL, json=body)
    assert response.status_code == 202
    assert response.get_json() == {"status": "accepted"}
    assert "Set-Cookie" not in response.headers  # the API is cookie-free
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.first_name, lead.source) == ("ana@example.com", "Ana", "ebook")
        assert (lead.utm_source, lead.utm_campaign, lead.marketing_consent) == ("partner-site", "spring", True)
    deliver()
    [mail] = smtp.messages
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"


def test_the_api_neither_reads_nor_sets_the_pages_session_cookie(app, client):
    client.get("/ebook")  # a page: its form's CSRF token goes in the session cookie
    assert client.get_cookie("session") is not None
    response = client.post(URL, json=VALID)
    assert response.status_code == 202
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_asking_twice_within_the_hour_answers_as_a_stranger_would_and_mails_once(app, client, smtp, deliver):
    first = client.post(URL, json=VALID)
    second = client.post(URL, json={**VALID, "email": " ANA@Example.com"})
    stranger = client.post(URL, json={**VALID, "email": "new@example.com"})
    assert first.status_code == second.status_code == stranger.status_code == 202
    assert first.get_json() == second.get_json() == stranger.get_json() == {"status": "accepted"}
    deliver()
    assert sorted(mail["To"].addresses[0].addr_spec for mail in smtp.messages) == [
        "ana@example.com",
        "new@example.com",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "ana@example"}, "email"),
        ({"email": ""}, "email"),
        ({"email": None}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"first_name": 42}, "first_name"),
        ({"first_name": "Ana\r\nBcc: victim@example.org"}, "first_name"),
        ({"consent": "perhaps"}, "consent"),
        ({"utm_source": "x" * 101}, "utm_source"),
        ({"utm_medium": "a\nb"}, "utm_medium"),
        ({"utm_campaign": ["spring"]}, "utm_campaign"),
    ],
)
def test_each_bad_field_gets_422_naming_it_and_nothing_is_stored(app, client, changes, field):
    response = client.post(URL, json={**VALID, **changes})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) and message for message in errors[field])
    assert stored_rows(app) == NOTHING


@pytest.mark.parametrize("missing", ["email", "first_name"])
def test_missing_required_field_gets_422(app, client, missing):
    body = {key: value for key, value in VALID.items() if key != missing}
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert missing in response.get_json()["errors"]
    assert stored_rows(app) == NOTHING


def test_a_json_value_that_is_not_an_object_gets_422(app, client):
    response = client.post(URL, json=["ana@example.com", "Ana"])
    assert response.status_code == 422
    assert stored_rows(app) == NOTHING


# The last is valid JSON nested too deeply for the parser (a RecursionError, not a ValueError).
@pytest.mark.parametrize("body", ["not json", '{"email": "ana@example.com",', "\xff\xfe", "[" * 5000 + "]" * 5000])
def test_a_body_that_is_not_json_gets_400_in_json(app, client, body):
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == 400
    assert stored_rows(app) == NOTHING


def test_an_oversized_body_gets_413_in_json(app, client):
    huge = {**VALID, "first_name": "A" * app.config["MAX_CONTENT_LENGTH"]}
    response = client.post(URL, json=huge)
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert stored_rows(app) == NOTHING


def test_no_cr_or_lf_reaches_a_mail_header(app, client, smtp, deliver):
    injections = ["Ana\r\nBcc: victim@example.org", "Ana\nSubject: hacked", "Ana\rX-Evil: 1", "Ana\u0085Bcc: x@y.z"]
    for name in injections:
        assert client.post(URL, json={**VALID, "first_name": name}).status_code == 422
    # A name with commas, quotes and non-ASCII letters is fine, and stays inside To:.
    assert client.post(URL, json={**VALID, "first_name": 'José "Pepe", Jr.'}).status_code == 202
    deliver()
    [mail] = smtp.messages
    assert [envelope.rcpt_tos for envelope in smtp.handler.envelopes] == [["ana@example.com"]]
    assert mail["To"].addresses[0].display_name == 'José "Pepe", Jr.'
    for name, value in mail.items():
        assert "\r" not in value and "\n" not in value, name
    assert mail["Bcc"] is None and mail["X-Evil"] is None and "hacked" not in mail["Subject"]


def test_openapi_document_lists_the_path_with_its_schemas(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    operation = document["paths"]["/api/v1/ebook-requests"]["post"]
    assert operation["summary"] == "Request the free ebook"
    assert "202" in operation["responses"] and "422" in operation["responses"]
    assert "201" not in operation["responses"]
    schemas = document["components"]["schemas"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = schemas[request_ref.rsplit("/", 1)[-1]]
    assert {"email", "first_name", "consent", "utm_source"} <= set(request_schema["properties"])
    assert {"email", "first_name"} <= set(request_schema["required"])
    answer_ref = operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schemas[answer_ref.rsplit("/", 1)[-1]]["properties"]) == {"status"}


@pytest.fixture
def cors_client(make_app, app):
    return make_app(CORS_ORIGINS=["https://www.clinic.example"]).test_client()


def test_cors_allows_the_configured_origin_without_credentials(cors_client):
    origin = {"Origin": "https://www.clinic.example"}
    preflight = cors_client.options(
        URL,
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://www.clinic.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    response = cors_client.post(URL, json=VALID, headers=origin)
    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == "https://www.clinic.example"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_ignores_another_origin(cors_client):
    origin = {"Origin": "https://evil.example"}
    preflight = cors_client.options(URL, headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = cors_client.post(URL, json={**VALID, "email": "other@example.com"}, headers=origin)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_twenty_simultaneous_requests_for_one_address_make_one_lead(app):
    """Same person, 20 requests at the same instant: one lead, 20 activities, no error."""
    barrier = threading.Barrier(20)
    statuses = []

    def request_ebook():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(URL, json=VALID).status_code)

    threads = [threading.Thread(target=request_ebook) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [202] * 20
    rows = stored_rows(app)
    assert (rows["Lead"], rows["Activity"], rows["Consent"]) == (1, 20, 20)
    with app.app_context():
        templates = list(db.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)))
    assert templates.count("ebook_delivery") == 1
