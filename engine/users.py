"""People who use councilflow: look-up, creation and team membership."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from . import routing
from .errors import UserError, UserNotFound
from .persistence.tables import Membership, User
from .types import Role

SYSTEM_ACTOR = "system"


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
