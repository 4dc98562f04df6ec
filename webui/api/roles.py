"""Per-endpoint role checks for the API. The blueprint admits any user with a valid token; each
view then declares, with ``@requires``, which roles may call it (admins always may). A test walks
every API endpoint and fails if one does not declare its roles."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g
from werkzeug.exceptions import Unauthorized

from engine.errors import Forbidden
from engine.persistence import User
from engine.types import Role, TokenScope
from engine.people import has_role

View = TypeVar("View", bound=Callable[..., Any])

STAFF = (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD)  # people who work cases and tasks
EVERYONE = tuple(Role)


def current_user() -> User:
    """The token's owner (the access rule has already refused requests without one)."""
    user: User | None = g.get("user")
    if user is None:
        raise Unauthorized()
    return user


def requires(*roles: Role, scope: TokenScope | None = None) -> Callable[[View], View]:
    """Admit users holding any of ``roles``; the roles are kept on the view as ``admits``. A scoped
    token is admitted only by views of its ``scope``, whatever its user's roles; those views also
    admit such a token whatever its user's roles."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            held = g.get("token_scope")
            if held is not None and held != scope:
                raise Forbidden(f"This token is limited to the {held} endpoints")
            if not (held is not None and held == scope) and not has_role(current_user(), *roles):
                needed = ", ".join(r.value for r in roles)
                raise Forbidden(f"This needs one of the roles: {needed}")
            return view(*args, **kwargs)

        guarded.admits = frozenset(roles)  # type: ignore[attr-defined]
        guarded.scope = scope  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate
