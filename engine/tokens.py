"""Personal API tokens for the REST API and scripts: created once, stored hashed, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import SignInFailed
from .persistence.tables import ApiToken, User
from .users import get_user

PREFIX = "cf_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, email: str, now: datetime, label: str = "api") -> str:
    """A new token for the user; the only time it is ever visible."""
    user = get_user(session, email)
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label, created_at=now))
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked_at.is_(None)))
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        raise SignInFailed("The API token is not valid")
    row.last_used_at = now
    return user


def revoke_tokens(session: Session, email: str, now: datetime) -> int:
    user = get_user(session, email)
    rows = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
    return len(rows)
