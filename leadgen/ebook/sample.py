"""A short sample of the ebook, written by `demo seed` until the clinic sets EBOOK_PATH."""

from pathlib import Path

TITLE = "The 5 Foundations of Autoimmune Diseases"
CHAPTERS = (
    ("1. Food", "What you eat every day either calms or feeds inflammation. We start with a simple elimination plan."),
    ("2. Gut health", "A leaky gut lets particles into the blood that the immune system learns to attack."),
    ("3. Toxins", "Mould, heavy metals and everyday chemicals add to the load your immune system carries."),
    ("4. Infections", "Some viruses and bacteria can trigger autoimmunity; testing shows which ones matter."),
    ("5. Stress", "Chronic stress changes hormones and immune signals; sleep and recovery are treatment too."),
)


def write_sample_ebook(path: Path, clinic_name: str, office_phone: str) -> Path:
    """Write a small, valid PDF with the ebook's title and chapters."""
    from fpdf import FPDF  # here, not at the top: fpdf takes longer to import than Flask, for every CLI command

    pdf = FPDF()
    pdf.set_title(TITLE)
    pdf.set_author(clinic_name)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, body in CHAPTERS:
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 12)
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.set_font("Helvetica", "I", 11)
    pdf.multi_cell(
        0,
        6,
        f"Questions? Call {clinic_name} at {office_phone} to speak with one of our physicians.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
