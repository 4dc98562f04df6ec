"""People who use councilflow: look-up, creation and team membership."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkzeug.security import check_password_hash, generate_password_hash

from . import routing
from .errors import SignInFailed, UserError, UserNotFound
from .persistence.tables import Membership, User
from .types import Role

if TYPE_CHECKING:
    from .context import Context

SYSTEM_ACTOR = "system"
MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
_DUMMY_HASH = generate_password_hash("timing-equaliser")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None or not user.active:
        raise UserNotFound(f"There is no active user with the email address '{email}'")
    return user


def add_user(session: Session, email: str, name: str, roles: list[Role], now: datetime,
             teams: list[str] | None = None, password: str | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"'{email}' is not an email address")
    if find_user(session, email) is not None:
        raise UserError(f"A user with the email address '{email}' already exists")
    user = User(email=email, name=name, roles=[Role(r).value for r in roles], created_at=now,
                password_hash=generate_password_hash(password) if password else None)
    session.add(user)
    session.flush()
    for team in teams or []:
        session.add(Membership(user_id=user.id, team_id=routing.ensure_team(session, team, now).id))
    return user


def team_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(Membership.team_id).where(Membership.user_id == user.id)))


def _check(session: Session, email: str, password: str, now: datetime) -> tuple[User | None, str]:
    user = find_user(session, email)
    wrong = "Enter a correct email address and password"
    if user is None or not user.active or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)  # same work either way: no user enumeration
        return None, wrong
    if user.locked_until is not None and user.locked_until > now:
        return None, "This account is locked after too many failed attempts. Try again in 15 minutes"
    if not check_password_hash(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + LOCK_OUT_FOR, 0
        return None, wrong
    user.failed_sign_ins, user.locked_until = 0, None
    return user, ""


def sign_in(ctx: "Context", email: str, password: str) -> int:
    """The id of the user with these credentials. Failures are counted (and committed) before
    SignInFailed is raised; five in a row lock the account for 15 minutes."""
    with ctx.db.transaction() as session:
        user, problem = _check(session, email, password, ctx.clock.now())
        user_id = user.id if user is not None else None
    if user_id is None:
        raise SignInFailed(problem)
    return user_id


def has_role(user: User, *roles: Role) -> bool:
    return Role.ADMIN.value in user.roles or any(r.value in user.roles for r in roles)
