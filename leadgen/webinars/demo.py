"""Demo webinars for `demo seed`: three upcoming evenings, made once."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..clinictime import clinic_zone
from ..database import utcnow
from ..extensions import db
from .models import Webinar
from .service import create_webinar

DEMO_WEBINARS = (
    {
        "title": "Autoimmune disease: where to start",
        "presenter": "Dr Maria Chen, functional medicine physician",
        "description": "Why the immune system turns on the body, the five foundations we look at with every "
        "patient, and the first steps you can take this month.\n\nLive questions at the end.",
        "days_ahead": 7,
    },
    {
        "title": "Gut health and autoimmunity",
        "presenter": "Dr Sam Okafor, gastroenterologist",
        "description": "How a leaky gut feeds inflammation, which tests tell you what is going on, and the "
        "elimination diet explained step by step.",
        "days_ahead": 14,
    },
    {
        "title": "Hashimoto's: beyond the thyroid pill",
        "presenter": "Dr Maria Chen, functional medicine physician",
        "description": "What thyroid labs miss, how food, stress and sleep change antibody levels, and "
        "questions to bring to your next appointment.",
        "days_ahead": 21,
    },
)


def seed_demo_webinars() -> str:
    """Schedule the demo webinars that are not already upcoming; running it twice adds nothing."""
    zone = clinic_zone()
    now = utcnow()
    upcoming = set(db.session.scalars(select(Webinar.title).where(Webinar.starts_at > now)))
    created = []
    for demo in DEMO_WEBINARS:
        if demo["title"] in upcoming:
            continue
        day = (now.astimezone(zone) + timedelta(days=demo["days_ahead"])).date()
        starts_at = datetime.combine(day, time(18, 0), tzinfo=zone)
        data = {key: value for key, value in demo.items() if key != "days_ahead"}
        create_webinar(
            {
                **data,
                "starts_at": starts_at,
                "duration_minutes": 60,
                "capacity": 100,
                "join_url": f"https://meet.example/{day.isoformat()}",
            }
        )
        created.append(demo["title"])
    return f"webinars: scheduled {len(created)}, kept {len(DEMO_WEBINARS) - len(created)}"
