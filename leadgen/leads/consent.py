"""The consent wording shown beside every form, versioned so each record names what was read."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentText:
    """The exact words a visitor agreed to, and the version that identifies them."""

    purpose: str
    version: str
    text: str


MARKETING_EMAIL = ConsentText(
    purpose="marketing_email",
    version="2026-11-v1",
    text=(
        "Yes, send me occasional emails from the clinic with articles, webinar invitations "
        "and an invitation to speak with one of our physicians. I can unsubscribe at any time."
    ),
)
