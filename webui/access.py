"""Who may reach which page. Every blueprint is registered here with the roles it admits, so no
route can exist without a role check (tests/webui/test_route_access.py enforces it)."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for

from engine.errors import SignInFailed
from engine.persistence import User
from engine.people import token_holder
from engine.types import Role
from engine.people import has_role, session_user

PUBLIC = "public"          # sign-in page, health check, assets
RESIDENTS = "residents"    # the public's own pages (report, track): no sign-in, rate-limited (webui/public_guard.py)
SIGNED_IN = "signed-in"    # any signed-in user
PARTNER_KEY = "partner-key"  # no staff sign-in nor CSRF: partners' systems, by an Open311 api_key the views check
API_PREFIX = "/api/"       # signed in by bearer token only, never by the session cookie


def register(app: Flask, blueprint: Blueprint, admits: str | Iterable[Role], **options: Any) -> None:
    """Register ``blueprint`` with its access rule: PUBLIC, RESIDENTS, PARTNER_KEY, SIGNED_IN, or the roles it
    admits (admins are always admitted)."""
    rule = admits if isinstance(admits, str) else frozenset(Role(r) for r in admits)
    app.extensions.setdefault("councilflow_access", {})[blueprint.name] = rule
    app.register_blueprint(blueprint, **options)


def enforce() -> Any:
    """Before every request: apply the rule of the blueprint that owns the endpoint. An endpoint
    outside any registered blueprint is refused (fail closed)."""
    if request.endpoint is None:
        return None  # no such route: Flask answers 404
    rule = current_app.extensions.get("councilflow_access", {}).get(request.blueprint or "")
    if rule is None:
        abort(403)
    if rule in (PUBLIC, RESIDENTS, PARTNER_KEY):  # RESIDENTS: open to all, guarded by limits (public_guard)
        return None
    user: User | None = g.get("user")
    if user is None:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if rule != SIGNED_IN and not has_role(user, *rule):
        abort(403)
    return None


def load_user() -> None:
    """Before every request: the signed-in user (or None): from the bearer token for the API,
    from the session for pages. A session counts only while it carries the user's current
    ``session_generation``: signing out, a new password, new roles or deactivation add one to it
    (engine/people/users.py), which ends every copy of every session of that person; and only for
    ``PERMANENT_SESSION_LIFETIME`` after sign-in (a session that was never stamped is over too)."""
    g.user = None
    if request.path.startswith(API_PREFIX):
        _load_token_user()
        return
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = (session_user(current_app.extensions["councilflow"], user_id, session.get("session_generation"))
            if _within_its_day() else None)
    if user is None:
        session.clear()
    else:
        g.user = user


def _within_its_day() -> bool:
    """The wall clock, as Flask's own check of the cookie's signature time: the engine's clock is the cases'
    time, which tests (and replays) move on by days while a person stays signed in."""
    signed_in_at = session.get("signed_in_at")
    if not isinstance(signed_in_at, int):
        return False
    return time.time() - signed_in_at <= current_app.permanent_session_lifetime.total_seconds()


def _load_token_user() -> None:
    """API requests are signed in by ``Authorization: Bearer <token>`` alone. The session cookie is
    ignored, so a page on another site cannot make a signed-in browser call the API (no CSRF)."""
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        g.auth_error = "The Authorization header must be 'Bearer <token>'"
        return
    ctx = current_app.extensions["councilflow"]
    try:
        user, scope = token_holder(ctx, token.strip())
    except SignInFailed as err:
        g.auth_error = err.message
        return
    g.user, g.token_scope = user, scope  # a scoped token is held to its endpoints (webui.api.roles)


def access_rules(app: Flask) -> dict[str, Any]:
    return dict(app.extensions.get("councilflow_access", {}))
