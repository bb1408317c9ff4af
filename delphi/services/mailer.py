"""Sending one queued message over SMTP, and telling a temporary failure from a permanent one.

The worker (:mod:`delphi.services.worker`) decides what to do with a failure: a temporary
one (the server said 4xx, or could not be reached in time) is retried later with backoff; a
permanent one (5xx, a refused recipient) fails the message at once with the reason.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

from ..models import OutboxMessage, utcnow


class DeliveryFailure(Exception):
    """A message could not be delivered; ``reason`` says why in words a facilitator can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later: the server was busy, unreachable or asked us to retry."""


class PermanentFailure(DeliveryFailure):
    """Trying again will not help: the server refused the message or its recipient."""


def is_configured(config=None) -> bool:
    """True when an SMTP server is set (``MAIL_SERVER`` not empty)."""
    config = config if config is not None else current_app.config
    return bool(str(config.get("MAIL_SERVER") or "").strip())


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail for an outbox row: plain text, with an HTML alternative when there is one."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    # Tells auto-responders not to reply to an automatic message (RFC 3834).
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def send(message: OutboxMessage) -> None:
    """Deliver ``message`` over SMTP with the configured server, TLS and credentials.

    Raises
    ------
    TemporaryFailure
        The server could not be reached, timed out, or answered with a 4xx code.
    PermanentFailure
        The server answered with a 5xx code or refused the recipient.
    """
    config = current_app.config
    if not is_configured(config):
        raise TemporaryFailure(
            "E-mail is not set up for this installation (DELPHI_MAIL_SERVER is empty)."
        )
    email = build_email(message, config["MAIL_SENDER"])
    try:
        with _connect(config) as smtp:
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        raise _recipient_failure(error) from error
    except smtplib.SMTPAuthenticationError as error:
        # Wrong credentials are the installation's problem, not this message's: retry, so
        # fixing the settings lets the queued messages go.
        raise TemporaryFailure(
            f"The mail server did not accept the user name and password "
            f"({error.smtp_code} {_text(error.smtp_error)})."
        ) from error
    except smtplib.SMTPResponseException as error:
        reason = f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
        if 400 <= error.smtp_code < 500:
            raise TemporaryFailure(reason) from error
        raise PermanentFailure(reason) from error
    except smtplib.SMTPNotSupportedError as error:
        raise TemporaryFailure(f"The mail server does not support this: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(_connection_reason(config, error)) from error


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _recipient_failure(error: smtplib.SMTPRecipientsRefused) -> DeliveryFailure:
    code, text = next(iter(error.recipients.values()), (550, b""))
    reason = f"The mail server refused the recipient: {code} {_text(text)}"
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


def _connection_reason(config, error: Exception) -> str:
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    if isinstance(error, TimeoutError):
        return f"The mail server at {where} did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return f"The mail server at {where} refused the connection."
    return f"Could not talk to the mail server at {where}: {error or type(error).__name__}."


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
