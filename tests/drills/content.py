"""Demo content for the proof tests, and finding rows of features that may not have landed."""

import importlib

from sqlalchemy import select

from leadgen.extensions import db


def seed_demo(app) -> None:
    """What `flask demo seed` adds (the ebook, the article, upcoming webinars), idempotently."""
    from leadgen.demo import SEEDERS

    with app.app_context():
        for seeder in SEEDERS:
            seeder()
        db.session.remove()


def first_value(module: str, model: str, column: str = "slug"):
    """A column of the first row of `module.model` (call inside an app context); None if none or not landed."""
    try:
        table = getattr(importlib.import_module(module), model)
    except (ImportError, AttributeError):
        return None
    return db.session.scalar(select(getattr(table, column)).order_by(table.id).limit(1))
