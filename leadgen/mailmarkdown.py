"""Mail words that staff write: Markdown with `{placeholder}`s, sanitised, values escaped.

Editable mail texts and broadcasts both go through here. The Markdown is rendered with raw
HTML off and then cleaned by nh3, so nothing staff type can add a script or a tracking
pixel; each placeholder's value is put in after that, escaped for the HTML part and as it is
for the text part, so a first name such as `<b>Ann</b>` is shown, never obeyed.
"""

import re
from collections.abc import Mapping, Set
from functools import cache

import nh3
from markupsafe import Markup, escape

# `{first_name}`: lower-case words joined by underscores. Anything else in braces is text.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# The same in rendered HTML, where a placeholder inside a link's address comes out percent-encoded.
HTML_PLACEHOLDER = re.compile(r"(?:\{|%7B)([a-z][a-z0-9_]*)(?:\}|%7D)")
# What a mail body may hold: text formatting, lists, links, headings, quotes; no images.
MAIL_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "hr", "code"}
MAIL_URL_SCHEMES = {"http", "https", "mailto", "tel"}


@cache
def markdown():
    """The mail texts' Markdown parser (CommonMark, raw HTML off), built on first use:
    markdown-it is slow to import, and most commands never render mail."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def placeholders_in(source: str) -> set[str]:
    """The placeholder names `source` uses."""
    return set(PLACEHOLDER.findall(source))


def unknown_placeholders(source: str, allowed: Set[str]) -> list[str]:
    """The placeholders in `source` that are not in `allowed`, sorted (empty when all are known)."""
    return sorted(placeholders_in(source) - set(allowed))


def fill_text(source: str, values: Mapping[str, str]) -> str:
    """`source` with each known placeholder replaced by its value as it is (subjects, text parts)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), source)


def html_value(match: re.Match, values: Mapping[str, str]) -> str:
    """A placeholder's value for the HTML part; in a link's address only one nh3 would have let
    through (a lead's name typed as `javascript:...` must not become a link that runs)."""
    value = str(values.get(match.group(1), match.group(0)))
    in_address = match.group(0).startswith("%7B")
    scheme, colon, _ = value.partition(":")
    if in_address and colon and "/" not in scheme and scheme.lower() not in MAIL_URL_SCHEMES:
        return ""
    return value


def render_markdown_mail(source: str, values: Mapping[str, str]) -> tuple[Markup, str]:
    """(HTML, text) of a staff-written Markdown body with its placeholders filled in.

    The HTML is sanitised before the values go in, and each value is escaped, so neither the
    body nor a lead's name can add markup. The text part is the Markdown itself, which reads
    as plain text. Placeholders not in `values` are left as written (check them first with
    `unknown_placeholders`).
    """
    html = nh3.clean(markdown().render(source), tags=MAIL_TAGS, url_schemes=MAIL_URL_SCHEMES, link_rel=None)
    filled = HTML_PLACEHOLDER.sub(lambda match: str(escape(html_value(match, values))), html)
    return Markup(filled), fill_text(source, values).strip() + "\n"
