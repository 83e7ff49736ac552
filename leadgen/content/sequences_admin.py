"""Console pages at /admin/content/sequences: the follow-up steps after each kind of request.

One form holds every step (wait, office hours, subject, text, position) and one empty step to
add; a step is removed with its box ticked and moved by its position number. Saving replaces
the sequence for leads captured from then on: steps already queued keep their words and time.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..admin.console import require_staff
from ..followups.service import REASONS, default_steps
from .catalogue import FOLLOWUP_PLACEHOLDERS
from .preview import PREVIEW_POLICY, preview, send_test
from .schemas import StepSchema
from .service import StepWords, Words, restore_steps, save_steps, stored_steps

bp = Blueprint("content_sequences", __name__, url_prefix="/admin/content/sequences")
bp.before_request(require_staff)
STEP_FIELDS = ("delay", "subject", "body", "position", "office_hours", "remove")
MAX_STEPS = 20


def duration_text(seconds: int) -> str:
    """A wait as the form writes it: 2d, 12h, 30m or 45s."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def step_values(steps: list[StepWords]) -> list[dict]:
    """The form's rows for these steps, and one empty row to add a step."""
    rows = [
        {
            "delay": duration_text(int(step.delay.total_seconds())),
            "subject": step.subject,
            "body": step.body,
            "office_hours": "y" if step.during_office_hours else "",
            "position": str(number),
        }
        for number, step in enumerate(steps, start=1)
    ]
    return [*rows, {"position": str(len(rows) + 1)}]


def known_sequence(sequence: str) -> str:
    """A sequence's name, or 404."""
    if sequence not in REASONS:
        abort(404)
    return sequence


def sequence_page(sequence: str, rows: list[dict], errors: dict, status: int = 200, shown: dict | None = None):
    """The steps' form (as typed, with messages, after a refusal) and the preview when `shown`."""
    return (
        render_template(
            "admin/content_sequence.html",
            sequence=sequence,
            rows=rows,
            errors=errors,
            edited=stored_steps(sequence) is not None,
            placeholders=FOLLOWUP_PLACEHOLDERS[sequence],
            shown=shown,
        ),
        status,
        ({"Content-Security-Policy": PREVIEW_POLICY} if shown else {}),
    )


@bp.get("/<sequence>")
def sequence(sequence: str):
    """The steps as they run now (the shipped ones until staff save their own)."""
    known_sequence(sequence)
    return sequence_page(sequence, step_values(stored_steps(sequence) or default_steps(sequence)), {})


def posted_rows() -> list[dict]:
    """The step rows of the posted form, as typed (at most MAX_STEPS + 1)."""
    count = min(request.form.get("steps", 0, type=int) or 0, MAX_STEPS + 1)
    return [{name: request.form.get(f"{name}-{index}", "") for name in STEP_FIELDS} for index in range(1, count + 1)]


def read_steps(sequence: str, rows: list[dict]) -> tuple[list[tuple[float, StepWords]], dict]:
    """Each kept row checked, with its position; errors keyed by the form's field names."""
    steps, errors = [], {}
    schema = StepSchema(set(FOLLOWUP_PLACEHOLDERS[sequence]))
    for index, row in enumerate(rows, start=1):
        if row["remove"] or not any(row[name].strip() for name in ("delay", "subject", "body")):
            continue
        try:
            data = schema.load({name: row[name] for name in ("delay", "subject", "body", "office_hours") if row[name]})
        except ValidationError as error:
            errors |= {f"{name}-{index}": messages for name, messages in error.normalized_messages().items()}
            continue
        try:
            position = float(row["position"] or index)
        except ValueError:
            errors[f"position-{index}"] = ["Write the step's place as a number, like 2."]
            continue
        steps.append((position, StepWords(data["delay"], data["office_hours"], data["subject"], data["body"])))
    if not errors and not steps:
        errors["subject-1"] = ["Keep at least one step, or restore the default sequence."]
    if len(steps) > MAX_STEPS:
        errors["subject-1"] = [f"A sequence has at most {MAX_STEPS} steps."]
    return steps, errors


@bp.post("/<sequence>")
def save_sequence(sequence: str):
    """Save the steps in their positions' order, or preview the first step's words."""
    known_sequence(sequence)
    rows = posted_rows()
    steps, errors = read_steps(sequence, rows)
    if errors:
        return sequence_page(sequence, rows, errors, 422)
    ordered = [step for _, step in sorted(steps, key=lambda pair: pair[0])]
    action, _, wanted = request.form.get("action", "save").partition("-")
    if action in ("preview", "test"):
        number = min(int(wanted), len(ordered)) if wanted.isdigit() and int(wanted) > 0 else 1
        step, template = ordered[number - 1], f"followup_{sequence}_{number}"
        words = Words(step.subject, step.body)
        if action == "test":
            send_test(template, words, current_user.email)
            flash(f"A test of step {number} is on its way to {current_user.email} (not saved yet).", "info")
            return sequence_page(sequence, rows, {})
        return sequence_page(sequence, rows, {}, shown=preview(template, words, current_user.email))
    save_steps(sequence, ordered)
    flash(f"Saved {len(ordered)} steps: leads captured from now on get them.", "info")
    return redirect(url_for(".sequence", sequence=sequence), 303)


@bp.post("/<sequence>/restore")
def restore_sequence(sequence: str):
    """The shipped steps again (FOLLOWUP_DELAYS and the followup templates)."""
    known_sequence(sequence)
    restore_steps(sequence)
    flash("The sequence is the default one again.", "info")
    return redirect(url_for(".sequence", sequence=sequence), 303)
