"""`demo seed` writes a demo ebook that looks like the real thing: several pages, the five
foundations as chapters, the clinic's name and phone on every page."""

import re
import zlib

from leadgen.ebook.sample_text import CHAPTERS

CLINIC, PHONE = "Lakeside Autoimmune Clinic", "+1 312 555 0142"


def page_texts(pdf: bytes) -> list[str]:
    """The text drawn on each page, in order (fpdf2 writes one compressed content stream a page)."""
    streams = [zlib.decompress(raw) for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)]
    return [" ".join(part.decode("latin-1") for part in re.findall(rb"\((.*?)\) Tj", s)) for s in streams if b"Tj" in s]


def test_demo_seed_writes_an_ebook_with_a_chapter_per_foundation(make_app, tmp_path):
    app = make_app(EBOOK_PATH=str(tmp_path / "ebook.pdf"), CLINIC_NAME=CLINIC, OFFICE_PHONE=PHONE)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "ebook.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 6_000
    pages = page_texts(pdf)
    assert len(pages) == len(re.findall(rb"/Type /Page\b", pdf)) >= 7
    assert all(CLINIC in page and PHONE in page for page in pages)
    for number, (title, _, _) in enumerate(CHAPTERS, start=1):
        [chapter] = [page for page in pages if f"FOUNDATION {number} OF 5" in page]
        assert title in chapter and "Try this week" in chapter
    assert [title for title, _, _ in CHAPTERS] == ["Food", "Gut health", "Toxins", "Infections", "Stress"]
