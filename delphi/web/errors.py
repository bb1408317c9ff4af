"""Error pages that say what happened and what to do next, with the right status code."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import DelphiError, Forbidden, NotFound

PAGES = (400, 403, 404, 405, 413, 500)

# Fields never echoed back into a page, even to the person who typed them.
SECRET_FIELD_MARKERS = ("password", "token")


def init_app(app: Flask) -> None:
    """Register a page for each HTTP error, expired forms and unhandled service refusals."""
    for code in PAGES:
        app.register_error_handler(code, http_error)
    app.register_error_handler(CSRFError, form_expired)
    app.register_error_handler(NotFound, lambda err: render_error(404, str(err)))
    app.register_error_handler(Forbidden, lambda err: render_error(403, str(err)))
    app.register_error_handler(DelphiError, lambda err: render_error(400, str(err)))


def render_error(code: int, message: str = "", headers=None, **context):
    """Render ``errors/<code>.html`` with an optional specific message."""
    return render_template(f"errors/{code}.html", message=message, **context), code, headers or {}


def http_error(error: HTTPException):
    """An HTTP error raised by Flask, Werkzeug or ``abort``; keeps headers such as ``Allow``."""
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    context = {}
    if error.code == 413:
        context["limit_mb"] = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return render_error(error.code, headers=headers, **context)


def _is_kept(field_name: str) -> bool:
    """Typed fields are kept; secrets and the submit button's own value are not."""
    name = field_name.lower()
    is_button = name == "submit" or name.endswith("-submit")
    return not is_button and not any(marker in name for marker in SECRET_FIELD_MARKERS)


def form_expired(error: CSRFError):
    """A form came back without a valid CSRF token.

    Usually the browser's session ended while the form was open (the browser was closed,
    or its cookies cleared), so the token no longer matches.

    When the browser says the form came from this site (``Sec-Fetch-Site: same-origin``),
    the page shows what was typed and offers to send it again with a fresh token;
    passwords and tokens are never echoed back. A form posted from another site gets no
    such button, so this page cannot be used to complete a cross-site request forgery.
    """
    if request.headers.get("Sec-Fetch-Site") != "same-origin":
        return render_error(400, is_form_expired=True)
    submitted = list(request.form.items(multi=True))
    return render_error(
        400,
        is_form_expired=True,
        kept_fields=[(name, value) for name, value in submitted if _is_kept(name)],
        password_dropped=any("password" in name.lower() for name, _ in submitted),
        resubmit_url=request.full_path.rstrip("?"),
    )
