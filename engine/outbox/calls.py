"""Outbox calls: the rows every kind shares, below the kinds' handlers.

Rows are written in the same transaction as what asks for them (a service task's case state, a
document staff attached), each with its ``kind``. The worker leases due rows with ``SKIP LOCKED``;
a failed attempt is tried again while the adapter's policy allows it, and otherwise becomes an
incident. What each kind sends and does with the answer lives in its handler (``engine.outbox.servicecalls``,
``engine.outbox.filing``), and ``engine.outbox.outbox`` dispatches to them; this module knows no kind's business,
so the projection and the documents can queue calls without importing the worker's side.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ..casework import history
from ..context import Context
from ..persistence.tables import Case, Incident, OutboxCall, ProcessVersion
from ..types import CallKind, CallStatus, EventKind, IncidentStatus

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"


class Policy(Protocol):
    def should_retry(self, error: BaseException, attempt: int) -> bool: ...
    def delay(self, attempt: int) -> float: ...


class Adapters(Protocol):
    """What the engine needs from the adapter registry (adapters/registry.py implements it)."""

    def operations(self) -> set[str]: ...
    def call(self, qualified: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...
    def policy(self, qualified: str) -> Policy: ...


def new_call(case: Case, kind: CallKind, operation: str, params: dict[str, Any], key: str, now: datetime,
             **fields: Any) -> OutboxCall:
    """A call due now, to be added in the transaction that asks for it (``fields``: the kind's own columns)."""
    return OutboxCall(case_id=case.id, kind=kind, operation=operation, params=params, idempotency_key=key,
                      status=CallStatus.PENDING, next_attempt_at=now, created_at=now, **fields)


def record_calls(ctx: Context, session: Session, case: Case, version: ProcessVersion, workflow: Any,
                 actor: str) -> None:
    """Called by the projection before the state is saved: one row per newly parked service task."""
    now = ctx.clock.now()
    for call in ctx.runtime.take_pending_calls(workflow):
        meta = (version.service_tasks or {}).get(call.bpmn_id, {})
        operation = call.operation or meta.get("operation") or ""
        kind = call_kind(meta, operation, ctx.operations)
        # Camunda 8 task headers: an external task's customHeaders; an adapter's parameters, as the map fixes them
        params = {**call.params, **meta["headers"]} if meta.get("headers") and kind == CallKind.SERVICE_TASK \
            else call.params
        row = new_call(case, kind, operation, params, f"{case.reference}:{call.spiff_id}",
                       now, spiff_id=call.spiff_id, bpmn_id=call.bpmn_id, result_variable=call.result_variable)
        session.add(row)
        history.add_event(session, case.id, None, actor, now, EventKind.CALL_QUEUED,
                          {"operation": row.operation, "element": call.bpmn_id, "kind": kind.value})


def call_kind(meta: dict[str, Any], operation: str, operations: set[str] | None) -> CallKind:
    """An adapter call, or an external task: a task the map hands to workers (Camunda's external topic,
    a Camunda 8 job type, a SpiffArena connector we lack) that names no registered adapter operation."""
    if meta.get("external") and operation not in (operations or set()):
        return CallKind.EXTERNAL_TASK
    return CallKind.SERVICE_TASK


def is_due(now: datetime) -> ColumnElement[bool]:
    """A call that may be taken now: pending and due, or held by a lease that ran out (its holder died)."""
    return or_((OutboxCall.status == CallStatus.PENDING) & (OutboxCall.next_attempt_at <= now),
               (OutboxCall.status == CallStatus.IN_PROGRESS) & (OutboxCall.leased_until < now))


def settle_failure(session: Session, adapters: Adapters, row: OutboxCall, err: Exception, message: str,
                   now: datetime) -> bool:
    """A failed attempt of a call no workflow task waits on: due again while the adapter's policy allows
    (False), else failed with an incident for an admin (True)."""
    row.last_error, row.leased_until = message, None
    if not getattr(err, "business", False) and retry_later(row, adapters.policy(row.operation), err, message, now):
        return False
    row.status, row.finished_at = CallStatus.FAILED, now
    raise_incident(session, session.get_one(Case, row.case_id), row, failure_kind(err), message, err, now)
    return True


def lease(ctx: Context) -> OutboxCall | None:
    """The next due call, leased to this worker (detached from its finished transaction), or None."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        # External tasks wait for outside workers (engine.outbox.external_tasks), never for ours.
        row = session.scalar(select(OutboxCall).where(is_due(now), OutboxCall.kind != CallKind.EXTERNAL_TASK)
                             .order_by(OutboxCall.next_attempt_at).limit(1).with_for_update(skip_locked=True))
        if row is None:
            return None
        # The lease: how long this worker may hold the call before another assumes it died and tries again.
        lease_for = timedelta(seconds=ctx.settings.outbox_lease_s)
        row.status, row.leased_until, row.attempts = CallStatus.IN_PROGRESS, now + lease_for, row.attempts + 1
        session.flush()
        session.expunge(row)
        return row


def error_message(err: Exception) -> str:
    return getattr(err, "message", None) or f"{type(err).__name__}: {err}"


def retry_later(row: OutboxCall, policy: Policy, err: Exception, message: str, now: Any) -> bool:
    """Schedule another attempt if the policy allows one; False when retries are over."""
    if not policy.should_retry(err, row.attempts):
        return False
    row.status = CallStatus.PENDING
    row.next_attempt_at = now + timedelta(seconds=policy.delay(row.attempts))
    logger.info("call %s will be retried: %s", row.idempotency_key, message, extra={"attempt": row.attempts})
    return True


def failure_kind(err: Exception) -> str:
    if getattr(err, "business", False):
        return "rejected"
    return "retries_exhausted" if getattr(err, "retryable", False) else "failed"


def raise_incident(session: Session, case: Case, row: OutboxCall, kind: str, message: str, err: Exception,
                   now: Any) -> None:
    details = err.to_dict() if hasattr(err, "to_dict") else {"type": type(err).__name__}
    session.add(Incident(case_id=case.id, outbox_id=row.id, kind=kind, message=message,
                         details={**details, "operation": row.operation, "attempts": row.attempts},
                         status=IncidentStatus.OPEN, created_at=now))
    history.add_event(session, case.id, None, WORKER_ACTOR, now, EventKind.INCIDENT_RAISED,
                      {"operation": row.operation, "reason": message, "kind": kind})
    logger.warning("incident on case %s: %s", case.reference, message, extra={"case": case.reference})
