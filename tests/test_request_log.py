"""The access log names each request's route, never a token, an email or a stranger's path;
and start-up says so when rate limits are counted per process."""

import logging
import re
import time
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from .procfile import procfile_env, running_web
from .test_site import ebook_download_path

REQUEST_LOG = "leadgen.requests"


def request_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == REQUEST_LOG]


def test_a_download_is_logged_by_its_route_not_its_token(client, smtp, deliver, caplog):
    link = ebook_download_path(client, smtp, deliver)
    token = link.rsplit("/", 1)[1]
    caplog.clear()
    caplog.set_level(logging.INFO, logger=REQUEST_LOG)
    with client.get(link) as download:
        assert download.status_code == 200
    [line] = request_lines(caplog)
    assert re.fullmatch(r"GET /ebook/download/<token> 200 [\d.]+ms", line), line
    assert token not in caplog.text


def test_unsubscribe_links_and_query_strings_never_reach_the_log(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOG)
    client.get("/unsubscribe/InRva2VuIg.forged-signature?email=ana%40example.com")
    client.post("/unsubscribe/InRva2VuIg.forged-signature", data={"List-Unsubscribe": "One-Click"})
    without_duration = [line.rsplit(" ", 1)[0] for line in request_lines(caplog)]
    assert without_duration == ["GET /unsubscribe/<token> 404", "POST /unsubscribe/<token> 404"]
    assert "forged-signature" not in caplog.text and "ana" not in caplog.text


def test_a_path_that_matches_no_route_is_logged_as_unmatched(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOG)
    assert client.get("/ana@example.com/private-notes").status_code == 404
    [line] = request_lines(caplog)
    assert line.startswith("GET <unmatched> 404 ")
    assert "ana@example.com" not in caplog.text and "private-notes" not in caplog.text


def test_a_crash_is_logged_by_its_route(make_app, caplog):
    app = make_app()

    @app.get("/crash/<token>")
    def crash(token):
        raise RuntimeError("a bug")

    caplog.set_level(logging.INFO)
    assert app.test_client().get("/crash/secret-token-value").status_code == 500
    assert "unhandled error on GET /crash/<token>" in caplog.text
    assert "GET /crash/<token> 500" in caplog.text
    assert "secret-token-value" not in caplog.text


@pytest.mark.slow
def test_gunicorn_from_the_procfile_writes_routes_not_tokens(tmp_path):
    """The Procfile's own web command: its output names the route and never the token."""
    log = tmp_path / "web.log"
    with running_web(procfile_env(tmp_path, WEB_CONCURRENCY="1"), log) as base:
        with pytest.raises(HTTPError) as forged:
            urlopen(f"{base}/unsubscribe/SECRET-TOKEN-VALUE?email=ana%40example.com", timeout=5)
        assert forged.value.code == 404
        forged.value.close()
        time.sleep(0.5)
    written = log.read_text()
    assert "GET /unsubscribe/<token> 404" in written, written
    assert "SECRET-TOKEN-VALUE" not in written and "ana%40example.com" not in written
    assert "rate limits count per process" in written  # the start-up warning, too


def test_start_up_warns_that_memory_counters_are_per_process(make_app, caplog):
    caplog.set_level(logging.WARNING, logger="leadgen.ratelimits")
    make_app(TESTING=False, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    [warning] = [record for record in caplog.records if record.name == "leadgen.ratelimits"]
    assert warning.levelno == logging.WARNING
    assert "memory://" in warning.getMessage() and "per process" in warning.getMessage()
    assert "RATELIMIT_STORAGE_URI" in warning.getMessage() and "redis://" in warning.getMessage()


@pytest.mark.parametrize(
    "settings",
    [
        {"TESTING": False, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"},
        {"TESTING": False, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"},
        {"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"},
    ],
    ids=["shared-in-redis", "limits-off", "tests"],
)
def test_no_warning_when_counters_are_shared_or_do_not_matter(make_app, caplog, settings):
    caplog.set_level(logging.WARNING, logger="leadgen.ratelimits")
    make_app(**settings)
    assert not [record for record in caplog.records if record.name == "leadgen.ratelimits"]
