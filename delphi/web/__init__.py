"""Blueprints, one per audience, and the request-wide security settings."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach every blueprint, the error pages, the filters and the security headers to ``app``."""
    from . import api, auth, errors, facilitator, participant, security, staff_invite, templating

    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(staff_invite.bp)
    app.register_blueprint(api.bp)
