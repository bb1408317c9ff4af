"""Layered configuration: code defaults, then instance/config.py, then DELPHI_* variables.

The last layer, a test mapping, is applied by :func:`delphi.app.create_app`.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value production refuses to start with

ENV_PREFIX = "DELPHI_"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def defaults(instance_path: Path) -> dict:
    """Code defaults: development mode on an embedded SQLite database in ``instance/``."""
    return {
        "ENV": "development",
        "SECRET_KEY": PLACEHOLDER_SECRET,
        "DATABASE_URL": f"sqlite:///{instance_path / 'delphi.sqlite'}",
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # An empty MAIL_SERVER means no SMTP (the embedded demo): private links are shown on
        # screen for the facilitator to copy, and the worker has nothing to deliver.
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,  # STARTTLS after connecting
        "MAIL_USE_SSL": False,  # TLS from the first byte (usually port 465)
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_SENDER": "delphi@localhost",
        "MAIL_TIMEOUT": 30,
        "WORKER_POLL_SECONDS": 10,
        # Where participants reach this site, for links in e-mails; empty: the address of the
        # request that queued the message (the worker, with no request, uses 127.0.0.1:5000).
        "PUBLIC_URL": "",
        "INVITATION_LINK_DAYS": 60,
        "STAFF_INVITATION_DAYS": 7,
        "LOGIN_MAX_ATTEMPTS": 5,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def from_instance_file(instance_path: Path) -> dict:
    """Upper-case names defined in ``instance/config.py``, if the file exists."""
    path = instance_path / "config.py"
    if not path.exists():
        return {}
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    return {key: value for key, value in namespace.items() if key.isupper()}


def _parse_env_value(raw: str):
    """Read JSON literals (numbers, true/false) so DELPHI_MAIL_PORT=1025 becomes an int."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(environ: os._Environ | dict) -> dict:
    """``DELPHI_NAME=value`` variables, prefix removed; ``DELPHI_ENV`` sets ``ENV``."""
    return {
        key[len(ENV_PREFIX):]: _parse_env_value(value)
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key != "DELPHI_INSTANCE_PATH"
    }


def load(instance_path: Path, overrides: dict | None = None, environ=None) -> dict:
    """Merge the layers in order; later layers win.

    In development a missing secret key is generated once and written to
    ``instance/config.py`` (see :func:`write_development_secret`).
    """
    environ = os.environ if environ is None else environ
    config = _merge(instance_path, overrides, environ)
    if config["ENV"] == "development" and config["SECRET_KEY"] == PLACEHOLDER_SECRET:
        write_development_secret(instance_path)
        config = _merge(instance_path, overrides, environ)
    check(config)
    return config


def _merge(instance_path: Path, overrides: dict | None, environ) -> dict:
    config = defaults(instance_path)
    config.update(from_instance_file(instance_path))
    config.update(from_environment(environ))
    config.update(overrides or {})
    return config


def check(config: dict) -> None:
    """Refuse settings that would be unsafe or meaningless.

    Raises
    ------
    ConfigError
        ``ENV`` is neither production nor development, production runs on the
        placeholder or a short secret key, or production sends e-mail without
        ``PUBLIC_URL`` (the worker would put wrong links in scheduled reminders).
    """
    if config["ENV"] not in ("production", "development"):
        raise ConfigError(
            f"DELPHI_ENV is {config['ENV']!r}; use 'production' or 'development'."
        )
    if config["ENV"] == "production":
        secret = str(config.get("SECRET_KEY") or "")
        if secret == PLACEHOLDER_SECRET or len(secret) < 32:
            raise ConfigError(
                "Production needs its own SECRET_KEY: set DELPHI_SECRET_KEY to a random "
                "string of at least 32 characters (python -c 'import secrets; "
                "print(secrets.token_hex(32))') or put SECRET_KEY in instance/config.py."
            )
        if str(config.get("MAIL_SERVER") or "").strip() and not config.get("PUBLIC_URL"):
            raise ConfigError(
                "Production sends e-mail, so links in it need the site's address: set "
                "DELPHI_PUBLIC_URL, like https://delphi.example.org/."
            )


def write_development_secret(instance_path: Path) -> bool:
    """Write a random SECRET_KEY into ``instance/config.py`` unless one is there.

    Restarts and several processes then share one key, so sessions survive.
    Returns True when a key was written.
    """
    path = instance_path / "config.py"
    if "SECRET_KEY" in from_instance_file(instance_path):
        return False
    instance_path.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
    path.write_text(existing + line, encoding="utf-8")
    return True
