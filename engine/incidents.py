"""Incidents: hand-offs that need a person. Admins see them, retry them or skip them with a note;
every decision is in the case history."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import outbox
from .context import Context
from .errors import Conflict, NotFound
from .persistence.tables import Case, Event, Incident, OutboxCall
from .types import EventKind
from .users import SYSTEM_ACTOR
from .views import iso


@dataclass
class IncidentView:
    id: int
    case: str
    kind: str
    message: str
    operation: str | None
    status: str
    created_at: str | None
    resolved_by: str | None
    resolution_note: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _view(incident: Incident, reference: str) -> IncidentView:
    return IncidentView(incident.id, reference, incident.kind, incident.message,
                        incident.details.get("operation"), incident.status, iso(incident.created_at),
                        incident.resolved_by, incident.resolution_note)


def list_incidents(ctx: Context, status: str | None = "open", case: str | None = None) -> list[IncidentView]:
    with ctx.db.transaction(readonly=True) as session:
        query = select(Incident, Case.reference).join(Case, Case.id == Incident.case_id).order_by(Incident.id)
        if status:
            query = query.where(Incident.status == status)
        if case:
            query = query.where(Case.reference == case)
        return [_view(i, ref) for i, ref in session.execute(query)]


def _resolve(session, ctx: Context, incident_id: int, actor: str, note: str):  # type: ignore[no-untyped-def]
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound(f"There is no incident {incident_id}")
    if incident.status != "open":
        raise Conflict(f"Incident {incident_id} was already {incident.status} by {incident.resolved_by}")
    if not note.strip():
        from .errors import UserError
        raise UserError("Enter a note saying why")
    incident.resolved_at, incident.resolved_by, incident.resolution_note = ctx.clock.now(), actor, note
    return incident


def retry_incident(ctx: Context, incident_id: int, actor: str = SYSTEM_ACTOR, note: str = "") -> IncidentView:
    """Try the failed call again now (after the back-office system or the data was fixed)."""
    with ctx.db.transaction() as session:
        incident = _resolve(session, ctx, incident_id, actor, note)
        incident.status = "retried"
        row = session.get_one(OutboxCall, incident.outbox_id)
        row.status, row.next_attempt_at, row.attempts = outbox.CallStatus.PENDING, ctx.clock.now(), 0
        session.add(Event(case_id=incident.case_id, actor=actor, at=ctx.clock.now(),
                          kind=EventKind.INCIDENT_RETRIED, detail={"incident": incident.id, "note": note}))
        reference = session.get_one(Case, incident.case_id).reference or ""
        return _view(incident, reference)


def skip_incident(ctx: Context, incident_id: int, actor: str = SYSTEM_ACTOR, note: str = "",
                  result: dict[str, Any] | None = None) -> IncidentView:
    """Carry on without the call (e.g. the record was keyed by hand); the case continues."""
    with ctx.db.transaction() as session:
        incident = _resolve(session, ctx, incident_id, actor, note)
        incident.status = "skipped"
        session.add(Event(case_id=incident.case_id, actor=actor, at=ctx.clock.now(),
                          kind=EventKind.INCIDENT_SKIPPED, detail={"incident": incident.id, "note": note}))
        reference = session.get_one(Case, incident.case_id).reference or ""
        view = _view(incident, reference)
        row_id = incident.outbox_id
    if row_id is not None:
        with ctx.db.transaction() as session:
            leased = session.get_one(OutboxCall, row_id)
            session.expunge(leased)
        outbox._succeeded(ctx, leased, result or {"skipped": True, "note": note}, actor)
    return view
