"""People who use councilflow: look-up, creation, sign-in, and what admins change about them
(name, roles, teams, password, active).

Signing in with a password is three short steps, none of which holds a write transaction while a
password is hashed (hashing is slow on purpose; on SQLite every other writer would queue behind it):
read the user, claim a place for the guess in its lanes (engine/people/lockout.py: atomic, so a parallel burst
cannot check more guesses than the limit), check the hash, then settle the lanes. Unknown, inactive and
password-less accounts take exactly the same steps against a dummy hash, and locked lanes answer only
after hashing the dummy too: the same words in the same time whether or not the account exists.

Sessions carry the user's ``session_generation``; ``end_sessions`` adds one to it, which ends every
session of that person at its next request (webui/access.py compares the two)."""
from __future__ import annotations

import copy
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, SignInFailed, UserError, UserNotFound
from ..governance import audit
from ..persistence import configuration
from ..persistence.tables import Membership, Team, User
from ..types import AuditKind, Role
from . import lockout, routing

if TYPE_CHECKING:
    from ..context import Context

SYSTEM_ACTOR = "system"
MIN_PASSWORD_LENGTH = 10
MAX_FAILED_SIGN_INS = lockout.Limits().account
WRONG_PASSWORD = "Enter a correct email address and password"
_DUMMY_HASH = generate_password_hash("timing-equaliser")  # the same method and cost as every user's
# Password hashes are slow on purpose and release the GIL: a flood of sign-ins would otherwise take every
# core from the requests staff are waiting for. At most one hash per core at once, per process.
_HASHING = threading.BoundedSemaphore(os.cpu_count() or 1)


def _verify(password_hash: str, password: str) -> bool:
    with _HASHING:
        return check_password_hash(password_hash, password)


def hash_password(password: str) -> str:
    with _HASHING:
        return generate_password_hash(password)


# Built once: every step a person takes reads them (building a statement costs about as much as running it).
USER_COLUMNS = tuple(c.key for c in User.__table__.columns)
_BY_EMAIL = select(*(getattr(User, key) for key in USER_COLUMNS)).where(User.email == bindparam("email"))
_TEAM_IDS = select(Membership.team_id).where(Membership.user_id == bindparam("user"))


def detached_user(row: Mapping[Any, Any]) -> User:
    """A user built from its row's columns, as if read by a session now closed: no statement to read it."""
    user = User(**{key: copy.copy(row[key]) for key in USER_COLUMNS})  # its own roles list, not the row's
    make_transient_to_detached(user)
    return user


def _joined(session: Session, row: Mapping[str, Any]) -> User:
    """The user of ``row`` in ``session``: the one it holds already, else one built from the row and added."""
    known = session.identity_map.get(identity_key(User, (row["id"],)))
    if isinstance(known, User):
        return known
    user = detached_user(row)
    session.add(user)
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this email address, or None. Read once per configuration generation by a transaction that
    read the counter (a case writer's): the person acting at every step (``engine.persistence.configuration``)."""
    email = email.strip().lower()
    kept = configuration.lookup(session, "users", email)
    if kept is None:
        # The row's own columns, as the database has them now (not an object the session may have read before the
        # counter); an address nobody has is not remembered (anyone may type one).
        row = session.execute(_BY_EMAIL, {"email": email}).first()
        if row is None:
            return None
        kept = tuple(row)  # the columns in USER_COLUMNS' order; the user built below copies them
        configuration.remember(session, "users", email, kept)
    return _joined(session, dict(zip(USER_COLUMNS, kept)))


def get_user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None or not user.active:
        raise UserNotFound(f"There is no active user with the email address '{email}'")
    return user


def add_user(session: Session, email: str, name: str, roles: list[Role], now: datetime,
             teams: list[str] | None = None, password: str | None = None, *,
             password_hash: str | None = None) -> User:
    """A new user. Callers inside a write transaction pass ``password_hash`` (from ``hash_password``, called
    before the transaction began) rather than ``password``: hashing is slow on purpose."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"'{email}' is not an email address")
    if find_user(session, email) is not None:
        raise UserError(f"A user with the email address '{email}' already exists")
    if password:
        password_hash = hash_password(password)
    user = User(email=email, name=name, roles=[Role(r).value for r in roles], created_at=now,
                password_hash=password_hash)
    session.add(user)
    session.flush()
    for team in teams or []:
        session.add(Membership(user_id=user.id, team_id=routing.ensure_team(session, team, now).id))
    return user


def team_ids(session: Session, user: User) -> set[int]:
    return set(configuration.kept(session, "teams", user.id,
                                  lambda: tuple(session.scalars(_TEAM_IDS, {"user": user.id}))))


def _locked(until: datetime, now: datetime) -> str:
    minutes = max(1, ceil((until - now).total_seconds() / 60))
    return (f"Signing in is locked after too many failed attempts. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}")


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and the session generation their new session is stamped with — read together
    with the password hash that was checked, so a password reset, role change or deactivation that
    lands while the hash is being checked ends this session too (webui/access.py)."""

    user_id: int
    session_generation: int


def sign_in(ctx: "Context", email: str, password: str, *, address: str | None = None,
            device: lockout.KnownDevice | None = None, limits: lockout.Limits = lockout.Limits()) -> SignedIn:
    """The active user with these credentials, or SignInFailed. ``address`` is where the guess
    came from (its own lane, with a higher limit); a ``device`` the user signed in from before replaces
    both the account's and the address's lanes with its own, so nobody else's guesses lock them out."""
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        user = find_user(session, email)
        found = (user.id, user.password_hash, user.session_generation) if user and user.active and user.password_hash \
            else None
    if device is not None and found is not None and device.user_id == found[0]:
        lanes = [lockout.device_lane(device, limits)]
    else:
        lanes = [lockout.address_lane(address, limits)] if address else []
        lanes.append(lockout.account_lane(email, limits))
    with ctx.db.transaction() as session:
        locked = lockout.claim(session, lanes, now, limits)
        if locked is not None:
            audit.record(session, AuditKind.SIGN_IN_FAILED, email, now, email, address=address, reason="locked")
    if locked is not None:
        lane, until = locked
        if lane.kind is not lockout.LaneKind.ADDRESS:
            # The account's lane: answer in the time a checked guess takes, real account or not.
            _verify(_DUMMY_HASH, password)
        raise SignInFailed(_locked(until, now))
    right = _verify(found[1] if found else _DUMMY_HASH, password)
    if found is None or not right:
        audit.record_now(ctx, AuditKind.SIGN_IN_FAILED, email, email, address=address, reason="wrong password")
        raise SignInFailed(WRONG_PASSWORD)
    with ctx.db.transaction() as session:
        lockout.settle_success(session, lanes)
        audit.record(session, AuditKind.SIGN_IN, email, now, email, address=address)
    return SignedIn(found[0], found[2])


def _end_sessions(user: User) -> None:
    # An SQL increment, not a read-modify-write: two admins acting at once both count.
    user.session_generation = User.session_generation + 1


def end_sessions(ctx: "Context", user_id: int) -> None:
    """End every session of this person (signing out ends them all, not only this browser's)."""
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        _end_sessions(user)
        audit.record(session, AuditKind.SIGN_OUT, user.email, ctx.clock.now(), user.email)


def session_user(ctx: "Context", user_id: int, generation: object) -> User | None:
    """The active user a signed-in browser session belongs to (detached from the database), or None
    when the user has gone, been turned off, or signed out everywhere since (``generation``)."""
    with ctx.db.transaction(readonly=True) as session:
        user = session.get(User, user_id)
        if user is None or not user.active or generation != user.session_generation:
            return None
        session.expunge(user)
        return user


def has_role(user: User, *roles: Role) -> bool:
    return Role.ADMIN.value in user.roles or any(r.value in user.roles for r in roles)


# -- what admins do ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffMember:
    """A user as the admin pages show them: never the password hash."""

    id: int
    email: str
    name: str
    roles: list[str]
    teams: list[str]
    active: bool
    has_password: bool
    locked: bool


def check_password(password: str, email: str = "") -> None:
    """A password people may set: long enough, and not the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if email and password.strip().lower() == email.strip().lower():
        raise UserError("The password must not be the email address")


def _roles(roles: list[str]) -> list[str]:
    if not roles:
        raise UserError("Select at least one role")
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise UserError(f"There is no role called '{unknown[0]}' (roles: {', '.join(sorted(known))})")
    return [r.value for r in Role if r.value in roles]  # one order everywhere


def _existing_teams(session: Session, names: list[str]) -> list[Team]:
    teams = []
    for name in dict.fromkeys(names):
        teams.append(routing.get_team(session, name))  # TeamNotFound names the team
    return teams


def _member(session: Session, user: User, now: datetime, locked: set[str] | None = None) -> StaffMember:
    teams = session.scalars(select(Team.name).join(Membership, Membership.team_id == Team.id)
                            .where(Membership.user_id == user.id).order_by(Team.name))
    locked = lockout.locked_keys(session, now) if locked is None else locked
    return StaffMember(user.id, user.email, user.name, list(user.roles), list(teams), user.active,
                       user.password_hash is not None,
                       lockout.account_lane(user.email, lockout.Limits()).key in locked)


def _by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"There is no user with id {user_id}")
    return user


def _keep_an_admin(session: Session, user: User, roles: list[str], active: bool) -> None:
    """Nobody may take away the last active admin: the council would lose its admin pages."""
    if Role.ADMIN.value not in user.roles or not user.active or (active and Role.ADMIN.value in roles):
        return
    # Locked: two admins demoting each other at once would otherwise each see the other still an admin.
    others = session.scalars(select(User).where(User.active.is_(True), User.id != user.id).with_for_update())
    if not any(Role.ADMIN.value in other.roles for other in others):
        raise Conflict(f"{user.email} is the only active admin: make someone else an admin first")


def list_staff(ctx: "Context", role: str | None = None, team: str | None = None) -> list[StaffMember]:
    """Everyone (active first, then by email), optionally only those with a role or in a team."""
    with ctx.db.transaction(readonly=True) as session:
        query = select(User).order_by(User.active.desc(), User.email)
        if team:
            query = query.join(Membership, Membership.user_id == User.id).where(
                Membership.team_id == routing.get_team(session, team).id)
        now = ctx.clock.now()
        locked = lockout.locked_keys(session, now)
        people = [_member(session, user, now, locked) for user in session.scalars(query)]
    return [p for p in people if role is None or role in p.roles]


def staff_member(ctx: "Context", user_id: int) -> StaffMember:
    with ctx.db.transaction(readonly=True) as session:
        return _member(session, _by_id(session, user_id), ctx.clock.now())


def create_staff(ctx: "Context", email: str, name: str, roles: list[str], teams: list[str],
                 password: str | None, actor: str = SYSTEM_ACTOR) -> StaffMember:
    """A new user in existing teams. Without a password they can sign in only with single sign-on."""
    if not name.strip():
        raise UserError("Enter the person's name")
    if password:
        check_password(password, email)
    password_hash = hash_password(password) if password else None
    with ctx.db.transaction() as session:
        checked = _roles(roles)
        team_names = [t.name for t in _existing_teams(session, teams)]
        user = add_user(session, email, name.strip(), [Role(r) for r in checked], ctx.clock.now(), team_names,
                        password_hash=password_hash)
        audit.record(session, AuditKind.USER_CREATED, actor, ctx.clock.now(), user.email, roles=checked,
                     teams=team_names)
        return _member(session, user, ctx.clock.now())


def register(ctx: "Context", email: str, name: str, roles: list[Role], teams: list[str],
             password: str | None, actor: str = SYSTEM_ACTOR) -> tuple[str, str, list[str]]:
    """A new user from a script: teams are created if new. Returns the stored email, name and roles."""
    password_hash = hash_password(password) if password else None  # before the write transaction
    with ctx.db.transaction() as session:
        user = add_user(session, email, name, roles, ctx.clock.now(), teams, password_hash=password_hash)
        audit.record(session, AuditKind.USER_CREATED, actor, ctx.clock.now(), user.email, roles=list(user.roles),
                     teams=teams)
        return user.email, user.name, list(user.roles)


def update_staff(ctx: "Context", user_id: int, name: str, roles: list[str], teams: list[str],
                 actor: str = SYSTEM_ACTOR) -> StaffMember:
    """Set a user's name, roles and teams (the whole set of each)."""
    if not name.strip():
        raise UserError("Enter the person's name")
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        checked = _roles(roles)
        wanted = _existing_teams(session, teams)
        _keep_an_admin(session, user, checked, user.active)
        if checked != list(user.roles):
            _end_sessions(user)  # what they may do changed: they sign in again to get it
        user.name, user.roles = name.strip(), checked
        session.execute(delete(Membership).where(Membership.user_id == user.id))
        configuration.note_change(session)
        session.add_all(Membership(user_id=user.id, team_id=team.id) for team in wanted)
        audit.record(session, AuditKind.USER_CHANGED, actor, ctx.clock.now(), user.email, roles=checked,
                     teams=[team.name for team in wanted])
        session.flush()
        return _member(session, user, ctx.clock.now())


def set_active(ctx: "Context", user_id: int, active: bool, actor: str = SYSTEM_ACTOR) -> StaffMember:
    """Deactivate (they can no longer sign in or use their API tokens, and every session ends, so
    reactivating does not bring an old session back) or reactivate a user (which lifts a lock-out)."""
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        _keep_an_admin(session, user, list(user.roles), active)
        user.active = active
        _end_sessions(user)
        if active:
            lockout.forget(session, lockout.account_lane(user.email, lockout.Limits()))
        audit.record(session, AuditKind.USER_ACTIVATED if active else AuditKind.USER_DEACTIVATED, actor,
                     ctx.clock.now(), user.email)
        session.flush()
        return _member(session, user, ctx.clock.now())


def set_password(ctx: "Context", user_id: int, password: str, actor: str = SYSTEM_ACTOR) -> None:
    """A new password chosen by an admin: every session of the person ends, and a lock-out is lifted.
    The password is hashed before the write transaction begins (slow on purpose: see sign_in)."""
    with ctx.db.transaction(readonly=True) as session:
        check_password(password, _by_id(session, user_id).email)
    password_hash = hash_password(password)
    with ctx.db.transaction() as session:
        user = _by_id(session, user_id)
        user.password_hash = password_hash
        _end_sessions(user)
        lockout.forget(session, lockout.account_lane(user.email, lockout.Limits()))
        audit.record(session, AuditKind.PASSWORD_SET, actor, ctx.clock.now(), user.email)


def sign_in_by_claim(ctx: "Context", email: str | None) -> SignedIn:
    """The id of the ACTIVE user a single sign-on provider vouched for. Accounts are never created
    here: someone the council has not added is refused."""
    with ctx.db.transaction() as session:
        user = find_user(session, email) if email else None
        if user is None or not user.active:
            refused = True
            audit.record(session, AuditKind.SSO_SIGN_IN_FAILED, email or "unknown", ctx.clock.now(), email or "")
        else:
            refused = False
            audit.record(session, AuditKind.SSO_SIGN_IN, user.email, ctx.clock.now(), user.email)
            signed = SignedIn(user.id, user.session_generation)
    if refused:  # raised after the transaction, so the refusal stays on record
        raise SignInFailed(f"There is no active councilflow account for {email or 'this sign-in'}")
    return signed
