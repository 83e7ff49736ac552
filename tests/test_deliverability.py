"""Deliverability: every mail we write is valid multipart, reads with images off, and SpamAssassin likes it."""

import email
import email.policy
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from leadgen.extensions import db
from leadgen.followups.service import SEQUENCES, start_sequence
from leadgen.leads.models import Lead
from leadgen.outbox.models import OutboxMessage

from .helpers import build_clinic, request_ebook
from .test_followups import MONDAY_10AM_CST, at, deliver_at

SPAMASSASSIN = shutil.which("spamassassin")
MAX_SCORE = 2.0
# The standard spam test string: a message with it must score high, or the scorer is not judging.
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
TEMPLATES = ["ebook_delivery", *(step.template for steps in SEQUENCES.values() for step in steps)]


@pytest.fixture
def received(make_app, smtp) -> dict[str, bytes]:
    """Every template, sent by the worker through SMTP: {template: the raw message as received}."""
    app = build_clinic(make_app, OFFICE_HOURS="always")
    with at(MONDAY_10AM_CST):
        request_ebook(app.test_client(), "ebook@example.com")
        with app.app_context():
            for sequence in ("webinar", "comment"):
                lead = Lead(email=f"{sequence}@example.com", first_name="Ana", source=sequence, marketing_consent=True)
                db.session.add(lead)
                db.session.flush()
                start_sequence(lead, sequence, MONDAY_10AM_CST, {"webinar_title": "Food and autoimmunity"})
            db.session.commit()
    deliver_at(app, MONDAY_10AM_CST + timedelta(days=8))
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.message_id, OutboxMessage.template)).all()
        templates = {message_id: template for message_id, template in rows}
    by_template = {}
    for envelope in smtp.handler.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        by_template[templates[message["Message-ID"]]] = envelope.content
    assert sorted(by_template) == sorted(TEMPLATES)
    return by_template


def visible_text(html: str) -> str:
    """What a reader sees with images off: the HTML without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_template_is_valid_multipart_that_reads_with_images_off(received):
    for template, content in received.items():
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert message.defects == [], template
        alternative = next(part for part in message.walk() if part.get_content_type() == "multipart/alternative")
        kinds = [part.get_content_type() for part in alternative.iter_parts()]
        assert kinds == ["text/plain", "text/html"], template
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        # Inline CSS only, nothing fetched from anywhere: no images, style sheets, scripts or fonts.
        for forbidden in ("<img", "<style", "<link", "<script", "src=", "@import", "url("):
            assert forbidden not in html.lower(), (template, forbidden)
        assert 'style="' in html
        seen = visible_text(html)
        for part in (text, seen):
            assert "Hello Ana" in part and "Lakeside Autoimmune Clinic" in part, template
            assert "1200 Lakeshore Drive" in part and "+1 312 555 0142" in part, template
        marketing = "List-Unsubscribe" in message
        assert (template != "ebook_delivery") == marketing
        if marketing:
            url = message["List-Unsubscribe"].strip("<>")
            assert url in text and url in html and "Unsubscribe" in seen, template


def spam_score(content: bytes, home) -> tuple[float, str]:
    """SpamAssassin's score with local tests only (-L), no Bayes learning, and the rules that fired."""
    command = [SPAMASSASSIN, "-L", "-t", "-x", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"]
    env = {**os.environ, "HOME": str(home)}
    report = subprocess.run(command, input=content, capture_output=True, env=env, timeout=120, check=False)
    output = report.stdout.decode(errors="replace")
    match = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", output, re.MULTILINE)
    assert match, report.stderr.decode(errors="replace")[-2000:]
    rules = re.search(r"^X-Spam-Status:.*?tests=(.*?)(?:autolearn|version)", output, re.MULTILINE | re.DOTALL)
    return float(match[1]), " ".join((rules[1] if rules else "").split())


@pytest.mark.slow
@pytest.mark.needs_tool("spamassassin", install="apt-get install spamassassin")
def test_every_template_scores_under_two_in_spamassassin(received, tmp_path):
    gtube = received["followup_ebook_1"].replace(b"Hello Ana", GTUBE)
    messages = {**received, "GTUBE": gtube}
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        scores = dict(zip(messages, pool.map(partial(spam_score, home=tmp_path), messages.values()), strict=True))
    assert scores.pop("GTUBE")[0] >= 100
    too_spammy = {template: found for template, found in scores.items() if found[0] >= MAX_SCORE}
    assert not too_spammy, f"SpamAssassin scores of {MAX_SCORE} or more: {too_spammy}"
    print("\n".join(f"{template}: {score} ({rules})" for template, (score, rules) in sorted(scores.items())))
