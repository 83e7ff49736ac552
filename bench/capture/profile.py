"""Profile POST /api/v1/ebook-requests in-process (Flask test client, no gunicorn, no wrk).

    .venv/bin/python bench/capture/profile.py            # CPU ms per request, SQLite
    PROFILE_URL=postgresql+psycopg://postgres@127.0.0.1/NAME .venv/bin/python bench/capture/profile.py
    PROFILE_TREE=1 .venv/bin/python bench/capture/profile.py   # plus a pyinstrument call tree

CPU per request (process time) is the steady figure on a busy machine. The PostgreSQL
database named in PROFILE_URL is emptied (drop_all, create_all): give it one of your own.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from leadgen import create_app  # noqa: E402
from leadgen.extensions import db  # noqa: E402

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "2000"))


def main() -> None:
    url = os.environ.get("PROFILE_URL") or f"sqlite:///{tempfile.mkdtemp()}/profile.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tempfile.mkdtemp(), "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
    client = app.test_client()

    def post(count: int, tag: str) -> None:
        for number in range(count):
            body = {"email": f"{tag}-{number}@example.com", "first_name": "Bench", "consent": True, "utm_source": "b"}
            response = client.post("/api/v1/ebook-requests", json=body)
            assert response.status_code == 202, response.data

    post(200, "warm")
    if os.environ.get("PROFILE_TREE"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            post(REQUESTS // 2, "tree")
        print(profiler.output_text(unicode=False, color=False))
    started = time.process_time()
    post(REQUESTS, "cpu")
    print(f"{url.split(':')[0]}: {1000 * (time.process_time() - started) / REQUESTS:.2f} ms CPU per request")


if __name__ == "__main__":
    main()
