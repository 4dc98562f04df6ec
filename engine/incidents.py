"""Incidents: hand-offs that need a person. Admins see them, retry them or skip them with a note;
every decision is in the case history."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import filing, outbox
from .context import Context
from .errors import Conflict, NotFound
from .persistence.tables import Case, Document, Event, Incident, OutboxCall
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
    attempts: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class IncidentDetail:
    """What an admin needs to decide: the incident, and the call it stopped (secrets masked)."""

    incident: IncidentView
    details: dict[str, Any]
    params: dict[str, Any]
    idempotency_key: str | None
    last_error: str | None
    document: str | None  # the file name, when the call files a document
    resolved_at: str | None


_SECRET = re.compile(r"(password|secret|token|api_?key|credential|authori[sz]ation|^key$)", re.IGNORECASE)
MASK = "(hidden)"


def masked(value: Any) -> Any:
    """``value`` with secrets (by key) hidden and inline file contents summarised."""
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and _SECRET.search(k) else
                f"({len(v)} characters of file content)" if k == "content_base64" and isinstance(v, str) else
                masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _view(incident: Incident, reference: str) -> IncidentView:
    return IncidentView(incident.id, reference, incident.kind, incident.message,
                        incident.details.get("operation"), incident.status, iso(incident.created_at),
                        incident.resolved_by, incident.resolution_note, incident.details.get("attempts"))


def list_incidents(ctx: Context, status: str | None = "open", case: str | None = None) -> list[IncidentView]:
    with ctx.db.transaction(readonly=True) as session:
        query = select(Incident, Case.reference).join(Case, Case.id == Incident.case_id).order_by(Incident.id)
        if status:
            query = query.where(Incident.status == status)
        if case:
            query = query.where(Case.reference == case)
        return [_view(i, ref) for i, ref in session.execute(query)]


def get_incident(ctx: Context, incident_id: int) -> IncidentDetail:
    with ctx.db.transaction(readonly=True) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"There is no incident {incident_id}")
        reference = session.get_one(Case, incident.case_id).reference or ""
        row = session.get(OutboxCall, incident.outbox_id) if incident.outbox_id is not None else None
        document = session.get(Document, row.document_id) if row is not None and row.document_id else None
        return IncidentDetail(_view(incident, reference), masked(incident.details),
                              masked(row.params) if row is not None else {}, row.idempotency_key if row else None,
                              row.last_error if row else None, document.filename if document else None,
                              iso(incident.resolved_at))


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
        if row.document_id is not None:
            filing.requeued(session, row)
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
        row = session.get(OutboxCall, row_id) if row_id is not None else None
        if row is not None and row.document_id is not None:
            filing.skipped(session, row, note, ctx.clock.now())
            return view
    if row_id is not None:
        with ctx.db.transaction() as session:
            leased = session.get_one(OutboxCall, row_id)
            session.expunge(leased)
        outbox._succeeded(ctx, leased, result or {"skipped": True, "note": note}, actor)
    return view
