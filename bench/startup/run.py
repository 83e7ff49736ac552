"""How long a CLI command takes to start, against importing Flask, SQLAlchemy and marshmallow.

Every `flask --app wsgi ...` command imports the whole app and builds it before it does
anything, so its start-up is what an operator waits for on each command. In the same run,
alternately, time BENCH_REPEATS (default 9) fresh processes of each, with the virtualenv's
Python (BENCH_VENV, default .venv):

- baseline: `python -c "import flask, sqlalchemy, marshmallow"` (the frameworks alone);
- command:  `flask --app wsgi outbox --help` (import, create_app, the CLI; no database work);
- libraries: importing what every command wires before any of leadgen's code runs: the
  extensions of leadgen/extensions.py (Flask-SQLAlchemy with the ORM, flask-smorest, Flask-Limiter,
  Flask-Login, Flask-Mail, Flask-WTF), flask-cors, prometheus-client, python-json-logger and
  SQLAlchemy's SQLite dialect.

Each process is timed by its CPU time (user + system, from wait4): on a shared machine the
wall clock mostly measures the neighbours, while CPU time is what the start-up costs and what
an idle machine's wall clock shows. Wall-clock medians are printed beside it. Prints the
median of each and the command/baseline ratio last. Target: ratio <= 2. The command/libraries
ratio (also <= 2) is the start-up leadgen's own modules and create_app add to the libraries the
project is built on; the libraries alone take most of the distance to the baseline.

`bench/startup/run --callgrind` also counts the instructions one process of each executes
under valgrind's callgrind (with a fixed hash seed), a number that stays the same however busy
the machine is (a few minutes more). It leaves out what costs time without instructions
(waiting for memory, page faults when loading compiled libraries), so that ratio is lower.

What is left above the baseline (instructions counted by callgrind in one step after another,
7 December 2026; 1 billion instructions is about a quarter of a second of CPU here): 0.27
billion SQLAlchemy's ORM and Flask-SQLAlchemy; 0.37 the extensions every command needs
(flask-smorest with apispec and PyYAML, Flask-Limiter with limits, prometheus-client,
Flask-WTF, Flask-Login, Flask-Mail, flask-cors); 0.80 leadgen's own modules, nearly all of it
declaring its 27 models, marshmallow schemas, forms and views, and 0.14 of it SQLAlchemy's
PostgreSQL dialect even on SQLite, because an Index's postgresql_* options (ix_outbox_claimable's
condition, the leads' trigram index) make SQLAlchemy import the dialect to check them; 0.42
create_app, most of it werkzeug compiling two URL-building functions for each of the 129 rules
(no public way to defer it) and flask-smorest documenting the API (done when a blueprint is
registered; it has no lazy mode); and 0.2 the `flask` command itself, nearly all of it, in the
development virtualenv only, rich (0.16), which Flask-Limiter's `flask limiter` plugin imports
on every `flask` command because schemathesis (requirements-dev.txt) installs it (Flask loads
every plugin's command; it has no switch to skip them). cryptography loads only to check an
SNS signature, and wsgi.py keeps the garbage collector off while it builds the app.
"""

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# BENCH_VENV: another virtualenv to time, e.g. a production install (requirements.txt only).
BIN = Path(os.environ.get("BENCH_VENV", ROOT / ".venv")) / "bin"
REPEATS = int(os.environ.get("BENCH_REPEATS", "9"))
TARGET = 2.0
LIBRARIES = (
    "flask_sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "flask_smorest",
    "flask_limiter",
    "flask_login",
    "flask_mail",
    "flask_wtf.csrf",
    "flask_cors",
    "prometheus_client",
    "pythonjsonlogger.json",
)
COMMANDS = {
    "baseline": [str(BIN / "python"), "-c", "import flask, sqlalchemy, marshmallow"],
    "command": [str(BIN / "flask"), "--app", "wsgi", "outbox", "--help"],
    "libraries": [str(BIN / "python"), "-c", f"import {', '.join(LIBRARIES)}"],
}


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process running `command` to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{errors}")
    return usage.ru_utime + usage.ru_stime, wall


def instructions(command: list[str]) -> int:
    """Instructions one fresh process running `command` executes, counted by callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr)[1])


def main() -> int:
    # Warm the file cache and write the .pyc files first, even where PYTHONDONTWRITEBYTECODE is
    # set (as in some shells and CI): an operator's second command reads leadgen's bytecode, and
    # without it every run would compile leadgen's ~100 modules again (about 0.2 s more).
    writing_bytecode = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    for command in COMMANDS.values():
        timed(command, env=writing_bytecode)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(REPEATS):
        for name, command in COMMANDS.items():
            samples[name].append(timed(command))
    cpu = {name: statistics.median(s[0] for s in runs) for name, runs in samples.items()}
    wall = {name: statistics.median(s[1] for s in runs) for name, runs in samples.items()}
    for name, command in COMMANDS.items():
        shown = " ".join(Path(part).name if part.startswith("/") else part for part in command)
        print(f"{name:9s} cpu {cpu[name]:.2f} s  wall {wall[name]:.2f} s  (median of {REPEATS})  {shown}")
    print(f"wall-clock ratio {wall['command'] / wall['baseline']:.2f} (for reference; moves with the machine's load)")
    if "--callgrind" in sys.argv[1:]:
        counted = {name: instructions(command) for name, command in COMMANDS.items()}
        for name, count in counted.items():
            print(f"{name:9s} {count / 1e9:.2f} billion instructions (callgrind)")
        print(f"callgrind ratio {counted['command'] / counted['baseline']:.2f}")
    ratio = cpu["command"] / cpu["baseline"]
    own = cpu["command"] / cpu["libraries"]
    print(f"RESULT startup ratio={ratio:.2f} target=<={TARGET:g} {'met' if ratio <= TARGET else 'MISSED'}")
    print(f"RESULT startup-over-libraries ratio={own:.2f} target=<={TARGET:g} {'met' if own <= TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
