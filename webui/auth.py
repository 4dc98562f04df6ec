"""Signing in and out: hashed passwords, CSRF-protected forms, lock-out after repeated failures.
Single sign-on (webui/oidc.py) ends in the same session as a password sign-in."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from engine import users
from engine.errors import SignInFailed

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


def start_session(user_id: int) -> None:
    """A fresh session for the user (a new cookie: nothing from before sign-in carries over)."""
    session.clear()
    session["user_id"] = user_id
    session.permanent = True


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        try:
            user_id = users.sign_in(current_app.extensions["councilflow"], form.email.data, form.password.data)
        except SignInFailed as err:
            problem = err.message
        else:
            start_session(user_id)
            return redirect(safe_next(request.args.get("next")))
    # sso_label (single sign-on's button) comes from webui/oidc.py's context processor.
    return render_template("auth/sign_in.html", form=form, problem=problem,
                           next_page=request.args.get("next")), (400 if problem else 200)


@bp.post("/sign-out")
def sign_out() -> Any:
    session.clear()
    return redirect(url_for("auth.sign_in"))
