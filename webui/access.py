"""Who may reach which page. Every blueprint is registered here with the roles it admits, so no
route can exist without a role check (tests/webui/test_route_access.py enforces it)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for

from engine.persistence.tables import User
from engine.types import Role
from engine.users import has_role

PUBLIC = "public"          # sign-in page, health check, assets
SIGNED_IN = "signed-in"    # any signed-in user


def register(app: Flask, blueprint: Blueprint, admits: str | Iterable[Role], **options: Any) -> None:
    """Register ``blueprint`` with its access rule: PUBLIC, SIGNED_IN, or the roles it admits
    (admins are always admitted)."""
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
    if rule == PUBLIC:
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
    """Before every request: the signed-in user from the session (or None)."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    ctx = current_app.extensions["councilflow"]
    with ctx.db.transaction(readonly=True) as db:
        user = db.get(User, user_id)
        if user is not None and user.active:
            db.expunge(user)
            g.user = user
        else:
            session.clear()


def access_rules(app: Flask) -> dict[str, Any]:
    return dict(app.extensions.get("councilflow_access", {}))
