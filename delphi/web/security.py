"""Security headers on every response, and the per-request nonce the CSP allows scripts by.

The only inline script is GOV.UK's base template's one-liner that marks the body as
JavaScript-enabled; it carries ``nonce="{{ cspNonce }}"``. Everything else loads from
``/static``, so ``script-src 'self'`` plus the nonce stays strict.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, has_request_context, request

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "display-capture=(), fullscreen=(self)"
)
HSTS = "max-age=31536000; includeSubDomains"
NONCE_KEY = "delphi.csp_nonce"


def init_app(app: Flask) -> None:
    """Expose the nonce to templates as ``cspNonce`` and add the headers to every response."""
    app.context_processor(_nonce_context)
    app.after_request(set_security_headers)


def _nonce_context() -> dict:
    # Templates rendered outside a request (e-mails from the CLI or a worker) need no nonce.
    return {"cspNonce": csp_nonce()} if has_request_context() else {}


def csp_nonce() -> str:
    """This request's nonce, made on first use: fresh and unguessable per response.

    It lives in the request's WSGI environ rather than ``g``: an application context
    (and so ``g``) can outlive one request, as it does in tests, and a nonce must not.
    """
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str) -> str:
    """Scripts, styles and forms from this site only; no plugins, framing or <base> tricks."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    """Add the headers; pages also get ``no-store`` because they show study data.

    ``Referrer-Policy: no-referrer`` because participants' private links carry tokens in
    the URL, which must never leak to another site. HSTS only in production, which runs
    behind HTTPS; sending it from a development server on plain HTTP would be ignored.
    """
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    if current_app.config["ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS
    return response
