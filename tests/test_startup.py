"""Start-up: every `flask --app wsgi ...` command imports the app, so the libraries only one
feature needs stay out of that import (bench/startup measures the time; this keeps them out)."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each is imported inside the function that uses it, with a comment saying why.
FEATURE_ONLY = (
    "alembic",  # db commands (leadgen.migration_cli)
    "cryptography",  # checking an Amazon SNS signature (leadgen.mailevents.sns)
    "email_validator",  # checking a typed address
    "fpdf",  # the demo ebook
    "icalendar",  # a webinar's calendar file
    "markdown_it",  # articles and mail texts
    "phonenumbers",  # a call-back's phone number
    "rapidfuzz",  # the public forms' "Did you mean ...?"
)


def test_building_the_app_imports_no_library_only_one_feature_needs():
    code = f"import sys, wsgi; print(' '.join(sorted(set({FEATURE_ONLY!r}) & set(sys.modules))))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == []


def test_building_the_app_runs_no_full_garbage_collection_and_leaves_the_collector_on():
    """wsgi.py keeps the collector off while the app's long-lived objects are made (each full
    collection walks them all), and turns it on again for the command or the requests."""
    code = "import gc, wsgi; print(gc.isenabled(), gc.get_stats()[2]['collections'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["True", "0"]
