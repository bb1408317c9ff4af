"""Security headers on every response (pages, redirects, errors, files) and a strict CSP."""

import pytest
from flask import render_template_string

from ..factories import make_study, make_user
from .pages import PageAudit, assert_strict_csp_holds, nonce_from

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP_PARTS = [
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/login", 200),
        ("get", "/", 302),
        ("get", "/studies", 302),
        ("get", "/no-such-page", 404),
        ("get", "/logout", 405),
        ("post", "/login", 400),  # no CSRF token
        ("get", "/static/css/delphi.css", 200),
        ("get", "/static/govuk/govuk-frontend.min.js", 200),
    ],
)
def test_every_response_carries_the_headers(client, method, path, status):
    with getattr(client, method)(path) as response:  # closes static files' handles
        assert response.status_code == status
        for name, value in EXPECTED.items():
            assert response.headers[name] == value, name
        assert "camera=()" in response.headers["Permissions-Policy"]
        csp = response.headers["Content-Security-Policy"]
        for part in CSP_PARTS:
            assert part in csp
        assert f"script-src 'self' 'nonce-{nonce_from(csp)}'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_signed_in_pages_carry_the_headers(client, auth):
    study = make_study(owner=make_user())
    auth.login()
    for path in ("/studies", f"/studies/{study.id}", "/account/sign-out-everywhere"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Frame-Options"] == "DENY"
        assert_strict_csp_holds(response)


def test_each_response_gets_its_own_nonce(client):
    first, second = client.get("/login"), client.get("/login")
    nonces = {nonce_from(r.headers["Content-Security-Policy"]) for r in (first, second)}
    assert len(nonces) == 2
    assert all(len(nonce) >= 22 for nonce in nonces)


def test_the_template_inline_script_carries_the_nonce(client):
    response = client.get("/login")
    inline = [s for s in PageAudit(response.get_data(as_text=True)).scripts if "src" not in s]
    assert len(inline) == 1
    assert inline[0]["nonce"] == nonce_from(response.headers["Content-Security-Policy"])
    assert_strict_csp_holds(response)


def test_govuk_frontend_loads_as_a_module_from_a_file(client):
    scripts = PageAudit(client.get("/login").get_data(as_text=True)).scripts
    assert {"type": "module", "src": "/static/js/init.js"} in scripts
    with client.get("/static/js/init.js") as response:
        init = response.get_data(as_text=True)
    assert 'import { initAll } from "../govuk/govuk-frontend.min.js"' in init


def test_pages_are_not_cached_but_static_files_may_be(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/delphi.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_only_in_production(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "ENV", "production")
    hsts = client.get("/login").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_session_cookie_is_httponly_and_samesite(client, auth):
    make_user()
    cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_no_gov_uk_branding_or_font(client):
    html = client.get("/login").get_data(as_text=True)
    with client.get("/static/css/delphi.css") as response:
        css = response.get_data(as_text=True)
    assert "govuk-logo" not in html and "crown" not in html.lower()
    assert "/assets/" not in html
    assert "GDS Transport" not in css and "system-ui" in css


def test_govuk_frontend_ships_with_its_licence(client):
    with client.get("/static/govuk/LICENSE.txt") as response:
        assert response.status_code == 200
        assert "The MIT License" in response.get_data(as_text=True)


def test_templates_render_outside_a_request(app):
    with app.app_context():
        assert render_template_string("{{ cspNonce | default('none') }}") == "none"
