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
from engine.persistence.tables import User
from engine.types import Role
from engine.users import has_role

View = TypeVar("View", bound=Callable[..., Any])

STAFF = (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD)  # people who work cases and tasks
EVERYONE = tuple(Role)


def current_user() -> User:
    """The token's owner (the access rule has already refused requests without one)."""
    user: User | None = g.get("user")
    if user is None:
        raise Unauthorized()
    return user


def requires(*roles: Role) -> Callable[[View], View]:
    """Admit users holding any of ``roles``; the roles are kept on the view as ``admits``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not has_role(current_user(), *roles):
                needed = ", ".join(r.value for r in roles)
                raise Forbidden(f"This needs one of the roles: {needed}")
            return view(*args, **kwargs)

        guarded.admits = frozenset(roles)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate
