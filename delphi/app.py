"""Application factory. Run with ``flask --app delphi.app``; ``wsgi.py`` exposes ``app``."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from . import config as config_module
from .database import configure_sqlite, engine_options
from .extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from layered configuration; ``test_config`` is the last layer."""
    instance_path = Path(
        os.environ.get("DELPHI_INSTANCE_PATH") or PROJECT_ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(instance_path),
        instance_relative_config=True,
    )
    settings = config_module.load(instance_path, test_config)
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        settings["DATABASE_URL"], settings["SQLITE_BUSY_TIMEOUT_MS"]
    )
    if settings["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    instance_path.mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _init_templates(app)
    _register_web(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)


def _register_web(app: Flask) -> None:
    from .cli import register_commands
    from .web import register_web

    register_web(app)
    register_commands(app)


