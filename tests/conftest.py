"""Fixtures: the app on SQLite or PostgreSQL, a real SMTP server, a client, a CLI runner.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the same suite there; each xdist
worker gets a database of its own, and every test starts from empty tables.
"""

import os
import re
import shutil
import threading
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from leadgen import create_app
from leadgen.demo import seed_ebook
from leadgen.extensions import db

from .helpers import StaffAuth, build_clinic, make_post, work_once
from .mailserver import SMTPServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))


def pytest_collection_modifyitems(config, items):
    """Tests of one database's own machinery are skipped, visibly, on the other database's run."""
    for item in items:
        if "postgresql_only" in item.keywords and not ON_POSTGRESQL:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only; runs in the PostgreSQL pass"))
        if "sqlite_only" in item.keywords and ON_POSTGRESQL:
            item.add_marker(pytest.mark.skip(reason="SQLite only; runs in the SQLite pass"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test marked `needs_tool` is skipped when none of its programs is installed, with the reason and the
    install command in the summary; under CI=true it fails instead, so CI never passes without running it."""
    for marker in item.iter_markers("needs_tool"):
        if not any(shutil.which(command) for command in marker.args):
            missing = f"{marker.args[0]} is not installed ({marker.kwargs['install']})"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{missing}; CI=true runs every check", pytrace=False)
            pytest.skip(missing)


def recreate_postgresql_database(url: str) -> str:
    """Drop and create the database named in `url` (per xdist worker); return the SQLAlchemy URL."""
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
    parts = urlsplit(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{parts.path.lstrip('/') or 'leadgen_test'}_{worker}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a crash of the machine: commits need not wait for the disk.
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", path=f"/{name}"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if ON_POSTGRESQL:
        return recreate_postgresql_database(TEST_DATABASE_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture
def empty_database_url(tmp_path) -> str:
    """A database with nothing in it, of the kind this test run uses (for `db upgrade` tests)."""
    if ON_POSTGRESQL:
        parts = urlsplit(TEST_DATABASE_URL)
        return recreate_postgresql_database(urlunsplit(parts._replace(path=f"{parts.path}_migrations")))
    return f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free port that flask-mail talks to."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The SMTP server, emptied and without faults for this test."""
    smtp_server.handler.reset()
    yield smtp_server
    smtp_server.handler.reset()


@pytest.fixture(scope="session")
def base_config(database_url, smtp_server, tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "SMTP_TIMEOUT": 5.0,
        "RATELIMIT_ENABLED": False,
        # Staff sign in hundreds of times: a cheap hasher here; test_staff_login checks the real default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PUBLIC_BASE_URL": "http://leadgen.test",
        "EBOOK_PATH": str(instance / "ebook.pdf"),
    }


@pytest.fixture(scope="session")
def schema(base_config):
    """Build the tables once per session."""
    app = create_app(dict(base_config))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


# Every sequence of the schema starts again from 1, as TRUNCATE ... RESTART IDENTITY would.
RESTART_SEQUENCES = (
    "SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
)


def empty_all_tables() -> None:
    """Delete every row, children first, so each test starts from nothing, and start ids from 1 again.

    DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE gives each table new files on disk, which
    costs most of a second per test for tables that hold a few rows; DELETE costs milliseconds.
    """
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(RESTART_SEQUENCES))
    # AUTOINCREMENT tables remember their highest id here: start again from 1, as the sequences do.
    elif db.session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
        db.session.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


@pytest.fixture
def make_app(base_config, schema, smtp):
    """Build an app with extra settings on top of the test defaults."""
    apps = []

    def build(**overrides):
        app = create_app({**base_config, **overrides})
        apps.append(app)
        return app

    yield build
    for index, app in enumerate(apps):
        with app.app_context():
            db.session.remove()
            if index == 0:
                empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        seed_ebook()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(app, client) -> StaffAuth:
    """`auth.sign_in(role=...)`: the test client, signed in as new staff of that role."""
    return StaffAuth(app, client)


@pytest.fixture
def post(app) -> int:
    """The article `SLUG`, for comments."""
    return make_post(app)


@pytest.fixture
def clinic(make_app):
    """build_clinic for this test: call it with the settings that differ."""
    return partial(build_clinic, make_app)


@pytest.fixture
def deliver(app):
    """Run the outbox worker once, as `flask outbox work --once` does; returns messages claimed."""
    return partial(work_once, app)


# --- The browser: a live server and headless Chromium (Debian's, never a downloaded one) ---

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def read_files_whole(app):
    """The app with static files read whole and closed before they are sent. Chromium drops
    connections it no longer wants (a favicon while the page moves on); werkzeug's test server
    then leaves the open file to the garbage collector, which `filterwarnings = error` turns
    into a failure of whichever test runs next. gunicorn closes it; this server reads it first."""

    def serve(environ, start_response):
        environ["wsgi.file_wrapper"] = read_and_close
        return app(environ, start_response)

    return serve


def read_and_close(file, buffer_size=8192):
    """A wsgi.file_wrapper that answers with the file's bytes and closes it at once."""
    with file:
        return [file.read()]


@pytest.fixture
def live_server(app):
    """The test app served over real HTTP on a free port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, read_files_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (own cookies) at 1280 px; call page.set_viewport_size for a phone."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A fresh page the size of a 375 px phone."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ (CI keeps the folder)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_no_horizontal_scroll(page) -> bool:
    """True when the page fits the viewport's width (nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
