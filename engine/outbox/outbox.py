"""The outbox: calls recorded with what asked for them and made later by the worker, by kind.

Nothing external is called inside a person's transaction. A parked service task, or a document
staff attached, becomes an ``outbox_call`` row of its kind in the same transaction (``engine.outbox.calls``).
The worker leases due rows with ``SKIP LOCKED``, calls the adapter with an idempotency key derived
from (case, task) *outside* any lock, then hands the answer or the failure to the kind's handler,
which records it in a new transaction. Transient failures retry with backoff; business rejections
become BPMN errors (or incidents when nothing catches them); exhausted retries become incidents that
an admin can retry or skip, with a note (``engine.background.incidents``, through the same handlers).

Each kind's business is in its handler alone (``HANDLERS``); this module and the incidents only
dispatch, so none of them asks which kind a call is.
"""
from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..appointments import appointment_reminders
from ..casework import casedata, history
from ..casework.writer import CaseWriter
from ..context import Context
from ..persistence.tables import Case, OutboxCall
from ..types import CallKind, EventKind
from . import external_tasks, filing, servicecalls, update_calls
from .calls import WORKER_ACTOR, Adapters, error_message, lease, raise_incident


class CallHandler(Protocol):
    """What one kind of call sends, and what its outcomes do. The worker's outcomes (``succeeded``,
    ``failed``) open their own transaction; an admin's (``retried``, ``skipped``) run inside the
    incident's, with its case locked, so the incident and the call change together or not at all."""

    def params(self, ctx: Context, row: OutboxCall) -> dict[str, Any]: ...
    def succeeded(self, ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str) -> None: ...
    def failed(self, ctx: Context, adapters: Adapters, leased: OutboxCall, err: Exception, message: str) -> None: ...
    def retried(self, w: CaseWriter, row: OutboxCall) -> None: ...
    def skipped(self, w: CaseWriter, row: OutboxCall, note: str, result: dict[str, Any] | None) -> None: ...
    def document(self, session: Session, row: OutboxCall) -> str | None: ...


HANDLERS: dict[CallKind, CallHandler] = {
    CallKind.SERVICE_TASK: servicecalls.HANDLER,
    CallKind.DOCUMENT_FILING: filing.HANDLER,
    CallKind.RESIDENT_UPDATE: update_calls.HANDLER,
    CallKind.EXTERNAL_TASK: external_tasks.HANDLER,
    CallKind.APPOINTMENT_REMINDER: appointment_reminders.HANDLER,
}


def handler(row: OutboxCall) -> CallHandler:
    return HANDLERS[CallKind(row.kind)]


def run_due_calls(ctx: Context, adapters: Adapters, limit: int = 100) -> int:
    """Make up to ``limit`` due calls. Returns how many were attempted."""
    attempted = 0
    while attempted < limit:
        row = lease(ctx)
        if row is None:
            break
        attempted += 1
        kind = handler(row)
        try:
            result = adapters.call(row.operation, kind.params(ctx, row), row.idempotency_key)
        except Exception as err:  # AdapterError, or anything an adapter let slip
            kind.failed(ctx, adapters, row, err, error_message(err))
        else:
            kind.succeeded(ctx, row, result if isinstance(result, dict) else {"result": result}, WORKER_ACTOR)
    return attempted


def record_delivery_receipt(ctx: Context, key: str, status: str, failed: bool, detail: dict[str, Any]) -> bool:
    """A message system (GOV.UK Notify) says what became of a message we sent with ``key``. The
    status goes into the case history; a failed delivery becomes an incident so that someone
    contacts the resident another way. False if no call of ours has that key."""
    casedata.check_bounds(detail, "delivery receipt")
    with ctx.db.transaction() as session:
        row = session.scalar(select(OutboxCall).where(OutboxCall.idempotency_key == key))
        if row is None:
            return False
        now = ctx.clock.now()
        history.add_event(session, row.case_id, None, "notify", now, EventKind.DELIVERY_STATUS,
                          {"operation": row.operation, "status": status, **detail})
        if failed:
            case = session.get_one(Case, row.case_id)
            raise_incident(session, case, row, "delivery_failed", f"The message could not be delivered ({status})",
                           RuntimeError(status), now)
        return True


def record_rejection(ctx: Context, key: str, reason: str, record: dict[str, Any]) -> bool:
    """A batch import (e.g. revenues) refused the row we sent with ``key``: an incident with the
    system's reason. False if no call of ours has that key."""
    with ctx.db.transaction() as session:
        row = session.scalar(select(OutboxCall).where(OutboxCall.idempotency_key == key))
        if row is None:
            return False
        case = session.get_one(Case, row.case_id)
        raise_incident(session, case, row, "rejected", reason, RuntimeError(reason), ctx.clock.now())
        return True
