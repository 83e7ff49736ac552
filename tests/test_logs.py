"""Logs an operator can read: LOG_FORMAT=json gives one JSON object a line with the request's id,
route, status and duration; and a whole visitor journey leaves no token and no address in them."""

import json
import logging
import re
from datetime import timedelta

import pytest
import time_machine

from leadgen.database import utcnow
from leadgen.logformat import RequestIdFilter, log_formatter

from .helpers import csrf_token_from, links_in, submit_form
from .test_unsubscribe import one_click
from .test_webinars import make_webinar, register

REQUEST_FIELDS = {"time", "level", "logger", "message", "request_id", "route", "status", "duration_ms", "method"}


# The tests' own SMTP server (aiosmtpd) logs each envelope: it is the recipient, not the app.
TEST_MAIL_SERVER_LOG = "mail.log"


def json_lines(caplog) -> list[dict]:
    """Each record the app and its libraries wrote, as LOG_FORMAT=json writes it, parsed back."""
    formatter = log_formatter("json")
    lines = [formatter.format(record) for record in caplog.records if record.name != TEST_MAIL_SERVER_LOG]
    assert all("\n" not in line for line in lines)  # one object a line, tracebacks included
    return [json.loads(line) for line in lines]


@pytest.fixture
def request_ids(caplog):
    """Capture INFO and up, with the request id added to every line as the app's own handler does."""
    caplog.set_level(logging.INFO)
    request_filter = RequestIdFilter()
    caplog.handler.addFilter(request_filter)
    yield caplog
    caplog.handler.removeFilter(request_filter)


def test_text_is_the_default_and_json_is_one_object_a_line(make_app, request_ids):
    assert make_app().config["LOG_FORMAT"] == "text"
    app = make_app()

    @app.get("/crash/<token>")
    def crash(token):
        raise RuntimeError("a bug")

    assert app.test_client().get("/crash/secret-token-value").status_code == 500
    error, access = json_lines(request_ids)[-2:]
    assert set(access) >= REQUEST_FIELDS
    assert (access["logger"], access["level"], access["route"], access["status"]) == (
        "leadgen.requests",
        "INFO",
        "/crash/<token>",
        500,
    )
    assert access["method"] == "GET" and access["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", access["time"])
    # The traceback's line belongs to the same request.
    assert error["level"] == "ERROR" and "RuntimeError: a bug" in error["exc_info"]
    assert error["request_id"] == access["request_id"]
    assert "secret-token-value" not in request_ids.text
    assert not log_formatter("text").format(request_ids.records[-1]).startswith("{")


def test_log_format_other_than_text_or_json_stops_start_up(make_app, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json"):
        make_app()


def test_each_request_gets_its_own_id_and_answers_with_it(client, request_ids):
    first, second = client.get("/healthz"), client.get("/healthz")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert ids[0] != ids[1] and all(re.fullmatch(r"[0-9a-f]{32}", one) for one in ids)
    assert [line["request_id"] for line in json_lines(request_ids)] == ids


def test_a_proxys_plain_request_id_is_kept(client, request_ids):
    answer = client.get("/healthz", headers={"X-Request-ID": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    assert answer.headers["X-Request-ID"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    [line] = json_lines(request_ids)
    assert line["request_id"] == "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(
    "offered",
    ["ana@example.com", "InRva2VuIg.aBcDeF.signature", "x" * 100, "short", "abc def ghi", "semi;colon-1234"],
    ids=["email", "signed-token", "long", "too-short", "spaces", "semicolon"],
)
def test_a_request_id_that_could_carry_anything_else_is_replaced(client, request_ids, offered):
    answer = client.get("/healthz", headers={"X-Request-ID": offered})
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    assert offered not in request_ids.text and offered not in json.dumps(json_lines(request_ids))


def test_a_journey_leaves_no_token_and_no_address_in_any_log_line(app, client, smtp, deliver, request_ids):
    """Ebook with consent, its download, the follow-up's unsubscribe, a webinar seat and its cancelling."""
    address = "ana.private@example.com"
    submit_form(client, "/ebook", {"first_name": "Ana", "email": address, "consent": "y"}, action="/ebook")
    deliver()
    [download] = [url for url in links_in(smtp.messages[-1]) if "/ebook/download/" in url]
    local = app.config["PUBLIC_BASE_URL"]
    with client.get(download.removeprefix(local)) as pdf:
        assert pdf.status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        deliver()  # the first "call our office" follow-up, with its unsubscribe link
    [unsubscribe] = {
        url for m in smtp.messages if m["List-Unsubscribe"] for url in links_in(m) if "/unsubscribe/" in url
    }
    assert client.get(unsubscribe.removeprefix(local)).status_code == 200
    assert one_click(client, unsubscribe.removeprefix(local)).status_code == 200

    slug = make_webinar(app)
    assert register(client, slug, email=address, consent="y").status_code == 303
    deliver()
    [cancel] = [url for url in links_in(smtp.messages[-1]) if "/webinars/cancel/" in url]
    page = client.get(cancel.removeprefix(local))
    token = csrf_token_from(page.get_data(as_text=True))
    done = client.post(cancel.removeprefix(local), data={"csrf_token": token})
    assert "Your registration is cancelled" in done.get_data(as_text=True)

    secrets = [address, "ana.private", *(url.rsplit("/", 1)[1] for url in (download, unsubscribe, cancel))]
    records = json_lines(request_ids)
    lines = [json.dumps(record) for record in records]
    routes = {record.get("route") for record in records}
    assert {"/ebook/download/<token>", "/unsubscribe/<token>", "/webinars/cancel/<token>"} <= routes
    for secret in secrets:
        assert not [line for line in lines if secret in line], secret
