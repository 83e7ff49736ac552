"""The blog: list, article, feed, import from Markdown, the demo article, the posts API."""

import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlalchemy import func, select

from leadgen.blog.models import Post
from leadgen.blog.posts import import_post
from leadgen.database import utcnow
from leadgen.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


def article(slug: str, title: str, date: str, body: str = "Some words.", summary: str = "") -> str:
    return f"---\ntitle: {title}\nslug: {slug}\ndate: {date}\nsummary: {summary}\n---\n{body}\n"


def add_posts(app, count: int) -> None:
    with app.app_context():
        for day in range(1, count + 1):
            import_post(article(f"article-{day}", f"Article {day}", f"2026-10-{day:02d}"))


def test_blog_lists_newest_first_a_page_at_a_time(app, client):
    add_posts(app, 12)
    first = client.get("/blog").get_data(as_text=True)
    assert first.index("Article 12") < first.index("Article 11") < first.index("Article 3")
    assert "Article 2<" not in first and "Page 1 of 2" in first and "Older articles" in first
    second = client.get("/blog?page=2").get_data(as_text=True)
    assert "Article 2<" in second and "Article 1<" in second and "Newer articles" in second
    beyond = client.get("/blog?page=9")
    assert beyond.status_code == 200 and "There are no more articles" in beyond.get_data(as_text=True)
    far_beyond = client.get("/blog?page=99999999999999999999")
    assert far_beyond.status_code == 200 and "There are no more articles" in far_beyond.get_data(as_text=True)


def test_empty_blog_says_so_and_offers_the_ebook(app, client):
    page = client.get("/blog").get_data(as_text=True)
    assert "No articles yet" in page and "/ebook" in page and "tel:" in page


def test_an_article_with_a_future_date_is_not_published_yet(app, client):
    later = (utcnow() + timedelta(days=3)).date().isoformat()
    with app.app_context():
        import_post(article("coming-soon", "Coming soon", later))
    assert "Coming soon" not in client.get("/blog").get_data(as_text=True)
    assert client.get("/blog/coming-soon").status_code == 404
    assert client.get("/api/v1/posts").get_json() == []


def test_article_is_rendered_from_markdown_sanitised_and_ends_with_the_offers(app, client):
    body = (
        "## Why it matters\n\nThe **gut** lining.\n\n<script>alert(1)</script>\n\n"
        '<img src="https://tracker.example/p.gif"> <a href="javascript:alert(1)" onclick="x()">click</a>\n\n'
        "[a study](https://example.org/study)"
    )
    with app.app_context():
        import_post(article("gut", "The gut", "2026-10-01", body))
    response = client.get("/blog/gut")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h2>Why it matters</h2>" in page and "<strong>gut</strong>" in page
    assert "Published <time" in page and "1 October 2026</time>" in page  # the day the front matter names
    assert "<script>alert" not in page and "javascript:" not in page and "onclick" not in page
    assert "tracker.example" not in page  # no image from another site
    assert '<a href="https://example.org/study" rel="noopener noreferrer">a study</a>' in page
    for offer in ("FREE ebook", "FREE online webinars", "More articles"):
        assert offer in page
    assert "utm_source=blog" in page and 'href="tel:+13125550142"' in page
    assert "Leave a reply" in page


def test_unknown_article_is_a_404_page(app, client):
    response = client.get("/blog/no-such-thing")
    assert response.status_code == 404 and "could not find that page" in response.get_data(as_text=True)


def test_the_atom_feed_parses_back(app, client):
    with app.app_context():
        import_post(article("older", "Older & wiser", "2026-09-01", "Text <b>bold</b>", summary="An older one"))
        import_post(article("newer", "Newer", "2026-10-01", "## Heading\n\nBody"))
    response = client.get("/blog/feed.xml")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "http://leadgen.test/blog"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://leadgen.test/blog/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Newer", "Older & wiser"]
    newer, older = entries
    assert newer.find(f"{ATOM}link").get("href") == "http://leadgen.test/blog/newer"
    # A front-matter date is midnight in the clinic's timezone (America/Chicago, UTC-5 in October).
    assert newer.find(f"{ATOM}published").text == "2026-10-01T05:00:00+00:00"
    assert "<h2>Heading</h2>" in newer.find(f"{ATOM}content").text
    assert newer.find(f"{ATOM}content").get("type") == "html"
    assert older.find(f"{ATOM}summary").text == "An older one"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Lakeside Autoimmune Clinic"


def test_blog_import_creates_updates_and_refuses_bad_files(app, runner, tmp_path):
    good = tmp_path / "autoimmune-basics.md"
    good.write_text("---\ntitle: Autoimmune basics\ndate: 2026-10-05\n---\nFirst version.\n")
    bad = tmp_path / "broken.md"
    bad.write_text("---\nslug: broken\n---\nNo title here.\n")
    result = runner.invoke(args=["blog", "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert "created /blog/autoimmune-basics" in result.output
    assert "not imported: the front matter needs a title" in result.output
    assert "unchanged" in runner.invoke(args=["blog", "import", str(good)]).output
    good.write_text("---\ntitle: Autoimmune basics, revised\ndate: 2026-10-05\n---\nSecond version.\n")
    assert "updated /blog/autoimmune-basics" in runner.invoke(args=["blog", "import", str(good)]).output
    with app.app_context():
        [post] = db.session.scalars(select(Post)).all()
        assert (post.slug, post.title) == ("autoimmune-basics", "Autoimmune basics, revised")
        assert post.body_markdown == "Second version.\n"


def test_demo_seed_writes_the_leaky_gut_article_once(app, client, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and "blog: created /blog/leaky-gut-and-autoimmunity" in first.output
    assert "blog: unchanged" in runner.invoke(args=["demo", "seed"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 1
    page = client.get("/blog/leaky-gut-and-autoimmunity").get_data(as_text=True)
    assert '<h2>What "leaky gut" means</h2>' in page
    assert "tight junctions" in page


def test_api_lists_posts_with_approved_comment_counts(app, client):
    add_posts(app, 2)
    client.post("/api/v1/posts/article-1/comments", json={"name": "Ana", "email": "a@example.com", "body": "Hi"})
    response = client.get("/api/v1/posts")
    assert response.status_code == 200
    assert response.get_json() == [
        {"slug": "article-2", "title": "Article 2", "published_at": "2026-10-02T05:00:00+00:00", "comment_count": 0},
        {"slug": "article-1", "title": "Article 1", "published_at": "2026-10-01T05:00:00+00:00", "comment_count": 0},
    ]
