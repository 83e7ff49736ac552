"""leadgen: the clinic's lead capture, delivery and follow-up service."""

from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors, models, scrape  # noqa: F401  (models: every table known to SQLAlchemy and Alembic)
from .admin import views as admin_views
from .admin.console import register_forbidden_page
from .blog import admin as blog_admin
from .blog import api as blog_api
from .blog import cli as blog_cli
from .blog import views as blog_views
from .broadcasts import admin as broadcasts_admin
from .broadcasts import api as broadcasts_api
from .callbacks import admin as callbacks_admin
from .callbacks import api as callbacks_api
from .callbacks import views as callback_views
from .config import load_settings
from .content import admin as content_admin
from .content import sequences_admin as content_sequences
from .database import register_database
from .demo import demo_cli
from .ebook import admin as ebooks_admin
from .ebook import api as ebook_api
from .ebook import views as ebook_views
from .extensions import api, csrf, limiter, mail
from .followups import views as followup_views
from .leads import admin as leads_admin
from .leads import admin_import as leads_import_admin
from .leads import admin_tags as leads_tags_admin
from .leads import api as leads_api
from .leads import cli as leads_cli
from .logformat import configure_logging
from .mailevents import views as mailevent_views
from .migration_cli import migration_cli
from .outbox import cli as outbox_cli
from .ratelimits import warn_if_counted_per_process
from .reports import admin as reports_admin
from .reports import api as reports_api
from .requestlog import register_request_logging
from .security import register_security_headers
from .site import views as site_views
from .staff import admin as staff_admin
from .staff import cli as staff_cli
from .staff import views as staff_views
from .staff.auth import BEARER_SCHEME, register_login
from .templating import register_template_helpers
from .webhooks import admin as webhooks_admin
from .webinars import admin as webinars_admin
from .webinars import api as webinars_api
from .webinars import views as webinar_views

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PAGE_BLUEPRINTS = (
    site_views.bp,
    ebook_views.bp,
    webinar_views.bp,
    webinars_admin.bp,
    blog_views.bp,
    blog_admin.bp,
    callback_views.bp,
    callbacks_admin.bp,
    followup_views.bp,
    staff_views.bp,
    staff_admin.bp,
    admin_views.bp,
    leads_admin.bp,
    leads_tags_admin.bp,
    leads_import_admin.bp,
    ebooks_admin.bp,
    reports_admin.bp,
    webhooks_admin.bp,
    broadcasts_admin.bp,
    content_admin.bp,
    content_sequences.bp,
    mailevent_views.bp,
    scrape.bp,
)
API_BLUEPRINTS = (
    ebook_api.blp,
    webinars_api.blp,
    blog_api.blp,
    leads_api.blp,
    broadcasts_api.blp,
    callbacks_api.blp,
    reports_api.blp,
)
CLI_GROUPS = (
    migration_cli,
    outbox_cli.outbox_cli,
    staff_cli.staff_cli,
    demo_cli,
    blog_cli.blog_cli,
    leads_cli.leads_cli,
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then `config` on top (tests use it)."""
    config = dict(config or {})
    app = Flask(
        __name__,
        instance_path=config.pop("INSTANCE_PATH", None) or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(Path(app.instance_path)))
    app.config.from_mapping(config)

    register_logging(app)
    register_request_logging(app)
    register_proxies(app)
    register_sessions(app)
    register_security_headers(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    errors.register_error_handlers(app)
    register_forbidden_page(app)
    register_cli(app)
    return app


class PageSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions for the pages. The JSON API takes no cookies (DESIGN: no cookies,
    no CSRF): its requests get Flask's null session, so none is read, signed or set."""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return None  # Flask then uses the null session
        return super().open_session(app, request)


def register_sessions(app: Flask) -> None:
    """Session cookies for the pages only."""
    app.session_interface = PageSessionInterface()


def register_logging(app: Flask) -> None:
    """Log to stderr, where gunicorn, honcho and the platform collect it, as LOG_FORMAT says."""
    configure_logging(app.config["LOG_FORMAT"])


def register_proxies(app: Flask) -> None:
    """Behind N trusted proxies, take the client's IP (rate limits, consent evidence) from X-Forwarded-*."""
    if count := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Wire every extension object to this app."""
    register_database(app)
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    warn_if_counted_per_process(app)
    register_login(app)
    api.init_app(app)
    api.spec.components.security_scheme(*BEARER_SCHEME)
    # The public API is called from the clinic's website: no cookies, so no CSRF.
    CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}}, supports_credentials=False)


def register_blueprints(app: Flask) -> None:
    """Pages first, then the JSON API (CSRF-exempt: it is authenticated by bearer tokens)."""
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)


def register_cli(app: Flask) -> None:
    """Add the command groups to `flask --app wsgi ...`."""
    for group in CLI_GROUPS:
        app.cli.add_command(group)
