"""The blog's Atom feed (RFC 4287), written with xml.etree so every value is escaped."""

from xml.etree import ElementTree as ET

from flask import current_app

from ..database import utcnow
from ..links import public_url
from .models import Post
from .render import article_html

ATOM = "http://www.w3.org/2005/Atom"


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    """Add an Atom child element with optional text and attributes."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(posts: list[Post]) -> bytes:
    """The feed document: newest articles with their full, sanitised HTML; every link from PUBLIC_BASE_URL.

    Never from the request's Host header: anyone can send one, and readers cache what we answer.
    """
    ET.register_namespace("", ATOM)
    clinic = current_app.config["CLINIC_NAME"]
    home = public_url("blog.index")
    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", home)
    sub(feed, "title", f"{clinic}: blog")
    sub(feed, "subtitle", "Articles on autoimmune disease, gut health and recovery")
    sub(feed, "updated", max((post.updated_at for post in posts), default=utcnow()).isoformat())
    sub(feed, "link", rel="self", type="application/atom+xml", href=public_url("blog.feed"))
    sub(feed, "link", rel="alternate", type="text/html", href=home)
    sub(sub(feed, "author"), "name", clinic)
    for post in posts:
        url = public_url("blog.post", slug=post.slug)
        entry = sub(feed, "entry")
        sub(entry, "id", url)
        sub(entry, "title", post.title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", post.published_at.isoformat())
        sub(entry, "updated", post.updated_at.isoformat())
        if post.summary:
            sub(entry, "summary", post.summary)
        sub(entry, "content", str(article_html(post.body_markdown)), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
