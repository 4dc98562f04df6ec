"""Personal API tokens for the REST API and scripts: created once, stored hashed, revocable."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound, SignInFailed, UserError
from ..governance import audit
from ..persistence.tables import ApiToken, User
from ..types import AuditKind, TokenScope
from .users import SYSTEM_ACTOR, detached_user, get_user

if TYPE_CHECKING:
    from ..context import Context

PREFIX = "cf_"
# Recording every API call would make every read a write; "last used" to within minutes is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def digest(token: str) -> str:
    """What is stored of a secret: its SHA-256 (the secrets are long and random, so no slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, email: str, now: datetime, label: str = "api",
                 scope: TokenScope | None = None) -> str:
    """A new token for the user; the only time it is ever visible. ``scope``: what it is limited to
    (``worker``: the external-task endpoints alone); None: all the user's roles allow."""
    user = get_user(session, email)
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), label=label, created_at=now,
                         scope=scope.value if scope is not None else None))
    return token


# A live token: its hash matches and it was never revoked (both look-ups below).
_LIVE = (ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))


def _holder(session: Session, token: str) -> tuple[ApiToken, User]:
    """The live token row and its active user, or SignInFailed."""
    # One statement for both, in the caller's transaction (the API call's own check is token_holder).
    found = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(*_LIVE),
                            {"digest": digest(token)}).first()
    if found is None or not found[1].active:
        raise SignInFailed("The API token is not valid")
    return found[0], found[1]


def _use_is_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


def user_for_token(session: Session, token: str, now: datetime) -> User:
    """The token's user, recording the use in the caller's (write) transaction when it is due."""
    row, user = _holder(session, token)
    if _use_is_due(row.last_used_at, now):
        row.last_used_at = now
    return user


def sign_in_with_token(ctx: "Context", token: str) -> User:
    """The token's user for one API call, detached from any session (``token_holder``, without the scope)."""
    return token_holder(ctx, token)[0]


# The check before every API call, built once: the live token and its user's columns in one row.
_HOLDER = select(ApiToken.id.label("token_id"), ApiToken.last_used_at.label("token_used_at"),
                 ApiToken.scope.label("token_scope"), *User.__table__.columns) \
    .join(User, User.id == ApiToken.user_id).where(*_LIVE)


def token_holder(ctx: "Context", token: str) -> tuple[User, TokenScope | None]:
    """The token's user for one API call, detached from any session, and the token's scope.

    The token is checked in a read-only unit of work on a bare connection (no Session: this runs
    before every API call), so a call that changes nothing takes no write lock (on SQLite every write
    transaction queues for the one writer). "Last used" is recorded in a short write of its own, and
    only when LAST_USED_RESOLUTION has passed since the stored value, so a busy token costs one write
    every few minutes rather than one per call."""
    now = ctx.clock.now()
    with ctx.db.reading() as connection:
        found = connection.execute(_HOLDER, {"digest": digest(token)}).first()
    if found is None or not found.active:
        raise SignInFailed("The API token is not valid")
    user = detached_user(found._mapping)  # the user's identity, no session
    if _use_is_due(found.token_used_at, now):
        _record_use(ctx, found.token_id, now)
    return user, TokenScope(found.token_scope) if found.token_scope else None


def _record_use(ctx: "Context", token_id: int, now: datetime) -> None:
    """Write ``last_used_at`` unless another call (any thread or process) already has since we read it.
    A database too busy to take this write is too busy for the call: it is answered 503 as before."""
    with ctx.db.transaction() as session:
        session.execute(update(ApiToken)
                        .where(ApiToken.id == token_id,
                               or_(ApiToken.last_used_at.is_(None),
                                   ApiToken.last_used_at <= now - LAST_USED_RESOLUTION))
                        .values(last_used_at=now))


def revoke_tokens(session: Session, email: str, now: datetime) -> int:
    user = get_user(session, email)
    rows = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
    return len(rows)


@dataclass(frozen=True)
class TokenSummary:
    """What admins see of a token: never the token, nor its hash."""

    id: int
    email: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scope: str | None = None


def list_tokens(ctx: "Context", email: str | None = None) -> list[TokenSummary]:
    """Tokens, newest first: everyone's, or one person's."""
    with ctx.db.transaction(readonly=True) as session:
        query = (select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
        if email:
            query = query.where(User.email == email.strip().lower())
        return [TokenSummary(t.id, address, t.label, t.created_at, t.last_used_at, t.revoked_at, t.scope)
                for t, address in session.execute(query)]


def issue_token(ctx: "Context", email: str, label: str, scope: TokenScope | None = None,
                actor: str = SYSTEM_ACTOR) -> str:
    """A new token for an active user, labelled with what it is for."""
    label = " ".join(label.split())
    if not label:
        raise UserError("Enter what the token is for")
    if len(label) > 200:
        raise UserError("The label must be 200 characters or fewer")
    with ctx.db.transaction() as session:
        token = create_token(session, email, ctx.clock.now(), label, scope)
        audit.record(session, AuditKind.TOKEN_CREATED, actor, ctx.clock.now(), get_user(session, email).email,
                     label=label, scope=str(scope) if scope else None)
        return token


def revoke_all(ctx: "Context", email: str, actor: str = SYSTEM_ACTOR) -> int:
    """Revoke every token of one person; how many were still live."""
    with ctx.db.transaction() as session:
        count = revoke_tokens(session, email, ctx.clock.now())
        audit.record(session, AuditKind.TOKEN_REVOKED, actor, ctx.clock.now(), get_user(session, email).email,
                     tokens=count)
        return count


def revoke_token(ctx: "Context", token_id: int, actor: str = SYSTEM_ACTOR) -> TokenSummary:
    """Revoke one token (revoking it again changes nothing)."""
    with ctx.db.transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"There is no API token with id {token_id}")
        email = session.get_one(User, row.user_id).email
        if row.revoked_at is None:
            row.revoked_at = ctx.clock.now()
            audit.record(session, AuditKind.TOKEN_REVOKED, actor, ctx.clock.now(), email, token_id=row.id,
                         label=row.label)
        return TokenSummary(row.id, email, row.label, row.created_at, row.last_used_at, row.revoked_at, row.scope)
