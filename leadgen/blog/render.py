"""Turn text into safe HTML: articles from Markdown (sanitised), comments as plain text."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# Articles come from staff, but are sanitised all the same: no script, no event handler.
ARTICLE_TAGS = nh3.ALLOWED_TAGS - {"map", "area", "center", "acronym", "strike", "tt"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
COMMENT_LINK_REL = "nofollow ugc noopener"
# A URL in a comment ends at whitespace, quotes or angle brackets; trailing punctuation stays text.
URL_PATTERN = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}"

markdown = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable("table")


def same_origin_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Drop images from other sites: a page of ours never loads anything from elsewhere."""
    if tag == "img" and attribute == "src" and (not value.startswith("/") or value.startswith("//")):
        return None
    return value


def article_html(text: str) -> Markup:
    """An article's Markdown as sanitised HTML, safe to put in a page or a feed."""
    html = nh3.clean(
        markdown.render(text),
        tags=ARTICLE_TAGS,
        url_schemes=URL_SCHEMES,
        attribute_filter=same_origin_images_only,
    )
    return Markup(html)


def linkified(text: str) -> Markup:
    """Escape the text and turn its http(s) URLs into nofollow links."""
    pieces = []
    position = 0
    for match in URL_PATTERN.finditer(text):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup('<a href="{0}" rel="{1}">{0}</a>').format(url, COMMENT_LINK_REL))
        position = match.start() + len(url)
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def comment_html(text: str) -> Markup:
    """A comment shown as the text it is: escaped, paragraphs and line breaks kept, links nofollow."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(linkified(part.strip()).replace("\n", Markup("<br>\n"))) for part in paragraphs
    )
