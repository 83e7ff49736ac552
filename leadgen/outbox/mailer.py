"""Where mail goes: an SMTP relay over one bounded connection, or .eml files in development."""

import smtplib
from pathlib import Path

from flask import current_app
from flask_mail import Connection, Message


class BoundedSMTPConnection(Connection):
    """flask-mail's connection with a timeout on every SMTP step (flask-mail sets none)."""

    def __init__(self, timeout: float):
        super().__init__(current_app.extensions["mail"])
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=self.timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def reset(self) -> None:
        """End whatever mail transaction a failed send left open (RSET), ready for the next."""
        if self.host is not None:
            self.host.rset()


class FileConnection:
    """Writes each message as an .eml file: mail you can open when no relay is configured."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def __enter__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info):
        return False

    def reset(self) -> None:
        """Nothing to end: each message is a file of its own."""

    def send(self, message: Message) -> None:
        local_part = message.msgId.strip("<>").split("@")[0]
        (self.directory / f"{local_part}.eml").write_bytes(message.as_bytes())


def open_connection():
    """One connection for a whole batch: SMTP when MAIL_SERVER is set, files otherwise."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        return BoundedSMTPConnection(timeout=config["SMTP_TIMEOUT"])
    return FileConnection(config["MAIL_FILE_DIR"])
