"""DOUBLE_OPT_IN for leads who did not ask for the ebook: a confirm link in the mail they asked for."""

from leadgen.demo import seed_ebook
from leadgen.outbox.worker import run_worker

from .helpers import confirm_links, links_in, only_lead, press_confirm_button, submit_form
from .test_webinars import make_webinar, register


def test_webinar_confirmation_carries_the_link_that_starts_marketing(make_app, smtp):
    app = make_app(DOUBLE_OPT_IN=True)
    client = app.test_client()
    slug = make_webinar(app)
    assert register(client, slug, consent="y").status_code == 303
    with app.app_context():
        run_worker(once=True)
    [confirmation] = [m for m in smtp.messages if "/confirm/" in m.get_body(("plain",)).get_content()]
    [link] = confirm_links(confirmation)
    assert only_lead(app).confirmed_at is None

    page = press_confirm_button(client, link)
    assert page.status_code == 200 and "your email address is confirmed" in page.get_data(as_text=True)
    assert only_lead(app).confirmed_at is not None


def test_no_link_without_double_opt_in_or_without_consent(make_app, smtp):
    app = make_app(DOUBLE_OPT_IN=False)
    slug = make_webinar(app)
    register(app.test_client(), slug, consent="y")
    other = make_app(DOUBLE_OPT_IN=True)
    register(other.test_client(), make_webinar(other), email="ben@example.com")
    with app.app_context():
        run_worker(once=True)
    assert smtp.messages and all(not confirm_links(message) for message in smtp.messages)


def test_ebook_mail_carries_the_link_too_as_downloading_confirms_nothing(make_app, smtp):
    app = make_app(DOUBLE_OPT_IN=True)
    with app.app_context():
        seed_ebook()
    client = app.test_client()
    submit_form(client, "/ebook", {"first_name": "Ana", "email": "ana@example.com", "consent": "y"}, action="/ebook")
    with app.app_context():
        run_worker(once=True)
    [delivery] = smtp.messages
    [download] = [url for url in links_in(delivery) if "/ebook/download/" in url]
    with client.get(download.removeprefix("http://leadgen.test")) as pdf:
        assert pdf.status_code == 200
    assert only_lead(app).confirmed_at is None
    [link] = confirm_links(delivery)
    press_confirm_button(client, link)
    assert only_lead(app).confirmed_at is not None


def test_forged_confirmation_link_changes_nothing(app, client):
    response = client.get("/confirm/not-a-real-token")
    assert response.status_code == 404
    assert "confirmation link is not valid" in response.get_data(as_text=True)
