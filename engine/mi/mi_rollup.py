"""The management-information roll-up, kept in the same transaction as the events it counts.

Every flush that adds case events (``Event`` rows: a case started, a task created or moved, a
question handed back or answered, a repeat contact, a task or case finished) adds to daily counters
(``mi_count``, days in Europe/London: UK councils' zone; ``mi_day``, the same per channel and per
service, without team), to contacts per hour (``mi_hour``) and to
what is remembered per case (``mi_case``). One listener sees every event
whichever module wrote it through the Session, and the case writer hands over the history it writes
without the ORM (``count_written``, engine/casework/history.py), so no use case has to remember to count.

Each flush's events are counted in memory (``_Tally``, one per transaction, kept in ``session.info``)
and written once, just before the transaction commits: one ``INSERT ... ON CONFLICT DO UPDATE SET
n = n + excluded.n`` per counter table (an executemany, one row per key), so two transactions counting
in the same hour never lose an update, plus at most one insert and one update of ``mi_case`` and
one read of it per transaction. A savepoint that rolls back takes its counts with it (the tally is
copied when the savepoint begins and restored if it rolls back). The definitions are in docs/mi.md.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from ..deadlines.calendar import DEFAULT_ZONE
from ..persistence import configuration
from ..persistence.mi import ALL
from ..persistence.tables import Case, Event, Membership, MiCase, MiCount, MiDay, MiHour, Task, User
from ..types import ContactKind, EventKind

CONTACT_START = "case_start"  # the kind of contact a case's start is
CONTACT_ANSWER = "question_answer"  # the front office answering a back office's question
QUESTION = "question"  # bounce-back kinds: a hand-back question, or work returning to a team
RETURNED = "returned"


class Metric(StrEnum):
    CONTACT = "contact"  # kind: CONTACT_START, CONTACT_ANSWER or an engine.types.ContactKind
    CASE_STARTED = "case_started"
    RESOLVED_FIRST = "resolved_first"  # counted in the hour the case started; -1 when a contact follows
    HANDOFF = "handoff"  # team: the team handed to
    BOUNCE_BACK = "bounce_back"  # kind: QUESTION or RETURNED
    ON_TIME = "on_time"  # kind: "task" or "case"; finished by its due time
    LATE = "late"


AVOIDABLE = frozenset({ContactKind.CHASING, ContactKind.NOT_UNDERSTOOD})  # NI 14
ZONE = ZoneInfo(DEFAULT_ZONE)
COUNTED = frozenset({EventKind.CASE_STARTED, EventKind.TASK_CREATED, EventKind.TASK_MOVED, EventKind.TASK_HANDED_BACK,
                     EventKind.QUESTION_ANSWERED, EventKind.CONTACT_LOGGED, EventKind.TASK_COMPLETED,
                     EventKind.CASE_COMPLETED})


def hour_of(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def day_of(instant: datetime) -> date:
    return instant.astimezone(ZONE).date()


class CountedEvent(Protocol):
    """What counting reads of an event: an ``Event`` row, or one the case writer wrote without the ORM."""

    @property
    def case_id(self) -> int | None: ...
    @property
    def task_id(self) -> int | None: ...
    @property
    def actor(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...


@dataclass
class _Tally:
    """What one transaction's events add to the roll-up, until it is written just before the commit."""

    daily: dict[tuple[Any, ...], int] = field(default_factory=dict)  # mi_count's key -> n
    hourly: dict[tuple[Any, ...], int] = field(default_factory=dict)  # mi_hour's key -> n
    cases: dict[int, MiCase] = field(default_factory=dict)  # mi_case rows read or made in this transaction
    new: set[int] = field(default_factory=set)  # case ids of rows to insert
    changed: set[int] = field(default_factory=set)  # case ids of rows to update

    def copied(self) -> "_Tally":
        return _Tally(dict(self.daily), dict(self.hourly),
                      {k: _row_copy(mi) for k, mi in self.cases.items()}, set(self.new), set(self.changed))


_CASE_COLUMNS = tuple(c.name for c in MiCase.__table__.columns)


def _row_copy(mi: MiCase) -> MiCase:
    return MiCase(**{c: copy.copy(getattr(mi, c)) for c in _CASE_COLUMNS})


def _add(counts: dict[tuple[Any, ...], int], key: tuple[Any, ...], n: int) -> None:
    counts[key] = counts.get(key, 0) + n


class _Counter:
    """The counting of one flush's events into the transaction's tally (reads on its connection)."""

    def __init__(self, session: Session, tally: _Tally) -> None:
        self.session, self.conn, self.tally = session, session.connection(), tally

    def add(self, at: datetime, metric: Metric, channel: str, service: str, team: int, kind: str = "",
            n: int = 1) -> None:
        _add(self.tally.daily, (day_of(at), metric.value, kind, channel, service, team), n)
        if metric == Metric.CONTACT:
            _add(self.tally.hourly, (hour_of(at), channel, service, team), n)

    def on_case(self, mi: MiCase, metric: Metric, at: datetime, team: int | None = None, kind: str = "",
                n: int = 1, channel: str | None = None) -> None:
        self.add(at, metric, channel or mi.channel, mi.service_key, mi.team_id if team is None else team, kind, n)

    def starter_team(self, actor: str) -> int:
        """The first team of the person who started a case, 0 for none (kept with the configuration)."""
        return configuration.kept(self.session, "starters", actor,
                                  lambda: self.conn.scalar(_STARTER_TEAM, {"actor": actor}) or 0)

    def case(self, case_id: int) -> MiCase | None:
        if case_id in self.tally.cases:
            return self.tally.cases[case_id]
        row = self.conn.execute(_READ_CASE, {"case_id": case_id}).first()
        if row is None:
            return None
        mi = self.tally.cases[case_id] = MiCase(**row._mapping)
        return mi

    def save(self, mi: MiCase, before: tuple[Any, ...]) -> None:
        if _values(mi) != before and mi.case_id not in self.tally.new:
            self.tally.changed.add(mi.case_id)

    def started(self, e: CountedEvent, case: Case) -> None:
        team = self.starter_team(e.actor)
        mi = MiCase(case_id=case.id, started_at=hour_of(e.at), channel=str(case.channel),
                    service_key=case.service_key or "", team_id=team, home_team_id=team, last_team_id=team,
                    held_by=[team] if team else [], handoffs=0, later_contacts=0, resolved_first=False)
        self.tally.cases[case.id] = mi
        self.tally.new.add(case.id)
        self.on_case(mi, Metric.CONTACT, e.at, kind=CONTACT_START)
        self.on_case(mi, Metric.CASE_STARTED, e.at)

    def routed(self, e: CountedEvent, mi: MiCase, team: int) -> None:
        """Work for ``team`` on the case: a hand-off when it is not the home team, a bounce-back when
        the work returns to a team that held the case before (but not just now)."""
        if not mi.home_team_id and not mi.held_by:
            mi.home_team_id = team  # started by no team: the first to hold it is its front office
        if team != mi.home_team_id:
            mi.handoffs += 1
            self.on_case(mi, Metric.HANDOFF, e.at, team=team)
        if team in mi.held_by and team != mi.last_team_id:
            self.on_case(mi, Metric.BOUNCE_BACK, e.at, team=team, kind=RETURNED)
        mi.held_by, mi.last_team_id = sorted({*mi.held_by, team}), team

    def contact(self, e: CountedEvent, mi: MiCase, kind: str, channel: str) -> None:
        mi.later_contacts += 1
        self.on_case(mi, Metric.CONTACT, e.at, kind=kind, channel=channel)
        if mi.resolved_first:  # came back after all: not resolved at first contact
            mi.resolved_first = False
            self.on_case(mi, Metric.RESOLVED_FIRST, mi.started_at, n=-1)

    def finished(self, e: CountedEvent, mi: MiCase, due: datetime | None, team: int, kind: str) -> None:
        if due is not None:
            self.on_case(mi, Metric.ON_TIME if e.at <= due else Metric.LATE, e.at, team=team, kind=kind)

    def count(self, e: CountedEvent) -> None:
        assert e.case_id is not None
        get = self.session.get
        if e.kind == EventKind.CASE_STARTED:
            self.started(e, get(Case, e.case_id) or _missing(Case, e.case_id))
            return
        mi = self.case(e.case_id)
        if mi is None:  # started before the roll-up existed (migration 0024): not counted
            return
        before = _values(mi)
        task = get(Task, e.task_id) if e.task_id is not None else None
        detail: dict[str, Any] = e.detail or {}
        if e.kind in (EventKind.TASK_CREATED, EventKind.TASK_MOVED) and task is not None:
            self.routed(e, mi, task.team_id or 0)
        elif e.kind == EventKind.TASK_HANDED_BACK and task is not None:
            self.on_case(mi, Metric.BOUNCE_BACK, e.at, team=task.team_id or 0, kind=QUESTION)
        elif e.kind == EventKind.QUESTION_ANSWERED:
            self.contact(e, mi, CONTACT_ANSWER, mi.channel)
        elif e.kind == EventKind.CONTACT_LOGGED:
            self.contact(e, mi, str(detail.get("contact_kind", "")), str(detail.get("channel", mi.channel)))
        elif e.kind == EventKind.TASK_COMPLETED and task is not None:
            self.finished(e, mi, task.due_at, task.team_id or 0, "task")
        elif e.kind == EventKind.CASE_COMPLETED:
            case = get(Case, e.case_id) or _missing(Case, e.case_id)
            self.finished(e, mi, case.due_at, mi.team_id, "case")
            if mi.handoffs == 0 and mi.later_contacts == 0 and not mi.resolved_first:
                mi.resolved_first = True
                self.on_case(mi, Metric.RESOLVED_FIRST, mi.started_at)
        self.save(mi, before)


def _values(mi: MiCase) -> tuple[Any, ...]:
    return tuple(copy.copy(getattr(mi, c)) for c in _CASE_COLUMNS)


def _missing(table: type, key: int) -> Any:
    raise LookupError(f"{table.__name__} {key} is not in the flushing session")


_TALLY = "mi_tally"  # session.info key of the open transaction's tally
_SAVED = "mi_tally_at_savepoint"  # session.info key: {savepoint: the tally as it was when it began}


def _tally(session: Session) -> _Tally:
    tally = session.info.get(_TALLY)
    if tally is None:
        tally = session.info[_TALLY] = _Tally()
    return tally


_UPSERTS: dict[tuple[str, str], Any] = {}  # (dialect, table) -> its upsert, built once


def _upsert_statement(dialect: str, table: type[MiCount] | type[MiDay] | type[MiHour]) -> Any:
    stmt = _UPSERTS.get((dialect, table.__tablename__))
    if stmt is None:
        insert_ = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        keys = [c.name for c in table.__table__.primary_key]
        stmt = _UPSERTS[(dialect, table.__tablename__)] = \
            insert_.on_conflict_do_update(index_elements=keys, set_={"n": table.n + insert_.excluded.n})
    return stmt


def _upsert(conn: Connection, table: type[MiCount] | type[MiDay] | type[MiHour], columns: tuple[str, ...],
            counts: dict[tuple[Any, ...], int]) -> None:
    rows = [{**dict(zip(columns, key)), "n": n} for key, n in sorted(counts.items()) if n]
    if rows:
        conn.execute(_upsert_statement(conn.dialect.name, table), rows)


_INSERT_CASE = insert(MiCase)
_UPDATE_CASE = update(MiCase).where(MiCase.case_id == bindparam("v_case_id")).values(
    **{c: bindparam(f"v_{c}", type_=MiCase.__table__.c[c].type) for c in _CASE_COLUMNS if c != "case_id"})
_READ_CASE = select(MiCase.__table__).where(MiCase.case_id == bindparam("case_id"))
_STARTER_TEAM = select(Membership.team_id).join(User, User.id == Membership.user_id) \
    .where(User.email == bindparam("actor")).order_by(Membership.team_id).limit(1)


def _write(session: Session, tally: _Tally) -> None:
    """The transaction's tally in at most five statements: new mi_case rows, changed ones, and one
    upsert per counter table (rows sorted by key, so two writers take the row locks in one order)."""
    conn = session.connection()
    if tally.new:
        conn.execute(_INSERT_CASE, [_row(tally.cases[k]) for k in sorted(tally.new)])
    if tally.changed:
        conn.execute(_UPDATE_CASE,
                     [{f"v_{c}": v for c, v in _row(tally.cases[k]).items()} for k in sorted(tally.changed)])
    _upsert(conn, MiCount, ("day", "metric", "kind", "channel", "service_key", "team_id"), tally.daily)
    _upsert(conn, MiDay, ("day", "metric", "kind", "channel", "service_key"), coarse(tally.daily))
    _upsert(conn, MiHour, ("at", "channel", "service_key", "team_id"), tally.hourly)


def coarse_kind(metric: str, kind: str) -> str:
    """The kind ``mi_day`` keeps per service: a contact's kind when it is avoidable, else none."""
    return kind if metric == Metric.CONTACT and kind in AVOIDABLE else ""


def coarse(daily: dict[tuple[Any, ...], int]) -> dict[tuple[Any, ...], int]:
    """``mi_count``'s keys and counts (day, metric, kind, channel, service, team) summed into
    ``mi_day``'s two grains: per channel, and per service."""
    out: dict[tuple[Any, ...], int] = {}
    for (day, metric, kind, channel, service, _), n in daily.items():
        _add(out, (day, metric, kind, channel, ALL), n)
        _add(out, (day, metric, coarse_kind(metric, kind), ALL, service), n)
    return out


def _row(mi: MiCase) -> dict[str, Any]:
    return {c: getattr(mi, c) for c in _CASE_COLUMNS}


def count_written(session: Session, events: Iterable[CountedEvent]) -> None:
    """Count events written in order without the ORM (the case writer's history, engine/casework/history.py)."""
    _count(session, [e for e in events if e.case_id is not None and e.kind in COUNTED])


@event.listens_for(Session, "after_flush")
def _count_events(session: Session, flush_context: UOWTransaction) -> None:
    """Count the case events this flush wrote (still listed in ``session.new`` after the flush)."""
    events: list[Event] = sorted((o for o in session.new if isinstance(o, Event) and o.case_id is not None
                                  and o.kind in COUNTED), key=lambda e: e.id)
    _count(session, events)


def _count(session: Session, events: Sequence[CountedEvent]) -> None:
    if not events:
        return
    counter = _Counter(session, _tally(session))
    with session.no_autoflush:
        for e in events:
            counter.count(e)


@event.listens_for(Session, "before_commit")
def _write_tally(session: Session) -> None:
    """Write what the transaction counted, once, as it commits (a savepoint's commit keeps it counted
    in memory for the transaction around it)."""
    if session.in_nested_transaction():
        return
    session.flush()  # events still pending are counted before the tally is written
    tally = session.info.pop(_TALLY, None)
    if tally is not None:
        _write(session, tally)


@event.listens_for(Session, "after_transaction_create")
def _remember_at_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested and _TALLY in session.info:
        session.info.setdefault(_SAVED, {})[transaction] = session.info[_TALLY].copied()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    saved = session.info.get(_SAVED, {})
    if previous_transaction.nested:
        if previous_transaction in saved:
            session.info[_TALLY] = saved.pop(previous_transaction)
        else:
            session.info.pop(_TALLY, None)  # nothing was counted before the savepoint
    else:
        session.info.pop(_TALLY, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_tally(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction is over, committed or not
        session.info.pop(_TALLY, None)
        session.info.pop(_SAVED, None)
