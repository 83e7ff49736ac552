"""Console pages that import a list of leads: upload a CSV, read the preview (new, updated,
refused with line numbers and why), then press Import, which applies exactly the previewed file."""

from flask import Blueprint, current_app, render_template, request
from werkzeug.utils import secure_filename

from ..admin.console import require_staff
from ..extensions import csrf
from .importer import import_file, run_import
from .importfile import ImportFileError
from .uploads import forget_upload, save_upload, upload_path

bp = Blueprint("leads_import_admin", __name__, url_prefix="/admin")
bp.before_request(require_staff)

# Larger lists go through `flask leads import` (no request timeout, a progress bar).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


def page(status: int = 200, **context):
    """The import page in one of its states: the form, an error, the preview, the result."""
    context.setdefault("errors", {})
    return render_template("admin/import.html", max_mb=UPLOAD_MAX_BYTES // (1024 * 1024), **context), status


@bp.get("/leads/import")
def form():
    """The upload form, with what the file must hold."""
    return page()


@bp.post("/leads/import")
@csrf.exempt  # checked below, once the upload's own size limit is set
def preview():
    """Store the upload and show what importing it would do; nothing is changed yet."""
    # The app's limit suits forms; a list of leads may be larger. Set before the body is read.
    request.max_content_length = UPLOAD_MAX_BYTES
    csrf.protect()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return page(422, errors={"file": ["Choose a CSV file to import."]})
    name = secure_filename(upload.filename)[:100] or "upload.csv"
    instance = current_app.instance_path
    digest = save_upload(upload.stream, instance)
    try:
        with upload_path(instance, digest).open("rb") as stream:
            report = run_import(stream, apply=False)
    except ImportFileError as error:
        forget_upload(instance, digest)
        return page(422, errors={"file": [str(error)]})
    return page(report=report, digest=digest, name=name)


@bp.post("/leads/import/apply")
def apply():
    """Import the previewed file (named by its digest) and show what was done."""
    instance = current_app.instance_path
    digest = request.form.get("digest", "")
    name = secure_filename(request.form.get("name", ""))[:100] or "upload.csv"
    path = upload_path(instance, digest)
    if path is None:
        message = "That upload is no longer here (imported already, or older than a day). Upload the file again."
        return page(410, errors={"file": [message]})
    try:
        report = import_file(lambda: path.open("rb"), file_name=name)
    except ImportFileError as error:  # the previewed file was readable; kept for safety
        return page(422, errors={"file": [str(error)]})
    forget_upload(instance, digest)
    return page(report=report, done=True, name=name)
