"""Incidents: hand-offs that need a person. Admins see them, retry them or skip them with a note;
every decision is in the case history.

A retry or a skip is one transaction through the case writer: the case is locked first (the order
every writer takes), then the incident, and the call's handler (``engine.outbox.outbox.HANDLERS``) does
what its kind needs in that same transaction. A skip that cannot finish the waiting task (say the
case's saved state cannot be loaded) therefore leaves the incident open and the call as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..casework import history, writer
from ..casework.views import case_reference, iso
from ..context import Context
from ..errors import Conflict, NotFound, UserError
from ..governance import audit
from ..outbox import outbox
from ..people.users import SYSTEM_ACTOR
from ..persistence.tables import Case, Incident, OutboxCall
from ..types import AuditKind, CallStatus, EventKind, IncidentStatus


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


def list_incidents(ctx: Context, status: str | None = IncidentStatus.OPEN,
                   case: str | None = None) -> list[IncidentView]:
    with ctx.db.transaction(readonly=True) as session:
        query = select(Incident, Case.reference).join(Case, Case.id == Incident.case_id).order_by(Incident.id)
        if status:
            query = query.where(Incident.status == status)
        if case:
            query = query.where(Case.reference == case)
        return [_view(i, case_reference(ref)) for i, ref in session.execute(query)]


def get_incident(ctx: Context, incident_id: int) -> IncidentDetail:
    with ctx.db.transaction(readonly=True) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"There is no incident {incident_id}")
        reference = session.get_one(Case, incident.case_id).reference or ""
        row = session.get(OutboxCall, incident.outbox_id) if incident.outbox_id is not None else None
        return IncidentDetail(_view(incident, reference), masked(incident.details),
                              masked(row.params) if row is not None else {}, row.idempotency_key if row else None,
                              row.last_error if row else None,
                              outbox.handler(row).document(session, row) if row is not None else None,
                              iso(incident.resolved_at))


def _case_of(ctx: Context, incident_id: int) -> int:
    """The incident's case (it never changes), read before the case is locked."""
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Incident.case_id).where(Incident.id == incident_id))
    if case_id is None:
        raise NotFound(f"There is no incident {incident_id}")
    return case_id


_DECIDED = {IncidentStatus.RETRIED: EventKind.INCIDENT_RETRIED, IncidentStatus.SKIPPED: EventKind.INCIDENT_SKIPPED}


def _resolve(w: writer.CaseWriter, incident_id: int, status: IncidentStatus, note: str) -> Incident:
    """The open incident, locked after its case and marked resolved by ``w.actor`` with ``note``."""
    incident = w.session.get_one(Incident, incident_id, with_for_update=True, populate_existing=True)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(f"Incident {incident_id} was already {incident.status} by {incident.resolved_by}")
    if not note.strip():
        raise UserError("Enter a note saying why")
    incident.status = status
    incident.resolved_at, incident.resolved_by, incident.resolution_note = w.now, w.actor, note
    history.add_event(w.session, incident.case_id, None, w.actor, w.now, _DECIDED[status],
                      {"incident": incident.id, "note": note})
    kind = AuditKind.INCIDENT_RETRIED if status == IncidentStatus.RETRIED else AuditKind.INCIDENT_SKIPPED
    audit.record(w.session, kind, w.actor, w.now, incident.id, case=incident.case_id, note=note)
    return incident


def retry_incident(ctx: Context, incident_id: int, actor: str = SYSTEM_ACTOR, note: str = "") -> IncidentView:
    """Try the failed call again now (after the back-office system or the data was fixed)."""
    with writer.open_case(ctx, case_id=_case_of(ctx, incident_id), actor=actor, person=False) as w:
        incident = _resolve(w, incident_id, IncidentStatus.RETRIED, note)
        if incident.outbox_id is None:  # a bounced email reply: nothing to call again
            raise UserError("There is no call to retry for this incident: skip it with a note of what you did")
        row = w.session.get_one(OutboxCall, incident.outbox_id, populate_existing=True)
        row.status, row.next_attempt_at, row.attempts = CallStatus.PENDING, w.now, 0
        outbox.handler(row).retried(w, row)
        return _view(incident, w.case.reference or "")


def skip_incident(ctx: Context, incident_id: int, actor: str = SYSTEM_ACTOR, note: str = "",
                  result: dict[str, Any] | None = None) -> IncidentView:
    """Carry on without the call (e.g. the record was keyed by hand); the case continues.
    ``result``: what the call would have answered, if the case needs it (default: a note it was skipped)."""
    with writer.open_case(ctx, case_id=_case_of(ctx, incident_id), actor=actor, person=False) as w:
        incident = _resolve(w, incident_id, IncidentStatus.SKIPPED, note)
        if incident.outbox_id is not None:
            row = w.session.get_one(OutboxCall, incident.outbox_id, populate_existing=True)
            outbox.handler(row).skipped(w, row, note, result)
        return _view(incident, w.case.reference or "")
