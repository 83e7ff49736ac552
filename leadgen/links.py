"""Absolute links to our own pages, for mail and the feed: built from PUBLIC_BASE_URL, never
from a request (the outbox worker has none, and a request's Host header is whatever was sent)."""

from urllib.parse import urlsplit

from flask import current_app

DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def public_url(endpoint: str, **values) -> str:
    """An absolute link to one of our pages at PUBLIC_BASE_URL: every link in mail and the feed.

    Never from a request's Host header (anyone can send one), and it needs no request (the
    outbox worker has none): the URL map is bound to PUBLIC_BASE_URL's scheme, host and path.
    """
    site = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    host = site.netloc.removesuffix(DEFAULT_PORTS.get(site.scheme, ""))  # as a browser writes it
    adapter = current_app.url_map.bind(host, script_name=site.path or "/", url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)
