"""Rarely changed configuration that every step reads (a lane's team, a process's SLA policies, the person
acting and their teams; at a case's start, the process's current version and the directory service it
starts), kept by each process between transactions and still right when another process changes it.

``config_generation`` holds one counter. Every transaction that adds, changes or removes a team, a lane's
mapping, an SLA policy, a process version (a deployment), a directory entry, a user or a team membership
raises it as it commits (flush and commit listeners on every Session: those tables are written through the
ORM, and a write with a statement of its own says so with ``note_change``). A transaction may use the cached copies only once it has read the counter
(``use_generation``: the case writer reads it in the same statement that locks the case) and only if it
has changed none of those tables itself. A process's cache is emptied when it sees a newer counter; a
transaction that read an older one reads the tables as before.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base

_KEY = "config_generation"  # session.info: the counter this transaction read, or None: no cache for it


class ConfigGeneration(Base):
    """The configuration's generation: one row, raised by every change to a watched table (``_WATCHED``)."""

    __tablename__ = "config_generation"
    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


GENERATION = select(ConfigGeneration.n).where(ConfigGeneration.id == 1).scalar_subquery()
_READ = select(ConfigGeneration.n).where(ConfigGeneration.id == 1)
_RAISE = update(ConfigGeneration).where(ConfigGeneration.id == 1).values(n=ConfigGeneration.n + 1)
_WATCHED = frozenset({"team", "lane_mapping", "sla_policy", "process_version", "directory_entry", "app_user",
                      "membership"})


@dataclass
class Cached:
    """One process's copies for one database, valid for ``generation``."""

    generation: int = -1
    lanes: dict[str, tuple[int, str, Any]] = field(default_factory=dict)  # source -> the team's id, name, created
    policies: dict[str, Any] = field(default_factory=dict)  # process key -> its policies (engine.deadlines.sla)
    versions: dict[str, int] = field(default_factory=dict)  # process key -> its current version's id
    services: dict[str, Any] = field(default_factory=dict)  # process key -> the service it starts, and sensitivity
    users: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # email -> the user's columns
    teams: dict[int, tuple[int, ...]] = field(default_factory=dict)  # user id -> the ids of their teams
    starters: dict[str, int] = field(default_factory=dict)  # actor -> their first team's id (MI), 0 for none
    lock: threading.Lock = field(default_factory=threading.Lock)


_caches: WeakKeyDictionary[Engine, Cached] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def use_generation(session: Session, generation: int | None) -> None:
    """This transaction read the counter (with its case lock, or ``read_generation``); None: no row."""
    if _KEY not in session.info:  # a transaction that changed the configuration keeps its None
        session.info[_KEY] = generation


def read_generation(session: Session) -> None:
    """Read the counter with a statement of its own (a new case has no case to lock yet)."""
    use_generation(session, session.connection().execute(_READ).scalar())


def _usable(session: Session) -> tuple[Cached, int] | None:
    """This process's copies for the session's database and the counter the transaction read, the copies
    emptied first if it read a newer one; None when the transaction may not use them (it read no counter,
    an older one, or changed the configuration itself)."""
    generation = session.info.get(_KEY)
    if generation is None or _changing(session):
        return None
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    with _caches_lock:
        cache = _caches.setdefault(bind, Cached())
    with cache.lock:
        if generation > cache.generation:
            cache.generation, cache.lanes, cache.policies, cache.versions, cache.services, cache.users, cache.teams, \
                cache.starters = generation, {}, {}, {}, {}, {}, {}, {}
        return (cache, generation) if generation == cache.generation else None


def lookup(session: Session, kind: str, key: Hashable) -> Any:
    """The copy of ``kind`` (a field of ``Cached``) for ``key``, or None: read the tables."""
    usable = _usable(session)
    return getattr(usable[0], kind).get(key) if usable is not None else None


def remember(session: Session, kind: str, key: Hashable, value: Any) -> None:
    """Keep what the transaction read, unless another transaction has moved the copies on meanwhile."""
    usable = _usable(session)
    if usable is not None:
        cache, generation = usable
        with cache.lock:
            if cache.generation == generation:
                getattr(cache, kind)[key] = value


T = TypeVar("T")


def kept(session: Session, kind: str, key: Hashable, read: Callable[[], T]) -> T:
    """The copy of ``kind`` for ``key`` when there is a usable one, else ``read()`` from the tables, remembered."""
    value: T | None = lookup(session, kind, key)
    if value is None:
        value = read()
        remember(session, kind, key, value)
    return value


def _changing(session: Session) -> bool:
    """Whether the session holds changes to the configuration, not yet flushed."""
    return any(getattr(obj, "__tablename__", None) in _WATCHED
               for obj in (*session.new, *session.dirty, *session.deleted))


_CHANGED = "config_changed"  # session.info: this transaction has flushed a change to the configuration


def note_change(session: Session) -> None:
    """This transaction changes a watched table with a statement of its own (the flush notes the ORM's changes)."""
    session.info[_KEY] = None  # this transaction's own changes are not for the cache
    session.info[_CHANGED] = True


@event.listens_for(Session, "before_flush")
def _note_change(session: Session, flush_context: Any, instances: Any) -> None:
    if _changing(session):
        note_change(session)


@event.listens_for(Session, "before_commit")
def _raise_on_change(session: Session) -> None:
    """Raise the counter as the transaction that changed the configuration commits: its row's lock is then the
    last one the transaction takes. Raised at the change itself, the lock was taken between others (a deployment
    locks each of its processes in turn, flushing between them), and two deployments sharing a process
    deadlocked on PostgreSQL, each holding a lock the other waited for."""
    if session.in_nested_transaction():
        return
    session.flush()  # a change still pending is noted first
    if session.info.pop(_CHANGED, False):
        session.execute(_RAISE)


@event.listens_for(Session, "after_transaction_end")
def _forget_change(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction is over, committed or not
        session.info.pop(_CHANGED, None)
