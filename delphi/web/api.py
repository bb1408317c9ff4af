"""The read-only JSON API under ``/api/v1``: a study's design, published results and exports.

Every call but the OpenAPI description needs ``Authorization: Bearer <token>`` with a token
made on the study's "API tokens" page (a token in the query string is ignored). Errors
are JSON ``{"error": message}`` with 401 (no, unknown, revoked or expired token), 403
(another study's token, or its person left the team) or 404. Nothing is cached.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from ..errors import AuthenticationError, DelphiError, Forbidden, NotFound, ValidationError
from ..extensions import csrf
from ..models import Study, User
from ..services import api_data, api_tokens, exports

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PREFIX = "/api/v1"
OPENAPI_FILE = Path(__file__).resolve().parent.parent.parent / "openapi" / "delphi-api.yaml"
STATUS = {AuthenticationError: 401, Forbidden: 403, NotFound: 404}


def error_response(status: int, message: str) -> Response:
    """``{"error": message}`` with ``status``; a 401 names the scheme it wants."""
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="delphi"'
    return response


@bp.errorhandler(DelphiError)
def refused(error: DelphiError):
    """A service refused: 401, 403 or 404 by kind, 400 for any other rule broken."""
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    return error_response(status, str(error))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return error_response(error.code or 500, error.description or error.name)


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.record_once
def _json_for_unknown_paths(state) -> None:
    """Unknown paths and methods under /api/v1 answer in JSON too, not with an HTML page."""
    app: Flask = state.app
    for code in (404, 405):
        handlers = app.error_handler_spec[None][code]
        for exception_class, page in list(handlers.items()):
            handlers[exception_class] = _json_under_prefix(page)


def _json_under_prefix(page):
    def handler(error):
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            response = http_error(error)
            response.headers["Cache-Control"] = "no-store"
            return response
        return page(error)
    return handler


def _bearer_token() -> str | None:
    """The token from ``Authorization: Bearer <token>``; nothing else is looked at."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _number_argument(name: str) -> int | None:
    """A whole-number query parameter, or None when it is not given."""
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ValidationError(f"The parameter “{name}” must be a whole number, like 1.")
    return int(value)


def _authorised(study_id: int) -> tuple[User, Study]:
    user, token = api_tokens.authenticate(_bearer_token(), study_id, request.path)
    return user, token.study


@bp.get("/openapi.yaml")
def openapi():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return Response(OPENAPI_FILE.read_text(encoding="utf-8"),
                    mimetype="application/yaml")


@bp.get("/studies/<int:study_id>")
def get_study(study_id: int):
    """The study's title, kind, status, groups, rounds, scale and rules in words."""
    _user, study = _authorised(study_id)
    return jsonify(api_data.study_document(study))


@bp.get("/studies/<int:study_id>/rounds/<int:number>/results")
def get_round_results(study_id: int, number: int):
    """A published round's results per item and stakeholder group, from its snapshot."""
    _user, study = _authorised(study_id)
    return jsonify(api_data.results_document(study, number, _number_argument("dimension")))


@bp.get("/studies/<int:study_id>/exports")
def list_exports(study_id: int):
    """The downloads the token's user may have, with their formats and URLs.

    Results come once per round (closed or published; open ones for owners and
    facilitators); the other exports cover the whole study.
    """
    user, study = _authorised(study_id)
    return jsonify(exports=[
        {"name": download.name, "title": download.title,
         "description": download.description, "round": download.round_number,
         "source": download.source or None, "formats": list(download.formats),
         "urls": {fmt: url_for("api.get_export", study_id=study.id, name=download.name,
                               fmt=fmt, round=download.round_number)
                  for fmt in download.formats}}
        for download in exports.downloads(study, user)
    ])


@bp.get("/studies/<int:study_id>/exports/<name>.<fmt>")
def get_export(study_id: int, name: str, fmt: str):
    """One download, made now; ``?round=N`` picks a round (needed for results)."""
    user, study = _authorised(study_id)
    file = exports.export(study, name, fmt, _number_argument("round"), by=user)
    return send_file(io.BytesIO(file.data), mimetype=file.content_type, as_attachment=True,
                     download_name=file.filename)
