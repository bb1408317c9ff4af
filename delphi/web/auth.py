"""Signing staff in and out; Flask-Login asks :mod:`delphi.services.accounts` who is signed in."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import AuthenticationError
from ..extensions import login_manager
from ..forms.accounts import LoginForm, SignOutEverywhereForm
from ..services import accounts

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.user_loader(accounts.load_user_for_session)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None, so sign-in cannot send people away.

    Backslashes and control characters are refused too: browsers read ``/\\evil.example``
    and ``/<tab>/evil.example`` as ``//evil.example``, another site.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not (parts.scheme or parts.netloc) else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail address and password, then go where the user was heading."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("facilitator.list_studies"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except AuthenticationError as err:
            flash(str(err), "error")
            return render_template("auth/login.html", form=form, next_url=next_url), 400
        login_user(user)
        return redirect(next_url or url_for("facilitator.list_studies"))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Sign out of this browser (a POST carrying the CSRF token, so no other site can)."""
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@login_required
def sign_out_everywhere():
    """Explain, then end every session of this account on every device."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_out_everywhere.html", form=form)
    accounts.sign_out_everywhere(current_user)
    logout_user()
    flash("You have signed out on every device and browser.", "success")
    return redirect(url_for("auth.login"))
