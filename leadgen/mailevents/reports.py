"""What every provider's parser hands the service: notices about addresses, and why a call is refused."""

import json
from dataclasses import dataclass, field

# What a notice may say about an address; "delivery" only resets the soft-bounce count.
NOTICE_KINDS = ("bounce", "soft_bounce", "complaint", "delivery")


class Refused(Exception):
    """Unsigned, wrongly signed or stale: 401, and nothing changes."""


class Malformed(Exception):
    """Signed (or not yet checkable) but not the shape the provider documents: 400/422, nothing changes."""

    def __init__(self, messages: dict | str, status: int = 400):
        super().__init__(messages)
        self.messages = messages if isinstance(messages, dict) else {"_schema": [messages]}
        self.status = status


@dataclass(frozen=True)
class Notice:
    """One thing the provider says about one address."""

    kind: str
    email: str


@dataclass
class Report:
    """What one provider call says. `receipt` names the call (SNS MessageId, Mailgun token,
    Postmark ID) so the same call posted again is applied once."""

    notices: list[Notice] = field(default_factory=list)
    receipt: str | None = None


def json_object(body: bytes) -> dict:
    """The body as a JSON object, or Malformed (never a 500 on bytes that are not JSON)."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise Malformed(f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise Malformed("expected a JSON object")
    return value


def text_field(data: dict, name: str, required: bool = True) -> str | None:
    """data[name] as a non-empty string, or Malformed naming the field."""
    value = data.get(name)
    if isinstance(value, str) and value:
        return value
    if value is None and not required:
        return None
    raise Malformed({name: ["Missing or not a string."]})
