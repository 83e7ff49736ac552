"""The README works as written: its commands exist with the flags it shows, its links stay in the
repository, and `make test`'s prerequisites check names what is missing."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .test_migrations import flask_cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text()
CODE_BLOCK = re.compile(r"^```([a-z]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Shell blocks and the bare Procfile block; a configuration block (```yaml) holds no commands.
COMMAND_BLOCKS = ("sh", "")
CHECK_PREREQUISITES = PROJECT_ROOT / "scripts" / "check-prerequisites"


def readme_command_lines() -> list[list[str]]:
    """Every command line of the README's code blocks, as words (comments and Procfile names dropped)."""
    commands = []
    for language, block in CODE_BLOCK.findall(README):
        if language not in COMMAND_BLOCKS:
            continue
        for line in block.splitlines():
            line = re.sub(r"^\w+:\s+", "", line.strip())  # "release: flask ..." in the Procfile block
            if line and not line.startswith("#"):
                for part in re.split(r"\s*(?:\||&&)\s*", line):
                    commands.append(shlex.split(part, comments=True))
    return commands


def flask_commands() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(command path, flags) of each `flask --app wsgi ...` line, e.g. (("staff", "create"), ("--role",))."""
    found = []
    for words in readme_command_lines():
        if Path(words[0]).name != "flask" or words[1:3] != ["--app", "wsgi"]:
            continue
        path = tuple(re.match(r"[a-z][a-z-]*$", word) and word for word in words[3:])
        path = path[: path.index(None)] if None in path else path
        found.append((path, tuple(word for word in words if word.startswith("--") and word != "--app")))
    return found


def flask_help(*path: str, database_url: str) -> str:
    """`flask --app wsgi <path> --help`, run as an operator would from the checkout."""
    result = flask_cli(database_url, *path, "--help")
    assert result.returncode == 0, f"flask --app wsgi {' '.join(path)} --help failed:\n{result.stderr}"
    return result.stdout


def test_the_readme_shows_the_commands_it_promises():
    commands = {" ".join(path) + " " + " ".join(flags) for path, flags in flask_commands()}
    assert "staff create --role --password-stdin" in commands
    assert "staff create --role" in commands  # the prompt, for a terminal
    assert {("make", "run"), ("make", "test")} <= {tuple(words[:2]) for words in readme_command_lines()}


@pytest.mark.slow
def test_every_flask_command_in_the_readme_exists_with_its_flags(tmp_path):
    for path, flags in sorted(set(flask_commands())):
        help_text = flask_help(*path, database_url=f"sqlite:///{tmp_path / 'help.sqlite3'}")
        for flag in flags:
            assert re.search(rf"{re.escape(flag)}\b", help_text), f"`flask {' '.join(path)}` has no {flag}"


def test_every_make_target_in_the_readme_exists():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = {words[1] for words in readme_command_lines() if words[0] == "make" and len(words) > 1}
    assert targets, "the README shows no make command"
    for target in targets:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), f"no `make {target}`"


def test_the_readme_links_only_inside_the_repository():
    assert "../" not in README
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not re.match(r"https?://", target):
            assert (PROJECT_ROOT / target).is_file(), f"the README links to {target}, which is not in the repository"
    assert (PROJECT_ROOT / "docs" / "architecture.md").is_file()


def run_prerequisites_check(tmp_path, **environment) -> subprocess.CompletedProcess:
    """scripts/check-prerequisites with a PATH holding only what it needs and none of the test tools."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {"PATH": f"{bin_dir}:/nonexistent", "CHROMIUM_PATH": "/nonexistent/chromium", **environment}
    return subprocess.run(
        ["/bin/bash", str(CHECK_PREREQUISITES)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def test_the_prerequisites_check_names_what_is_missing_and_how_to_install_it(tmp_path):
    result = run_prerequisites_check(tmp_path)
    assert result.returncode == 1
    for missing, package in [
        ("npm", "npm"),
        ("Chromium at /nonexistent/chromium", "chromium"),
        ("PostgreSQL client tools", "postgresql-client"),
    ]:
        assert re.search(rf"MISSING {re.escape(missing)}.*apt-get install {package}", result.stdout), result.stdout
    assert "SpamAssassin" in result.stdout and "skipped (install: apt-get install spamassassin)" in result.stdout
    assert "LibreOffice" in result.stdout and "libreoffice-calc-nogui" in result.stdout
    assert "Python 3.11" not in result.stdout


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI is sure to have every prerequisite")
def test_ci_has_every_prerequisite():
    result = subprocess.run([str(CHECK_PREREQUISITES)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
def test_a_missing_test_tool_is_a_named_skip_and_a_failure_under_ci(tmp_path):
    def run(**environment) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-rs", "-q"]
        command.append("tests/test_export.py::test_libreoffice_opens_the_export_with_accents_and_no_live_formula")
        env = {**os.environ, "PATH": str(tmp_path), "CI": "", **environment}
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)

    skipped = run()
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert "SKIPPED" in skipped.stdout and "soffice is not installed (apt-get install libreoffice-calc-nogui)" in (
        skipped.stdout
    )
    failed = run(CI="true")
    assert failed.returncode != 0
    assert "soffice is not installed" in failed.stdout and "CI=true runs every check" in failed.stdout
