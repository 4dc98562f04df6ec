"""The management-information roll-up, kept in the same transaction as the events it counts.

Every flush that adds case events (``Event`` rows: a case started, a task created or moved, a
question handed back or answered, a repeat contact, a task or case finished) adds to daily counters
(``mi_count``, days in Europe/London: UK councils' zone), to contacts per hour (``mi_hour``) and to
what is remembered per case (``mi_case``). One listener sees every event
whichever module wrote it, so no use case has to remember to count. Counters are incremented with
``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (SQLite and PostgreSQL), so two
transactions counting in the same hour never lose an update. The definitions are in docs/mi.md.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from .calendar import DEFAULT_ZONE
from .persistence.tables import Case, Event, Membership, MiCase, MiCount, MiHour, Task, User
from .types import EventKind

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


ZONE = ZoneInfo(DEFAULT_ZONE)
COUNTED = frozenset({EventKind.CASE_STARTED, EventKind.TASK_CREATED, EventKind.TASK_MOVED, EventKind.TASK_HANDED_BACK,
                     EventKind.QUESTION_ANSWERED, EventKind.CONTACT_LOGGED, EventKind.TASK_COMPLETED,
                     EventKind.CASE_COMPLETED})


def hour_of(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def day_of(instant: datetime) -> date:
    return instant.astimezone(ZONE).date()


class _Counter:
    """The counting of one flush's events, on the flushing transaction's connection."""

    def __init__(self, session: Session) -> None:
        self.session, self.conn = session, session.connection()

    def add(self, at: datetime, metric: Metric, channel: str, service: str, team: int, kind: str = "",
            n: int = 1) -> None:
        where = dict(channel=channel, service_key=service, team_id=team)
        self._upsert(MiCount, day=day_of(at), metric=metric.value, kind=kind, **where, n=n)
        if metric == Metric.CONTACT:
            self._upsert(MiHour, at=hour_of(at), **where, n=n)

    def _upsert(self, table: type[MiCount] | type[MiHour], **values: Any) -> None:
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).values(**values)
        keys = [c.name for c in table.__table__.primary_key]
        self.conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_={"n": table.n + stmt.excluded.n}))

    def on_case(self, mi: MiCase, metric: Metric, at: datetime, team: int | None = None, kind: str = "",
                n: int = 1, channel: str | None = None) -> None:
        self.add(at, metric, channel or mi.channel, mi.service_key, mi.team_id if team is None else team, kind, n)

    def starter_team(self, actor: str) -> int:
        team = self.conn.scalar(select(Membership.team_id).join(User, User.id == Membership.user_id)
                                .where(User.email == actor).order_by(Membership.team_id).limit(1))
        return team or 0

    def case(self, case_id: int) -> MiCase | None:
        row = self.conn.execute(select(MiCase.__table__).where(MiCase.case_id == case_id)).first()
        return MiCase(**row._mapping) if row is not None else None

    def save(self, mi: MiCase) -> None:
        values = {c.name: getattr(mi, c.name) for c in MiCase.__table__.columns if c.name != "case_id"}
        self.conn.execute(update(MiCase).where(MiCase.case_id == mi.case_id).values(**values))

    def started(self, e: Event, case: Case) -> None:
        team = self.starter_team(e.actor)
        mi = MiCase(case_id=case.id, started_at=hour_of(e.at), channel=str(case.channel),
                    service_key=case.service_key or "", team_id=team, home_team_id=team, last_team_id=team,
                    held_by=[team] if team else [], handoffs=0, later_contacts=0, resolved_first=False)
        self.conn.execute(insert(MiCase).values({c.name: getattr(mi, c.name) for c in MiCase.__table__.columns}))
        self.on_case(mi, Metric.CONTACT, e.at, kind=CONTACT_START)
        self.on_case(mi, Metric.CASE_STARTED, e.at)

    def routed(self, e: Event, mi: MiCase, team: int) -> None:
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

    def contact(self, e: Event, mi: MiCase, kind: str, channel: str) -> None:
        mi.later_contacts += 1
        self.on_case(mi, Metric.CONTACT, e.at, kind=kind, channel=channel)
        if mi.resolved_first:  # came back after all: not resolved at first contact
            mi.resolved_first = False
            self.on_case(mi, Metric.RESOLVED_FIRST, mi.started_at, n=-1)

    def finished(self, e: Event, mi: MiCase, due: datetime | None, team: int, kind: str) -> None:
        if due is not None:
            self.on_case(mi, Metric.ON_TIME if e.at <= due else Metric.LATE, e.at, team=team, kind=kind)

    def count(self, e: Event) -> None:
        assert e.case_id is not None
        get = self.session.get
        if e.kind == EventKind.CASE_STARTED:
            self.started(e, get(Case, e.case_id) or _missing(Case, e.case_id))
            return
        mi = self.case(e.case_id)
        if mi is None:  # started before the roll-up existed (migration 0019): not counted
            return
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
        self.save(mi)


def _missing(table: type, key: int) -> Any:
    raise LookupError(f"{table.__name__} {key} is not in the flushing session")


@event.listens_for(Session, "after_flush")
def _count_events(session: Session, flush_context: UOWTransaction) -> None:
    """Count the case events this flush wrote (still listed in ``session.new`` after the flush)."""
    events = sorted((o for o in session.new if isinstance(o, Event) and o.case_id is not None and o.kind in COUNTED),
                    key=lambda e: e.id)
    if not events:
        return
    counter = _Counter(session)
    with session.no_autoflush:
        for e in events:
            counter.count(e)

