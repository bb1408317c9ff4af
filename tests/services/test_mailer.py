"""Sending one outbox message over SMTP, and telling temporary from permanent failures."""

import pytest

from delphi.models import MessageKind, OutboxMessage
from delphi.services import mailer

from ..smtp import body_of, free_port, smtp_server


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


def _message(**fields) -> OutboxMessage:
    values = {"id": 1, "to_address": "pat@example.test", "subject": "Hello",
              "body_text": "Plain words.\n", "kind": MessageKind.NOTICE}
    return OutboxMessage(**(values | fields))


def test_sends_text_and_html_parts(app, smtp):
    with app.app_context():
        mailer.send(_message(body_html="<p>Rich words.</p>"))
    [delivered] = smtp.messages
    assert delivered["To"] == "pat@example.test"
    assert delivered["From"] == app.config["MAIL_SENDER"]
    assert delivered["Subject"] == "Hello"
    assert delivered["Auto-Submitted"] == "auto-generated"
    assert body_of(delivered).strip() == "Plain words."
    assert "Rich words." in delivered.get_body(preferencelist=("html",)).get_content()


def test_text_only_message_has_one_part(app, smtp):
    with app.app_context():
        mailer.send(_message())
    assert not smtp.messages[0].is_multipart()


def test_4xx_is_temporary(app, smtp):
    smtp.data_replies.append("451 4.3.0 try again")
    with app.app_context(), pytest.raises(mailer.TemporaryFailure, match="451 4.3.0 try again"):
        mailer.send(_message())


def test_refused_recipient_is_permanent(app, smtp):
    smtp.refused["pat@example.test"] = "550 5.1.1 No such user"
    with app.app_context(), pytest.raises(mailer.PermanentFailure,
                                          match="refused the recipient: 550 5.1.1 No such user"):
        mailer.send(_message())


def test_5xx_on_data_is_permanent(app, smtp):
    smtp.data_replies.append("554 5.6.0 Message rejected")
    with app.app_context(), pytest.raises(mailer.PermanentFailure, match="554"):
        mailer.send(_message())


def test_no_server_listening_is_temporary(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    with app.app_context(), pytest.raises(mailer.TemporaryFailure, match="refused the connection"):
        mailer.send(_message())


def test_not_configured_by_default(app):
    assert app.config["MAIL_SERVER"] == ""
    with app.app_context():
        assert not mailer.is_configured()
        with pytest.raises(mailer.TemporaryFailure, match="not set up"):
            mailer.send(_message())


def test_production_with_email_needs_the_public_address(tmp_path):
    from delphi import config

    environ = {"DELPHI_ENV": "production", "DELPHI_SECRET_KEY": "s" * 40,
               "DELPHI_MAIL_SERVER": "smtp.example.org"}
    with pytest.raises(config.ConfigError, match="set DELPHI_PUBLIC_URL"):
        config.load(tmp_path, environ=environ)
    environ["DELPHI_PUBLIC_URL"] = "https://delphi.example.org/"
    assert config.load(tmp_path, environ=environ)["PUBLIC_URL"] == "https://delphi.example.org/"


def test_settings_come_from_the_environment(tmp_path):
    from delphi import config

    merged = config.load(tmp_path, environ={"DELPHI_MAIL_USE_TLS": "true",
                                            "DELPHI_MAIL_TIMEOUT": "5"})
    assert merged["MAIL_USE_TLS"] is True and merged["MAIL_TIMEOUT"] == 5
    assert merged["MAIL_SERVER"] == ""  # no e-mail unless configured
