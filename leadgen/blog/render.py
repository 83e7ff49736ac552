"""Turn text into safe HTML: articles from Markdown (sanitised), comments as plain text."""

import re
from functools import cache
from urllib.parse import SplitResult, urlsplit

import nh3
from flask import current_app
from markupsafe import Markup, escape

# Articles come from staff, but are sanitised all the same: no script, no event handler.
ARTICLE_TAGS = nh3.ALLOWED_TAGS - {"map", "area", "center", "acronym", "strike", "tt"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
COMMENT_LINK_REL = "nofollow ugc noopener"
# A URL in a comment ends at whitespace, quotes or angle brackets; trailing punctuation stays text.
URL_PATTERN = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}"


@cache
def markdown():
    """The articles' Markdown parser, built on first use: markdown-it is slow to import (start-up time)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "typographer": True}).enable("table")


# A browser drops these before it reads a URL (WHATWG URL standard): C0 controls and spaces at
# either end, tabs and line breaks anywhere; and in an http(s) URL it reads a backslash as "/".
URL_EDGE_NOISE = "".join(chr(code) for code in range(0x21))
URL_INNER_NOISE = re.compile(r"[\t\n\r]")
SCHEME_PATTERN = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
LINK_ONLY_SCHEMES = {"mailto", "tel"}


def as_browser_reads(url: str) -> str:
    """The URL a browser would parse from an attribute's value (before resolving it)."""
    url = URL_INNER_NOISE.sub("", url.strip(URL_EDGE_NOISE))
    query_at = next((index for index, char in enumerate(url) if char in "?#"), len(url))
    return url[:query_at].replace("\\", "/") + url[query_at:]


def authority(scheme: str, after_slashes: str) -> SplitResult:
    """The host part of an http(s) URL; a browser skips any number of slashes before it."""
    return urlsplit(f"{scheme}://{after_slashes.lstrip('/')}")


def site_origin() -> tuple[str, str, int | None]:
    """(scheme, host, port) of PUBLIC_BASE_URL: where our pages are."""
    site = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return site.scheme, (site.hostname or "").lower(), site.port


def resolved_origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) a browser would load `url` from, on our pages; None when unsure."""
    site = site_origin()
    if url.startswith("//"):  # scheme-relative: another host, over our scheme
        target = authority(site[0], url)
    elif match := SCHEME_PATTERN.match(url):
        scheme, rest = match.group(1).lower(), url[match.end() :]
        if scheme not in ("http", "https") or not rest.startswith("//"):
            return None  # "https:host", "javascript:...": not worth guessing how it resolves
        target = authority(scheme, rest)
    else:  # a path, query or fragment: our own site
        return site
    try:
        return target.scheme, (target.hostname or "").lower(), target.port
    except ValueError:  # a port that is not a number
        return None


def allowed_article_url(tag: str, attribute: str, value: str) -> str | None:
    """An image from our own site only (no page loads anything from elsewhere); a link to our
    site or over https to an allowed host (ARTICLE_LINK_HOSTS, "*" for any); anything else dropped."""
    if attribute not in ("href", "src", "cite"):
        return value
    url = as_browser_reads(value)
    scheme = SCHEME_PATTERN.match(url)
    if attribute != "src" and scheme and scheme.group(1).lower() in LINK_ONLY_SCHEMES:
        return url
    origin = resolved_origin(url)
    if origin is None:
        return None
    if origin == site_origin():
        return url
    hosts = current_app.config["ARTICLE_LINK_HOSTS"]
    link_allowed = origin[0] == "https" and origin[2] is None and ("*" in hosts or origin[1] in hosts)
    return url if attribute != "src" and link_allowed else None


def article_html(text: str) -> Markup:
    """An article's Markdown as sanitised HTML, safe to put in a page or a feed."""
    html = nh3.clean(
        markdown().render(text),
        tags=ARTICLE_TAGS,
        url_schemes=URL_SCHEMES,
        attribute_filter=allowed_article_url,
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
