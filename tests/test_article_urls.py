"""Article images and links are read the way a browser reads them: an image loads only from
our own site, a link goes to our site or over https to an allowed host; the feed's links all
come from PUBLIC_BASE_URL, whatever Host a request names."""

import re
import xml.etree.ElementTree as ET

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"

# Each resolves, in a browser, to another origin (the tab, newline and backslashes included).
FOREIGN_IMAGES = [
    "/\\evil.example/x.gif",
    "/\t/evil.example/x.gif",
    "/\n/evil.example/x.gif",
    " //evil.example/x.gif",
    "//evil.example/x.gif",
    "///evil.example/x.gif",
    "\\\\evil.example\\x.gif",
    "http:///evil.example/x.gif",
    "https:evil.example/x.gif",
    "https://evil.example/x.gif",
    "http://leadgen.test@evil.example/x.gif",
    "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
]
FOREIGN_LINKS = [
    "/\\evil.example/",
    "/\t/evil.example/",
    "//evil.example/",
    "http://example.org/plain-http",
    "java\tscript:alert(1)",
]


def import_article(runner, tmp_path, slug: str, body: str) -> None:
    """`flask blog import` a Markdown file, as staff do."""
    source = tmp_path / f"{slug}.md"
    source.write_text(f"---\ntitle: Images\nslug: {slug}\ndate: 2026-10-01\n---\n{body}\n")
    result = runner.invoke(args=["blog", "import", str(source)])
    assert result.exit_code == 0, result.output


def article_body(client, slug: str) -> str:
    """The article's own HTML on its page (without the site's header and footer)."""
    page = client.get(f"/blog/{slug}").get_data(as_text=True)
    return page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]


def test_an_image_from_another_origin_is_dropped_however_it_is_written(client, runner, tmp_path):
    images = "\n\n".join(f'<img src="{url}" alt="foreign {number}">' for number, url in enumerate(FOREIGN_IMAGES))
    import_article(runner, tmp_path, "foreign-images", images + "\n\n![own](/static/gut.png) ![near](figure.png)")
    body = article_body(client, "foreign-images")
    assert body.count("<img") == len(FOREIGN_IMAGES) + 2
    assert "evil.example" not in body and "data:" not in body
    sources = re.findall(r'src="([^"]*)"', body)
    assert sources == ["/static/gut.png", "figure.png"]


def test_a_link_goes_only_to_our_site_or_over_https(client, runner, tmp_path):
    links = " ".join(f'<a href="{url}">foreign {number}</a>' for number, url in enumerate(FOREIGN_LINKS))
    allowed = "[a study](https://example.org/study) [more](/blog) [mail](mailto:office@clinic.example)"
    import_article(runner, tmp_path, "links", f"{links}\n\n{allowed}")
    body = article_body(client, "links")
    assert re.findall(r'href="([^"]*)"', body) == ["https://example.org/study", "/blog", "mailto:office@clinic.example"]
    for number in range(len(FOREIGN_LINKS)):
        assert f"foreign {number}</a>" in body  # the words stay, the link goes


def test_article_link_hosts_limits_where_links_may_go(make_app, tmp_path):
    app = make_app(ARTICLE_LINK_HOSTS=["pubmed.ncbi.nlm.nih.gov"])
    body = "[pubmed](https://pubmed.ncbi.nlm.nih.gov/1/) [elsewhere](https://example.org/) [ours](http://leadgen.test/ebook)"
    import_article(app.test_cli_runner(), tmp_path, "hosts", body)
    found = re.findall(r'href="([^"]*)"', article_body(app.test_client(), "hosts"))
    assert found == ["https://pubmed.ncbi.nlm.nih.gov/1/", "http://leadgen.test/ebook"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080"])
def test_the_feed_names_the_public_site_whatever_host_is_asked(client, runner, tmp_path, host):
    import_article(runner, tmp_path, "feed-entry", '<img src="/\\evil.example/x.gif" alt="x"> Words.')
    response = client.get("/blog/feed.xml", headers={"Host": host})
    assert response.status_code == 200
    document = response.get_data(as_text=True)
    assert "evil.example" not in document
    feed = ET.fromstring(response.data)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")] + [node.text for node in feed.iter(f"{ATOM}id")]
    assert links and all(link.startswith("http://leadgen.test/") for link in links), links
    assert "http://leadgen.test/blog/feed-entry" in links
