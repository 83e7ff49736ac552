"""A real SMTP server for the tests (aiosmtpd), with switchable faults."""

import asyncio
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ReceivedMailPolicy(email.policy.EmailPolicy):
    """email.policy.default, reading headers sent as UTF-8 (RFC 6532, with SMTPUTF8) as text.

    The parser keeps a header's non-ASCII bytes as surrogates, which the default policy
    shows as unknown characters; a mail client reads them as UTF-8.
    """

    def header_fetch_parse(self, name, value):
        text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return super().header_fetch_parse(name, text)


RECEIVED_MAIL_POLICY = ReceivedMailPolicy()


class RecordingHandler:
    """Keeps every accepted message; can refuse every Nth one with a temporary error.

    `refused` keeps the messages answered with that error; `delay` holds back every DATA
    reply (seconds) so a test can kill a worker while a message is in flight, and
    `while_replying` (a function) runs there too, while the sender waits for the reply.
    """

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.fail_every = 0
        self.delay = 0.0
        self.while_replying = None
        self.reject_recipients: set[str] = set()
        self._seen = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = email.message_from_bytes(envelope.content, policy=RECEIVED_MAIL_POLICY)
        with self._lock:
            self._seen += 1
            refuse = bool(self.fail_every and self._seen % self.fail_every == 0)
            if refuse:
                self.refused.append(received)
            else:
                self.messages.append(received)
                self.envelopes.append(envelope)
        # The delay comes after the message is kept: like a relay that has the mail but has
        # not said so yet, the worst moment for a worker to die.
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.while_replying:
            self.while_replying()
        return "451 4.3.0 Temporary failure, try again later" if refuse else "250 Message accepted for delivery"

    def reset(self):
        with self._lock:
            self.messages.clear()
            self.refused.clear()
            self.envelopes.clear()
            self.fail_every = 0
            self.delay = 0.0
            self.while_replying = None
            self.reject_recipients = set()
            self._seen = 0


class SMTPServer:
    """An aiosmtpd server on a free port, running in its own thread; `smtputf8=False` makes a
    relay that does not offer SMTPUTF8 (aiosmtpd's Controller offers it by default)."""

    def __init__(self, smtputf8: bool = True):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8)

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()


class SilentServer:
    """Accepts TCP connections and never says a word: an SMTP relay that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
                self.connections.append(connection)
            except OSError:
                continue

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.sock.close()
