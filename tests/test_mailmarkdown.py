"""Staff-written mail Markdown: sanitised, placeholders filled and escaped."""

from leadgen.mailmarkdown import fill_text, render_markdown_mail, unknown_placeholders


def test_values_are_escaped_in_html_and_kept_in_text():
    html, text = render_markdown_mail(
        "Hello **{first_name}**, call {office_phone}.",
        {
            "first_name": "<b>Ann</b>",
            "office_phone": "(555) 010-0000",
        },
    )
    assert "<strong>&lt;b&gt;Ann&lt;/b&gt;</strong>" in html
    assert "(555) 010-0000" in html
    assert text == "Hello **<b>Ann</b>**, call (555) 010-0000.\n"


def test_markup_typed_by_staff_is_not_obeyed():
    html, _ = render_markdown_mail(
        "<script>alert(1)</script>\n\n[site](javascript:alert(1)) ![x](https://t.example/p.gif)", {}
    )
    assert "<script" not in html
    assert "href" not in html
    assert "<img" not in html


def test_unknown_placeholders_are_named():
    assert unknown_placeholders("Hi {first_name} {frist_name} {x}", {"first_name"}) == ["frist_name", "x"]
    assert unknown_placeholders("Braces {Like This} are text", {"first_name"}) == []
    assert fill_text("Hi {first_name} {other}", {"first_name": "Ann"}) == "Hi Ann {other}"


def test_a_placeholder_in_a_link_address_is_filled():
    html, text = render_markdown_mail("[See the dates]({site_url}/webinars)", {"site_url": "https://clinic.test"})
    assert 'href="https://clinic.test/webinars"' in html
    assert text == "[See the dates](https://clinic.test/webinars)\n"


def test_a_value_in_a_link_address_cannot_be_a_script():
    html, _ = render_markdown_mail("[Hello]({first_name})", {"first_name": "javascript:alert(1)"})
    assert "javascript" not in html
