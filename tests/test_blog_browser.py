"""The blog in headless Chromium: XSS payloads stay text, phones do not scroll sideways, no-JS replies."""

import pytest

from leadgen.blog.posts import import_post
from leadgen.blog.service import find_comment, moderate

from .conftest import has_no_horizontal_scroll, screenshot
from .drills.browser import sign_in
from .helpers import ARTICLE, SLUG, make_staff

pytestmark = pytest.mark.browser

# Representative payloads of the OWASP XSS filter evasion cheat sheet.
XSS_PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<IMG SRC=x onerror=\"alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x29>",
    "<BODY ONLOAD=alert('XSS')>",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '"><script>alert(String.fromCharCode(88,83,83))</script>',
    "<details open ontoggle=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a> https://example.org/"onmouseover="alert(1)',
]
XSS_WEBSITES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://example.org/"onmouseover="alert(1)',
    "vbscript:msgbox(1)",
]


@pytest.fixture
def app(make_app):
    """The blog with the typing-speed rule off: a browser test fills the form at machine speed."""
    app = make_app(COMMENT_MIN_SECONDS=0)
    with app.app_context():
        import_post(ARTICLE.format(slug=SLUG))
    return app


def add_approved(app, client, **data) -> int:
    response = client.post(f"/api/v1/posts/{SLUG}/comments", json=data)
    assert response.status_code == 202, response.get_json()
    comment_id = response.get_json()["id"]
    with app.app_context():
        moderate(find_comment(comment_id), "approved")
    return comment_id


DOM_CHECK = """(selector) => {
  const comments = document.querySelector(selector);
  const handlers = [...document.querySelectorAll('*')].filter(
    el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on')));
  const links = [...comments.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  return {
    dangerous: comments.querySelectorAll(
      'script, img, svg, iframe, details, body, object, embed, input:not([name="ids"])').length,
    handlers: handlers.length,
    scripts: [...document.scripts].map(s => s.getAttribute('src')),
    badLinks: links.filter(h => !/^(https?:\\/\\/|\\/blog\\/|#|mailto:)/.test(h)),
  };
}"""


def test_xss_payloads_stay_text_in_a_real_browser(app, live_server, page):
    client = app.test_client()
    for number, payload in enumerate(XSS_PAYLOADS):
        add_approved(app, client, name=payload[:100], email=f"x{number}@example.com", body=f"{payload}\n{payload}")
    for number, website in enumerate(XSS_WEBSITES):
        add_approved(app, client, name=f"Site {number}", email=f"s{number}@example.com", body="Hi", website=website)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server}/blog/{SLUG}")
    page.wait_for_load_state("load")
    for link in page.locator("#comments a").all():
        link.hover()
    page.keyboard.press("Tab")
    found = page.evaluate(DOM_CHECK, "#comments")
    assert dialogs == []
    assert found["dangerous"] == 0 and found["handlers"] == 0 and found["badLinks"] == []
    assert [src for src in found["scripts"] if src] == ["/static/remember-commenter.js"]
    # The payloads are there, as words a reader can see.
    assert page.get_by_text("<script>alert('XSS')</script>").first.is_visible()
    screenshot(page, "blog-xss-payloads-1280")

    # Staff see the same words on the moderation page, also as text.
    sign_in(page, live_server, make_staff(app, role="marketing"), going_to="/admin/comments?status=approved")
    page.wait_for_url("**/admin/comments?status=approved")
    for link in page.locator(".moderation-list a").all():
        link.hover()
    found = page.evaluate(DOM_CHECK, ".moderation-list")
    assert dialogs == []
    assert found["dangerous"] == 0 and found["handlers"] == 0 and found["badLinks"] == []
    assert page.get_by_text("<svg/onload=alert('XSS')>").first.is_visible()


def test_blog_pages_fit_a_375px_phone(app, live_server, phone_page):
    client = app.test_client()
    first = add_approved(
        app,
        client,
        name="A reader with a rather long name indeed",
        email="a@example.com",
        body="A long link: https://example.org/" + "a" * 120 + "\nAnd a long word: " + "Immunohistochemistry" * 5,
        website="https://example.org",
    )
    parent = first
    for level in range(3):
        reply = {"name": f"Reply {level}", "email": f"r{level}@example.com", "body": "Thanks " * 30}
        parent = add_approved(app, client, **reply, parent_id=parent)
    page = phone_page
    for path, name in ((f"/blog/{SLUG}", "blog-article-375"), ("/blog", "blog-index-375")):
        page.goto(f"{live_server}{path}")
        assert has_no_horizontal_scroll(page), path
        screenshot(page, name)
    page.goto(f"{live_server}/blog/{SLUG}?replytocom={first}#respond")
    page.get_by_label("Name", exact=True).fill("Ana")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Write your comment.").first.wait_for()  # the page the POST answers with
    assert page.get_by_text("Write your comment.").first.is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "blog-reply-error-375")


def test_moderation_page_fits_a_375px_phone(app, live_server, phone_page):
    client = app.test_client()
    first = add_approved(app, client, name="Ana", email="ana@example.com", body="First " * 40)
    client.post(f"/api/v1/posts/{SLUG}/comments", json={"name": "Bo", "email": "bo@example.com", "body": "Reply " * 40})
    client.post(
        f"/api/v1/posts/{SLUG}/comments",
        json={"name": "Cy", "email": "cy@example.com", "body": "Thread", "parent_id": first},
    )
    page = phone_page
    sign_in(page, live_server, make_staff(app, role="marketing"), going_to="/admin/comments")
    page.wait_for_url("**/admin/comments")
    assert page.get_by_text("in reply to").first.is_visible()
    assert has_no_horizontal_scroll(page)
    screenshot(page, "admin-comments-375")
    page.get_by_label("Choose the comment by Bo").check()
    page.get_by_role("button", name="Approve", exact=True).first.click()
    assert page.get_by_text("1 comment approved.").is_visible()
    assert has_no_horizontal_scroll(page)


def test_reply_without_javascript(app, live_server, browser):
    first = add_approved(app, app.test_client(), name="Ana", email="ana@example.com", body="Has anyone tried this?")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/blog/{SLUG}")
        page.get_by_role("link", name="Reply to Ana").click()
        assert page.get_by_role("heading", name="Reply to Ana").is_visible()
        page.get_by_label("Comment", exact=True).fill("Yes, it helped me.")
        page.get_by_label("Name", exact=True).fill("Bo")
        page.get_by_label("Email", exact=True).fill("bo@example.com")
        page.get_by_role("button", name="Post comment").click()
        assert page.get_by_text("Your comment is awaiting moderation").first.is_visible()
        reply = page.locator(f"#comment-{first} .comment-pending")
        assert "Yes, it helped me." in reply.inner_text()
        screenshot(page, "blog-reply-pending-nojs-375")
    finally:
        context.close()
    with app.app_context():
        from leadgen.blog.models import Comment
        from leadgen.extensions import db

        assert db.session.query(Comment).filter_by(parent_id=first).one().name == "Bo"


def test_save_my_details_only_when_ticked(app, live_server, page):
    page.goto(f"{live_server}/blog/{SLUG}")
    page.get_by_label("Comment", exact=True).fill("First, without saving.")
    page.get_by_label("Name", exact=True).fill("Ana")
    page.get_by_label("Email", exact=True).fill("ana@example.com")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**/blog/{SLUG}#comment-*")
    assert page.evaluate("localStorage.getItem('leadgen.commenter')") is None
    assert page.get_by_label("Name", exact=True).input_value() == ""

    page.get_by_label("Comment", exact=True).fill("Second, saving my details.")
    page.get_by_label("Name", exact=True).fill("Ana")
    page.get_by_label("Email", exact=True).fill("ana@example.com")
    page.get_by_label("Website (optional)", exact=True).fill("https://ana.example")
    page.get_by_label("Save my name, email and website").check()
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**/blog/{SLUG}#comment-*")
    page.reload()
    assert page.get_by_label("Name", exact=True).input_value() == "Ana"
    assert page.get_by_label("Email", exact=True).input_value() == "ana@example.com"
    assert page.get_by_label("Website (optional)", exact=True).input_value() == "https://ana.example"
    assert page.get_by_label("Save my name, email and website").is_checked()
    # The marketing box is never ticked for the reader.
    assert not page.locator("#consent").is_checked()

    page.get_by_label("Comment", exact=True).fill("Third, forget me.")
    page.get_by_label("Save my name, email and website").uncheck()
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**/blog/{SLUG}#comment-*")
    assert page.evaluate("localStorage.getItem('leadgen.commenter')") is None
