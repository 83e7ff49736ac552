"""Render a mail whose words staff wrote (/admin/content) inside the fixed layout.

The words are the body only: templates/email/parts/<name> adds the parts that make the mail
work (download link, join and cancel links, the quoted reply, the stop link) and the footer
with the clinic's details and the unsubscribe link comes from the layout, so no edit can
remove them. `parts/<name>.txt` also gives the mail's own placeholder values and the footer's
reason. Follow-up steps carry their words in the outbox row (`context["words"]`), so a step
already queued keeps what it had; the other mails read their words when they are sent.
"""

from flask import current_app

from ..content.service import Words, mail_words
from ..mailmarkdown import fill_text, render_markdown_mail


def words_for(template: str, context: dict) -> Words | None:
    """The staff words of this mail: the row's own (a follow-up step, a test) or the mail's edited ones."""
    if words := context.get("words"):
        return Words(words["subject"], words["body"])
    return mail_words(template)


def parts_of(template: str) -> str:
    """Which templates/email/parts/<name> a mail takes: one for all follow-up steps."""
    return "followup" if template.startswith("followup_") else template


def common_values(context: dict) -> dict[str, str]:
    """The placeholders every mail offers (catalogue.COMMON)."""
    clinic = context["clinic"]
    return {
        "first_name": context.get("first_name") or "",
        "clinic_name": clinic["name"],
        "clinic_address": clinic["address"],
        "office_phone": clinic["phone"],
        "office_hours": clinic["hours"],
        "site_url": current_app.config["PUBLIC_BASE_URL"].rstrip("/"),
    }


def render_words(template: str, words: Words, context: dict) -> tuple[str, str, str, str]:
    """(subject, title in it, text, HTML) of a mail with staff words, before fitting and wrapping."""
    env = current_app.jinja_env
    parts = parts_of(template)
    module = env.get_template(f"email/parts/{parts}.txt").make_module(context)
    values = {**common_values(context), **dict(getattr(module, "values", {}))}
    html_words, text_words = render_markdown_mail(words.body, values)
    context = {**context, "reason": getattr(module, "reason", None) or context.get("reason"), "parts": parts}
    text = env.get_template("email/_words.txt").render(context, words_text=text_words, parts_text=str(module).strip())
    html = env.get_template("email/_words.html").render(context, words_html=html_words)
    title = values.get("webinar_title") or values.get("post_title") or ""
    return fill_text(words.subject, values), title, text, html
