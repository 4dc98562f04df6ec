"""Password guesses, counted where every ``councilflow serve`` process sees them: one row per lane in
``sign_in_guard``.

A lane is what a guess is charged to: the account it names (any address typed, real or not, so that
nobody can tell a real account from an unknown one by how it answers), the network address it came
from, or a browser the person has signed in from before (a known device, see ``KnownDevice``).

A guess first *claims* a place in its lanes with one atomic statement each (``INSERT … ON CONFLICT DO
UPDATE … WHERE not locked … RETURNING failures``: PostgreSQL locks the row for it, SQLite runs it under its
write lock). Only a guess that got its places is checked against a password hash, so however many
guesses arrive at once, no more than a lane's limit are ever checked; a counter read, incremented in
Python and written back loses updates under exactly that burst. The claim that reaches the limit locks
the lane; each lock-out in a row lasts twice as long as the one before, up to ``longest_lock``. A right
password clears the account (or device) lane and gives back its place in the address lane, so a busy
office behind one address is charged only for its mistakes.

Claims are short write transactions with no password hashing inside them (hashing takes tens of
milliseconds on purpose, and on SQLite every other writer would wait for it).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..persistence.tables import SignInGuard


@dataclass(frozen=True)
class Limits:
    """How many guesses each lane allows before it locks, and for how long."""

    account: int = 5               # guesses at one account (or from one known device) before it locks
    address: int = 30              # failed guesses from one network address; 0 turns the lane off
    lock_for: timedelta = timedelta(minutes=15)
    longest_lock: timedelta = timedelta(hours=4)
    remember_for: timedelta = timedelta(days=1)  # a lane quiet (and unlocked) this long is forgotten


@dataclass(frozen=True)
class KnownDevice:
    """A browser the person signed in from before (the web layer keeps it in a signed cookie). Its
    guesses are charged to its own lane instead of the account's and the address's, so a burst from
    anyone else, even from the same office address, does not lock the person out at their own desk."""

    user_id: int
    device_id: str


class LaneKind(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"
    DEVICE = "device"


@dataclass(frozen=True)
class Lane:
    kind: LaneKind
    key: str
    limit: int


def account_lane(email: str, limits: Limits) -> Lane:
    # Hashed: a fixed width, and the table never holds the addresses an attacker tried.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return Lane(LaneKind.ACCOUNT, f"{LaneKind.ACCOUNT}:{digest}", limits.account)


def address_lane(address: str, limits: Limits) -> Lane:
    return Lane(LaneKind.ADDRESS, f"{LaneKind.ADDRESS}:{address[:64]}", limits.address)


def device_lane(device: KnownDevice, limits: Limits) -> Lane:
    return Lane(LaneKind.DEVICE, f"{LaneKind.DEVICE}:{device.device_id[:64]}", limits.account)


# SQLAlchemy types a declarative class's ``__table__`` as any FromClause (it may map a join); a class
# declared with ``__tablename__``, as this one is, is always mapped to a plain Table.
_guard = cast(Table, SignInGuard.__table__)


def _claim_one(session: Session, lane: Lane, now: datetime, limits: Limits) -> datetime | None:
    """A place for one guess in ``lane``, or the end of the lane's lock when there is none."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    unlocked = or_(_guard.c.locked_until.is_(None), _guard.c.locked_until <= now)
    statement = (dialect.insert(_guard)
                 .values(key=lane.key, failures=1, lock_outs=0, locked_until=None, forget_at=now + limits.remember_for)
                 .on_conflict_do_update(
                     index_elements=[_guard.c.key], where=unlocked,
                     # A lock that has run out starts the count again (its lock_outs stay, for the backoff).
                     set_={"failures": case((_guard.c.locked_until.is_(None), _guard.c.failures + 1), else_=1),
                           "locked_until": None, "forget_at": now + limits.remember_for})
                 .returning(_guard.c.failures, _guard.c.lock_outs))
    claimed = session.execute(statement).first()
    if claimed is None:
        return session.scalar(select(_guard.c.locked_until).where(_guard.c.key == lane.key))
    failures, lock_outs = claimed
    if failures >= lane.limit:
        until = now + min(limits.lock_for * 2 ** min(lock_outs, 16), limits.longest_lock)
        session.execute(update(_guard).where(_guard.c.key == lane.key).values(
            locked_until=until, lock_outs=lock_outs + 1, forget_at=until + limits.remember_for))
    return None


def claim(session: Session, lanes: list[Lane], now: datetime, limits: Limits) -> tuple[Lane, datetime] | None:
    """Claim a place in each lane, in order, for one guess: None when the guess may be checked, else the
    first locked lane and when its lock ends (later lanes are then not charged)."""
    # Forget quiet lanes, a few at a time; rows another sign-in holds are skipped (PostgreSQL) rather
    # than waited for, so two sign-ins pruning at once can never deadlock.
    quiet = select(_guard.c.key).where(_guard.c.forget_at < now).limit(100).with_for_update(skip_locked=True)
    session.execute(delete(_guard).where(_guard.c.key.in_(quiet)))
    for lane in lanes:
        if lane.limit <= 0:
            continue
        until = _claim_one(session, lane, now, limits)
        if until is not None:
            return lane, until
    return None


def settle_success(session: Session, lanes: list[Lane]) -> None:
    """A right password: the account or device lane starts afresh; the address keeps only its failures."""
    for lane in lanes:
        if lane.kind is LaneKind.ADDRESS:
            session.execute(update(_guard).where(_guard.c.key == lane.key, _guard.c.failures > 0,
                                                 _guard.c.locked_until.is_(None))
                            .values(failures=_guard.c.failures - 1))
        else:
            session.execute(delete(_guard).where(_guard.c.key == lane.key))


def forget(session: Session, lane: Lane) -> None:
    """Lift a lane's lock and forget its failures (an admin set a new password or reactivated the user)."""
    session.execute(delete(_guard).where(_guard.c.key == lane.key))


def locked_keys(session: Session, now: datetime) -> set[str]:
    """The lanes locked now (for the admin pages, which show locked accounts)."""
    return set(session.scalars(select(_guard.c.key).where(_guard.c.locked_until > now)))
