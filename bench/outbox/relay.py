"""An SMTP sink that answers each message after a delay, as a real relay does.

The clinic's relay takes tens of messages a second: each DATA is answered after it has been
queued and scanned, and a worker sending over one connection waits for that answer. This
handler waits 1/RATE seconds before answering, so one connection gets at most RATE messages
a second. Run by bench/outbox/run.py as `python -m aiosmtpd -c bench.outbox.relay.PacedSink RATE`.
"""

import asyncio


class PacedSink:
    """Accept every message, RATE a second over one connection, and keep none of them."""

    def __init__(self, rate: float):
        self.delay = 1 / rate

    @classmethod
    def from_cli(cls, parser, rate: str) -> "PacedSink":
        return cls(float(rate))

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        return "250 OK"
