"""Signing in and out: hashed passwords, CSRF-protected forms, guesses limited per account, per network
address and per known device (engine/people/lockout.py), and sessions that end everywhere at sign-out.
Single sign-on (webui/oidc.py) ends in the same session as a password sign-in, and no password
lock-out ever stops it.

A *known device* is a browser someone signed in from before: a signed cookie (``councilflow_device``,
sent only to /sign-in pages) names the user and a random device id. Its guesses are counted in the
device's own lane, so an attacker's burst that locks the account, even from the same office address,
does not lock the person out at their own desk. The cookie proves only "this browser signed in as this
person before"; it never signs anyone in.

Limits come from the app's config, which the settings fill (engine/settings.py; in the environment the
same names with ``COUNCILFLOW_`` in front): ``SIGN_IN_ACCOUNT_LIMIT`` (5), ``SIGN_IN_ADDRESS_LIMIT`` (30;
0 turns it off) and ``TRUSTED_PROXIES`` (0: how many reverse proxies in front of councilflow add
X-Forwarded-For, so the address lane counts the client, not the proxy). docs/operators.md explains them.
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, after_this_request, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from engine import people
from engine.errors import SignInFailed
from engine.people import KnownDevice, Limits

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


def is_local_path(target: str | None) -> bool:
    """True for a path on this site only. Browsers read a backslash as a slash ("/\\evil.example" is
    another site) and ignore tabs and newlines, so those are refused too: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    return target if target is not None and is_local_path(target) else url_for("home.index")


DEVICE_COOKIE = "councilflow_device"
DEVICE_KEPT_FOR = timedelta(days=180)


def _setting(name: str, default: int) -> int:
    value = current_app.config.get(name)
    return default if value in (None, "") else int(value)


def limits() -> Limits:
    defaults = Limits()
    return Limits(account=max(1, _setting("SIGN_IN_ACCOUNT_LIMIT", defaults.account)),
                  address=max(0, _setting("SIGN_IN_ADDRESS_LIMIT", defaults.address)))


def client_address() -> str:
    """Where the request came from: the peer, or with TRUSTED_PROXIES=n the address the n-th proxy from
    us saw (X-Forwarded-For entries further left are written by the client and could be anything)."""
    proxies = _setting("TRUSTED_PROXIES", 0)
    route = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if proxies and len(route) >= proxies:
        return route[-proxies]
    return request.remote_addr or "unknown"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="councilflow-known-device")


def known_device() -> KnownDevice | None:
    """The browser's known-device cookie, when it is one this app signed and not too old."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=int(DEVICE_KEPT_FOR.total_seconds()))
        return KnownDevice(int(data["u"]), str(data["d"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None


def _remember_device(user_id: int) -> None:
    """Mark this browser as one the user signs in from (keeping its device id if it was theirs already)."""
    device = known_device()
    device_id = device.device_id if device is not None and device.user_id == user_id else secrets.token_hex(16)
    value = _devices().dumps({"u": user_id, "d": device_id})

    @after_this_request
    def set_cookie(response: Any) -> Any:
        response.set_cookie(DEVICE_COOKIE, value, max_age=int(DEVICE_KEPT_FOR.total_seconds()), path="/sign-in",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
        return response


def start_session(signed: people.SignedIn) -> None:
    """A fresh session for the user (a new cookie: nothing from before sign-in carries over), stamped with
    their session generation so that sign-out or an admin's change can end it, and with the time, so that it
    ends a working day after sign-in however busy it was (webui/access.py)."""
    session.clear()
    session["user_id"] = signed.user_id
    session["session_generation"] = signed.session_generation
    session["signed_in_at"] = int(time.time())
    session.permanent = True
    _remember_device(signed.user_id)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        try:
            signed = people.sign_in(current_app.extensions["councilflow"], form.email.data, form.password.data,
                                    address=client_address(), device=known_device(), limits=limits())
        except SignInFailed as err:
            problem = err.message
        else:
            start_session(signed)
            return redirect(safe_next(request.args.get("next")))
    # sso_label (single sign-on's button) comes from webui/oidc.py's context processor.
    return render_template("auth/sign_in.html", form=form, problem=problem,
                           next_page=request.args.get("next")), (400 if problem else 200)


@bp.post("/sign-out")
def sign_out() -> Any:
    """Signing out ends every session of the person (a copied cookie included), not only this one."""
    if g.get("user") is not None:  # a session already ended (webui/access.py) ends nothing more
        people.end_sessions(current_app.extensions["councilflow"], g.user.id)
    session.clear()
    return redirect(url_for("auth.sign_in"))
