"""Every link we mail names the person: after an erasure, a newcomer given the same ids opens nothing with it."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from leadgen.database import utcnow
from leadgen.demo import seed_ebook
from leadgen.extensions import db
from leadgen.followups.unsubscribe import unsubscribe_token
from leadgen.leads.models import Lead
from leadgen.outbox.worker import run_worker
from leadgen.privacy.erasure import erase_lead
from leadgen.webinars.models import Registration

from .helpers import confirm_links, csrf_token_from, links_in, path_of, submit_form
from .test_webinars import make_webinar, register

NEWCOMER = "bo.newcomer@example.com"


@pytest.fixture
def erased_links(make_app, smtp):
    """Ana's mailed links; then Ana is erased and Bo, a newcomer, is given her lead and registration ids."""
    app = make_app(DOUBLE_OPT_IN=True, EBOOK_LINK_MAX_AGE=timedelta(days=7))
    with app.app_context():
        seed_ebook()
    client = app.test_client()
    slug = make_webinar(app)
    ana = {"first_name": "Ana", "email": "ana@example.com", "consent": "y"}
    assert submit_form(client, "/ebook", ana, action="/ebook").status_code == 303
    assert register(client, slug, **ana).status_code == 303
    with app.app_context():
        run_worker(once=True)
        lead = db.session.scalars(select(Lead)).one()
        registration = db.session.scalars(select(Registration)).one()
        ids = {"lead": lead.id, "registration": registration.id, "webinar": registration.webinar_id}
        links = {"unsubscribe": f"/unsubscribe/{unsubscribe_token(lead)}"}
    every = [path_of(url) for mail in smtp.messages for url in links_in(mail)]
    links["download"] = next(url for url in every if "/ebook/download/" in url)
    links["cancel"] = next(url for url in every if "/webinars/cancel/" in url)
    links["confirm"] = path_of(confirm_links(smtp.messages[0])[0])

    with app.app_context():
        assert erase_lead(ids["lead"], erased_by="test")
        # The ids the database may hand out again (SQLite reuses the highest; on PostgreSQL, forced).
        db.session.execute(
            Lead.__table__.insert(),
            {
                "id": ids["lead"],
                "email": NEWCOMER,
                "first_name": "Bo",
                "source": "ebook",
                "status": "new",
                "marketing_consent": True,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            },
        )
        db.session.execute(
            Registration.__table__.insert(),
            {
                "id": ids["registration"],
                "webinar_id": ids["webinar"],
                "lead_id": ids["lead"],
                "status": "registered",
                "generation": 1,
                "created_at": utcnow(),
            },
        )
        db.session.commit()
    return app, links


def newcomer(app) -> tuple:
    with app.app_context():
        bo = db.session.scalars(select(Lead).where(Lead.email == NEWCOMER)).one()
        registration = db.session.scalars(select(Registration)).one()
        return bo.confirmed_at, bo.unsubscribed_at, registration.status


def test_the_erased_persons_links_open_nothing_of_the_newcomers(erased_links):
    app, links = erased_links
    client = app.test_client()
    untouched = newcomer(app)
    assert untouched == (None, None, "registered")

    with client.get(links["download"]) as download:
        assert download.status_code == 404 and download.mimetype == "text/html"
        page = download.get_data(as_text=True)
    assert "Send me a new link" in page and NEWCOMER not in page
    csrf = {"csrf_token": csrf_token_from(client.get("/ebook").get_data(as_text=True))}  # a valid session's
    for name in ("cancel", "confirm", "unsubscribe"):
        for response in (client.get(links[name]), client.post(links[name], data=csrf)):
            assert response.status_code == 404, (name, response.request.method)
            assert NEWCOMER not in response.get_data(as_text=True)
    assert newcomer(app) == untouched


def test_an_expired_link_of_the_erased_person_prefills_nothing(erased_links):
    app, links = erased_links
    later = time_machine.travel(utcnow() + timedelta(days=8), tick=False)
    with later, app.test_client().get(links["download"]) as expired:
        assert expired.status_code == 410
        page = expired.get_data(as_text=True)
    assert "This download link has expired" in page and "Send me a new link" in page
    assert NEWCOMER not in page and 'value="ana@example.com"' not in page


def test_an_expired_link_still_prefills_its_own_persons_address(app, client, smtp, deliver):
    assert submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com"}, action="/ebook").status_code
    deliver()
    [link] = [path_of(url) for url in links_in(smtp.messages[0]) if "/ebook/download/" in url]
    later = time_machine.travel(utcnow() + app.config["EBOOK_LINK_MAX_AGE"] + timedelta(days=1), tick=False)
    with later, client.get(link) as expired:
        assert expired.status_code == 410
        assert 'value="ana@example.com"' in expired.get_data(as_text=True)
