"""Mail as received by the real SMTP server: in the site's type and colours, text parts wrapped at
78 characters, subjects within 78 (a long title shortened at a word); staff alerts say why
staff get them and carry neither the visitors' call block nor their "you asked for it" line."""

from datetime import UTC, datetime

import time_machine

from leadgen.outbox.render import fit_subject
from leadgen.outbox.worker import run_worker

from .helpers import html_part, make_post, staff_token, text_part
from .test_comments import ANA

LONG_TITLE = (
    "Hashimoto's, Graves' and the thyroid: what your blood tests say, what they miss, "
    "and the questions to ask your physician"
)
WEBINAR = {
    "title": LONG_TITLE,
    "description": "Plain words.",
    "starts_at": "2030-03-05T18:00:00-06:00",
    "duration_minutes": 45,
    "capacity": 100,
    "join_url": "https://meet.example/thyroid",
}
VISITOR_LINE = "You get this email because you asked for it"


def long_lines(text: str) -> list[str]:
    """Lines over 78 characters, except a line with a link or a lone word (neither can be cut)."""
    return [line for line in text.splitlines() if len(line) > 78 and len(line.split()) > 1 and "://" not in line]


def assert_in_the_sites_look(mail) -> None:
    """Subject within 78 characters, text wrapped at 78, HTML in the site's sans-serif and green."""
    assert len(mail["Subject"]) <= 78, mail["Subject"]
    assert long_lines(text_part(mail)) == []
    html = html_part(mail)
    assert "Georgia" not in html and "serif" in html and "sans-serif" in html
    assert "#2f6b5a" in html  # the site's accent


def test_visitor_mail_has_the_sites_look_and_a_long_title_is_shortened_at_a_word(app, client, smtp, deliver):
    slug = client.post("/api/v1/webinars", json=WEBINAR, headers=staff_token(app)).get_json()["slug"]
    registration = {"email": "ana@example.com", "first_name": "Ana", "consent": True}
    assert client.post(f"/api/v1/webinars/{slug}/registrations", json=registration).status_code in (201, 202)
    client.post("/api/v1/ebook-requests", json={**registration, "email": "bo@example.com"})
    deliver()
    by_subject = {mail["Subject"]: mail for mail in smtp.messages}
    [subject] = [subject for subject in by_subject if subject.startswith("You are registered: ")]
    assert subject.endswith("\u2026") and LONG_TITLE.startswith(subject.removeprefix("You are registered: ")[:-1])
    assert subject[-2] != " "  # cut at a word, not after its space
    for mail in smtp.messages:
        assert_in_the_sites_look(mail)
    assert LONG_TITLE in " ".join(text_part(by_subject[subject]).split())  # the body keeps the whole title


def test_staff_alerts_say_why_staff_get_them_without_the_visitors_footer(make_app, smtp):
    app = make_app(COMMENT_NOTIFY="digest", COMMENT_NOTIFY_TO=["mod@clinic.example"])
    make_post(app)
    client = app.test_client()
    with time_machine.travel(datetime(2026, 11, 24, 15, 10, tzinfo=UTC), tick=False):
        client.post("/api/v1/posts/gut-health/comments", json={**ANA, "body": "word " * 60})
    with time_machine.travel(datetime(2026, 11, 24, 16, 0, 5, tzinfo=UTC), tick=False):
        app.config["COMMENT_NOTIFY"] = "each"
        client.post("/api/v1/posts/gut-health/comments", json={**ANA, "body": "Second"})
        with app.app_context():
            run_worker(once=True)
    subjects = sorted(mail["Subject"] for mail in smtp.messages)
    assert subjects == ["1 new comment to moderate", 'New comment to moderate on "Gut health and the immune system"']
    for mail in smtp.messages:
        assert_in_the_sites_look(mail)
        for part in (" ".join(text_part(mail).split()), " ".join(html_part(mail).split())):
            assert "because you have a staff account on the Lakeside Autoimmune Clinic console" in part
            assert "COMMENT_NOTIFY_TO" in part
            assert VISITOR_LINE not in part and "Call us" not in part and "1200 Lakeshore" not in part


def test_a_subject_is_shortened_at_a_word_keeping_what_follows_the_title():
    subject = fit_subject(f'Your comment on "{LONG_TITLE}" is published', LONG_TITLE)
    assert len(subject) <= 78 and subject.startswith('Your comment on "Hashimoto')
    assert subject.endswith('\u2026" is published')
    assert fit_subject("Short one", LONG_TITLE) == "Short one"
    assert fit_subject("x" * 100) == "x" * 77 + "\u2026"
