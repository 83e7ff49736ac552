"""The words the edit page starts from (content.catalogue) are the words the shipped mail sends.

While nobody has edited a mail, the shipped templates/email/<key> pair is sent, byte for byte as
before; the catalogue's Markdown is what staff start from on /admin/content. A default changed in
one and not the other fails here, naming the mail and the sentence: each paragraph of the
catalogue's words must be in the shipped mail, and each sentence of the shipped mail in the mail
built from the catalogue's words (with its fixed parts), the subjects equal.
"""

import re

import pytest
from markupsafe import Markup

from leadgen.blog.models import Comment
from leadgen.content.catalogue import FOLLOWUP_WORDS, MAILS
from leadgen.content.preview import sample_context
from leadgen.extensions import db
from leadgen.mailmarkdown import render_markdown_mail
from leadgen.outbox.render import render_pair
from leadgen.outbox.words import common_values, parts_of
from leadgen.templating import clinic_context

from .test_webinars import make_webinar

TAG = re.compile(r"<[^>]+>")
WORDS_PARAGRAPH = re.compile(r"<(p|li|h[234]|blockquote)>(.*?)</\1>", re.S)
SHIPPED_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S)
LINE_BREAK = re.compile(r"<br\s*/?>")
SENTENCE_END = re.compile(r"(?<=[.?!:])\s+")
# What only the shipped design shows, and words cannot: the presenter under the title, and the
# follow-ups' call button with its office hours and their link buttons (the words give the same
# link a label of their own).
SHIPPED_ONLY = ("Presented by ", "Call +", "We answer the phone ", "See the webinar dates", "Get the ebook")


def plain(html: str) -> str:
    """The words of some HTML or text as one line: tags, quotes and emphasis out, spaces collapsed
    (the shipped text quotes a title the HTML puts in bold; the words may do either)."""
    words = Markup(TAG.sub(" ", html)).unescape().replace('"', "").replace("*", "")
    return re.sub(r" ([.,:])", r"\1", " ".join(words.split()))


def sentences(html: str):
    """Each sentence of the paragraphs of a mail's HTML, a line (<br>) at most."""
    for paragraph in SHIPPED_PARAGRAPH.findall(html):
        for line in LINE_BREAK.split(paragraph):
            yield from SENTENCE_END.split(plain(line))


def default_words():
    """(template, subject, body) of every mail and follow-up step the catalogue holds words for."""
    for key, mail in MAILS.items():
        yield key, mail.subject, mail.body
    for sequence, steps in FOLLOWUP_WORDS.items():
        for number, (subject, body) in enumerate(steps, start=1):
            yield f"followup_{sequence}_{number}", subject, body


def sample_comments(post: int) -> dict:
    """Ana's comment and Ben's reply to it, as the comment mails' rows name them."""
    ana = Comment(post_id=post, name="Ana", email="ana@example.com", body="Thank you.", status="approved")
    db.session.add(ana)
    db.session.flush()
    ben = Comment(post_id=post, parent_id=ana.id, depth=1, name="Ben", body="Same here.", status="approved")
    db.session.add(ben)
    db.session.commit()
    return {"comment_approved": {"comment_id": ana.id}, "comment_reply": {"comment_id": ben.id, "parent_id": ana.id}}


def mail_context(template: str, comments: dict) -> dict:
    """The sample reader's outbox context for this mail, as the worker renders it."""
    context = {**clinic_context(), **sample_context(template), "join_token": "sample", "message": None}
    context["ebook_download_url"] = lambda *_: "http://leadgen.test/ebook/download/sample"
    return context | comments.get(template, {})


@pytest.mark.parametrize(("template", "subject", "body"), list(default_words()), ids=lambda value: str(value)[:30])
def test_the_catalogues_default_words_are_the_shipped_mails_words(app, post, template, subject, body):
    make_webinar(app, replay_url="https://video.example/replays/gut-health")
    with app.test_request_context():
        context = mail_context(template, sample_comments(post))
        shipped_subject, shipped_text, shipped_html = render_pair(template, context)
        words = {"subject": subject, "body": body}
        words_subject, _, words_mail_html = render_pair(template, {**context, "words": words})
        module = app.jinja_env.get_template(f"email/parts/{parts_of(template)}.txt").make_module(context)
        words_html, _ = render_markdown_mail(body, {**common_values(context), **dict(getattr(module, "values", {}))})
    assert words_subject == shipped_subject
    shipped = (plain(shipped_html), plain(shipped_text))
    for paragraph in WORDS_PARAGRAPH.findall(words_html):
        # A trailing colon or full stop may differ: "replied to your comment:" leads to the reply in one of them.
        said = plain(paragraph[1]).rstrip(".:")
        assert any(said in part for part in shipped), f"{template}: not in the shipped mail: {said!r}"
    built = plain(words_mail_html)
    for sentence in sentences(shipped_html):
        if not sentence.startswith(SHIPPED_ONLY):
            assert sentence.rstrip(".:") in built, f"{template}: not in the catalogue's words: {sentence!r}"
