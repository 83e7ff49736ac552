"""The demo ebook, written by `demo seed` until the clinic sets EBOOK_PATH: a cover, contents,
the five foundations as chapters and a closing page, with the clinic's name and phone on every page."""

from pathlib import Path

from fpdf import FPDF

from .sample_text import CHAPTERS, CLOSING, INTRODUCTION, SUBTITLE, TITLE

# The site's colours (style.css): ink, muted text, accent green, and the light wash.
INK, MUTED, ACCENT, WASH = (29, 42, 38), (74, 90, 85), (47, 107, 90), (244, 246, 245)


class SampleEbook(FPDF):
    """An A4 book whose every page ends with the clinic's name, phone and the page number."""

    def __init__(self, clinic_name: str, office_phone: str):
        super().__init__(format="A4")
        self.clinic_name, self.office_phone = clinic_name, office_phone
        self.set_margins(22, 24, 22)
        self.set_auto_page_break(True, margin=26)
        self.set_title(TITLE)
        self.set_author(clinic_name)

    def footer(self) -> None:
        """The clinic's line at the foot of each page."""
        self.set_y(-18)
        self.set_draw_color(*ACCENT)
        self.line(self.l_margin, self.get_y() - 2, self.w - self.r_margin, self.get_y() - 2)
        self.set_font("Helvetica", "", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, f"{self.clinic_name}  |  Call {self.office_phone}")
        self.cell(0, 6, str(self.page_no()), align="R", new_x="LMARGIN", new_y="NEXT")

    def heading(self, kicker: str, title: str) -> None:
        """A chapter's opening: a small line above a large green title."""
        self.set_font("Helvetica", "B", 11)
        self.set_text_color(*MUTED)
        self.cell(0, 8, kicker.upper(), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "B", 24)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 11, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def paragraphs(self, texts: tuple[str, ...]) -> None:
        """Body text in the ink colour."""
        self.set_font("Helvetica", "", 12)
        self.set_text_color(*INK)
        for text in texts:
            self.multi_cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
            self.ln(3)

    def try_this_week(self, steps: tuple[str, ...]) -> None:
        """A washed box of small steps to try."""
        self.ln(2)
        self.set_fill_color(*WASH)
        self.set_font("Helvetica", "B", 12)
        self.set_text_color(*ACCENT)
        self.cell(0, 9, "  Try this week", fill=True, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 12)
        self.set_text_color(*INK)
        for step in steps:
            self.multi_cell(0, 7, f"  -  {step}", fill=True, new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 3, "", fill=True, new_x="LMARGIN", new_y="NEXT")


def cover(pdf: SampleEbook) -> None:
    """The title page."""
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 110, style="F")
    pdf.set_y(38)
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 8, "FREE EBOOK", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 30)
    pdf.multi_cell(0, 13, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(125)
    pdf.set_font("Helvetica", "", 15)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 8, SUBTITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, f"A guide from the physicians of {pdf.clinic_name}", new_x="LMARGIN", new_y="NEXT")


def contents(pdf: SampleEbook) -> None:
    """The contents page, with the introduction."""
    pdf.add_page()
    pdf.heading("Inside", "Contents")
    pdf.set_font("Helvetica", "", 13)
    pdf.set_text_color(*INK)
    for number, (title, _, _) in enumerate(CHAPTERS, start=1):
        pdf.cell(0, 9, f"Foundation {number}:  {title}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, "Your next step", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.heading("Before you start", "Why foundations?")
    pdf.paragraphs(INTRODUCTION)


def write_sample_ebook(path: Path, clinic_name: str, office_phone: str) -> Path:
    """Write the demo ebook as a PDF at `path`: several pages, one chapter per foundation."""
    pdf = SampleEbook(clinic_name, office_phone)
    cover(pdf)
    contents(pdf)
    for number, (title, texts, steps) in enumerate(CHAPTERS, start=1):
        pdf.add_page()
        pdf.heading(f"Foundation {number} of {len(CHAPTERS)}", title)
        pdf.paragraphs(texts)
        pdf.try_this_week(steps)
    pdf.add_page()
    pdf.heading("Your next step", "Talk with one of our physicians")
    pdf.paragraphs(CLOSING)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 9, f"Call {clinic_name} at {office_phone}", new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
