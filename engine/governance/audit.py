"""The audit trail: admin and security events, appended in the same transaction as the change they
record and never changed afterwards (no update or delete here; on PostgreSQL a trigger refuses both).

Use cases call ``record`` with their own session; people read the trail through ``entries`` (the admin
page, filtered) and ``export`` (CSV or JSON, itself recorded as a data export)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..persistence.tables import AuditEntry
from ..types import AuditKind

if TYPE_CHECKING:
    from ..context import Context

PAGE_SIZE = 200
COLUMNS = ("id", "at", "kind", "actor", "subject", "detail")


def record(session: Session, kind: AuditKind, actor: str, now: datetime, subject: object = "", /,
           **detail: Any) -> None:
    """Append one event to the trail in the caller's transaction (so it exists exactly when the change does)."""
    session.add(AuditEntry(at=now, kind=AuditKind(kind).value, actor=_typed(actor), subject=_typed(str(subject)),
                           detail={k: v for k, v in detail.items() if v is not None}))


def _typed(text: str) -> str:
    """What someone typed (a sign-in's email address may be anything): within the column, and without
    NUL, which PostgreSQL cannot store, so a hostile sign-in is still recorded rather than a 500."""
    return text.replace("\x00", "")[:320]


def record_now(ctx: "Context", kind: AuditKind, actor: str, subject: object = "", /, **detail: Any) -> None:
    """An event with no other write to share a transaction with (a sign-in, a failed one, a sign-out)."""
    with ctx.db.transaction() as session:
        record(session, kind, actor, ctx.clock.now(), subject, **detail)


@dataclass(frozen=True)
class Filters:
    """What the trail is narrowed to; each empty field narrows nothing. Dates are whole days, inclusive."""

    kind: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.kind and self.kind not in set(AuditKind):
            raise UserError(f"There is no audit event kind {self.kind!r}")
        if self.since and self.until and self.since > self.until:
            raise UserError("The start date must be on or before the end date")


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    kind: str
    actor: str
    subject: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "kind": self.kind, "actor": self.actor,
                "subject": self.subject, "detail": self.detail}


def _query(filters: Filters) -> Any:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.kind:
        query = query.where(AuditEntry.kind == filters.kind)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor.strip().lower())
    # Whole days in UTC, like the stored instants: "--to 2026-12-06" includes all of that day.
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time(), tzinfo=timezone.utc))
    if filters.until:
        day_after = datetime.combine(filters.until + timedelta(days=1), time(), tzinfo=timezone.utc)
        query = query.where(AuditEntry.at < day_after)
    return query


def _entry(row: AuditEntry) -> Entry:
    return Entry(row.id, row.at, row.kind, row.actor, row.subject, dict(row.detail or {}))


def entries(ctx: "Context", filters: Filters = Filters(), limit: int = PAGE_SIZE) -> list[Entry]:
    """The newest events matching the filters, at most ``limit``."""
    with ctx.db.transaction(readonly=True) as session:
        return [_entry(row) for row in session.scalars(_query(filters).limit(limit))]


def export(ctx: "Context", filters: Filters, actor: str) -> list[Entry]:
    """Every event matching the filters, oldest first; the export is itself recorded."""
    with ctx.db.transaction() as session:
        rows = [_entry(row) for row in session.scalars(_query(filters))]
        record(session, AuditKind.DATA_EXPORTED, actor, ctx.clock.now(), "audit trail", rows=len(rows),
               of_kind=filters.kind, by_actor=filters.actor,
               since=filters.since.isoformat() if filters.since else None,
               until=filters.until.isoformat() if filters.until else None)
    return rows[::-1]


def to_csv(rows: Iterable[Entry]) -> str:
    """The events as CSV, one row each, the detail as JSON text. Cells that a spreadsheet would run as
    a formula are prefixed with a quote (an actor or subject is typed by people)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in rows:
        writer.writerow([_cell(v) for v in (entry.id, entry.at.isoformat(), entry.kind, entry.actor, entry.subject,
                                            json.dumps(entry.detail, sort_keys=True, default=str))])
    return out.getvalue()


def _cell(value: object) -> object:
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value

