"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests that deliver e-mail.

``smtp_server(app)`` starts one on a free port, points the app's mail settings at it and
yields its :class:`Mailbox`, which keeps every delivered message (parsed) and can be told to
answer the next DATA commands with a temporary failure or to refuse some recipients.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
             "MAIL_PASSWORD", "MAIL_TIMEOUT")


class Mailbox:
    """The server's handler: what was delivered, and scripted failures."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.data_replies: list[str] = []  # answered to the next DATA commands, in order
        self.refused: dict[str, str] = {}  # recipient -> reply to RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to ``address``."""
        return [message for message in self.messages if message["To"] == address]


def body_of(message: EmailMessage) -> str:
    """The plain-text part of a delivered message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def free_port() -> int:
    """A free loopback port (aiosmtpd cannot be started on port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(app):
    """Run an SMTP server and point ``app`` at it; the settings are restored afterwards."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {key: app.config[key] for key in MAIL_KEYS}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_PASSWORD="", MAIL_TIMEOUT=5)
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()


def add_contact(participant, email: str):
    """Give ``participant`` an e-mail address (committed)."""
    from delphi.extensions import db
    from delphi.models import ParticipantContact

    participant.contact = ParticipantContact(email=email)
    db.session.commit()
    return participant


def open_first_round(study):
    """Open the study's round 1 (committed) and return it."""
    from delphi.extensions import db

    round_ = study.rounds[0]
    round_.open()
    db.session.commit()
    return round_


def path_of(url: str) -> str:
    """The path of an absolute link, to follow it with the test client."""
    from urllib.parse import urlsplit

    return urlsplit(url).path


def link_in(text: str, marker: str = "/p/") -> str:
    """The first link in ``text`` containing ``marker``."""
    return next(word for word in text.split() if marker in word and word.startswith("http"))
