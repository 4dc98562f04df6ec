"""The outbox: service-task calls recorded with the case state and made later by the worker.

Nothing external is called inside a person's transaction. A parked service task becomes an
``outbox_call`` row in the same transaction as the case state. The worker leases due rows with
``SKIP LOCKED``, calls the adapter with an idempotency key derived from (case, task) *outside*
any lock, then finishes the service task in a new transaction. Transient failures retry with
backoff; business rejections become BPMN errors (or incidents when nothing catches them);
exhausted retries become incidents that an admin can retry or skip, with a note.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import casedata, writer
from .context import Context
from .persistence.tables import Case, Event, Incident, OutboxCall, ProcessVersion
from .types import CaseStatus, EventKind

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"


class CallStatus:
    PENDING, IN_PROGRESS, DONE, FAILED = "pending", "in_progress", "done", "failed"


class Policy(Protocol):
    def should_retry(self, error: BaseException, attempt: int) -> bool: ...
    def delay(self, attempt: int) -> float: ...


class Adapters(Protocol):
    """What the engine needs from the adapter registry (adapters/registry.py implements it)."""

    def operations(self) -> set[str]: ...
    def call(self, qualified: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...
    def policy(self, qualified: str) -> Policy: ...


def record_calls(ctx: Context, session: Session, case: Case, version: ProcessVersion, workflow: Any,
                 actor: str) -> None:
    """Called by the projection before the state is saved: one row per newly parked service task."""
    now = ctx.clock.now()
    for call in ctx.runtime.take_pending_calls(workflow):
        operation = call.operation or (version.service_tasks or {}).get(call.bpmn_id, {}).get("operation")
        row = OutboxCall(case_id=case.id, spiff_id=call.spiff_id, bpmn_id=call.bpmn_id,
                         operation=operation or "", params=call.params, result_variable=call.result_variable,
                         idempotency_key=f"{case.reference}:{call.spiff_id}", status=CallStatus.PENDING,
                         next_attempt_at=now, created_at=now)
        session.add(row)
        session.add(Event(case_id=case.id, actor=actor, at=now, kind=EventKind.CALL_QUEUED,
                          detail={"operation": row.operation, "element": call.bpmn_id}))


def _lease(ctx: Context) -> OutboxCall | None:
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        due = or_(
            (OutboxCall.status == CallStatus.PENDING) & (OutboxCall.next_attempt_at <= now),
            (OutboxCall.status == CallStatus.IN_PROGRESS) & (OutboxCall.leased_until < now))  # a worker died
        row = session.scalar(select(OutboxCall).where(due).order_by(OutboxCall.next_attempt_at).limit(1)
                             .with_for_update(skip_locked=True))
        if row is None:
            return None
        # The lease: how long this worker may hold the call before another assumes it died and tries again.
        lease = timedelta(seconds=ctx.settings.outbox_lease_s)
        row.status, row.leased_until, row.attempts = CallStatus.IN_PROGRESS, now + lease, row.attempts + 1
        session.flush()
        session.expunge(row)
        return row


def run_due_calls(ctx: Context, adapters: Adapters, limit: int = 100) -> int:
    """Make up to ``limit`` due calls. Returns how many were attempted."""
    attempted = 0
    while attempted < limit:
        row = _lease(ctx)
        if row is None:
            break
        attempted += 1
        from . import filing  # documents staff attached: filed, with no workflow task waiting
        try:
            params = filing.call_params(ctx, row) if row.document_id is not None else row.params
            result = adapters.call(row.operation, params, row.idempotency_key)
        except Exception as err:  # AdapterError, or anything an adapter let slip
            _failed(ctx, adapters, row, err)
        else:
            _succeeded(ctx, row, result if isinstance(result, dict) else {"result": result})
    return attempted


def _succeeded(ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str = WORKER_ACTOR) -> None:
    from . import filing
    if leased.document_id is not None:
        return filing.filed(ctx, leased, result, actor)
    with writer.open_case(ctx, case_id=leased.case_id, actor=actor, person=False) as w:
        row = w.session.get_one(OutboxCall, leased.id, populate_existing=True)
        row.status, row.result, row.finished_at, row.leased_until = CallStatus.DONE, result, w.now, None
        w.session.add(Event(case_id=w.case.id, actor=actor, at=w.now, kind=EventKind.CALL_SUCCEEDED,
                            detail={"operation": row.operation, "attempts": row.attempts, "result": result}))
        if w.case.status in (CaseStatus.OPEN, CaseStatus.FAILED):
            w.step(lambda workflow: ctx.runtime.finish_call(workflow, row.spiff_id, result, row.result_variable))
        w.save()


def _failed(ctx: Context, adapters: Adapters, leased: OutboxCall, err: Exception) -> None:
    from . import filing
    message = getattr(err, "message", None) or f"{type(err).__name__}: {err}"
    if leased.document_id is not None:
        return filing.failed(ctx, adapters, leased, err, message)
    with writer.open_case(ctx, case_id=leased.case_id, actor=WORKER_ACTOR, person=False) as w:
        row, case, now = w.session.get_one(OutboxCall, leased.id, populate_existing=True), w.case, w.now
        row.last_error, row.leased_until = message, None
        if getattr(err, "business", False):
            code = getattr(err, "code", None) or "rejected"
            caught = ctx.runtime.throw_error(w.workflow(), row.spiff_id, code, message)
            row.status, row.finished_at = CallStatus.DONE if caught else CallStatus.FAILED, now
            w.session.add(Event(case_id=case.id, actor=WORKER_ACTOR, at=now, kind=EventKind.CALL_REJECTED,
                                detail={"operation": row.operation, "code": code, "reason": message,
                                        "caught": caught}))
            if not caught:
                raise_incident(w.session, case, row, "rejected", message, err, now)
            w.save()
            return
        if retry_later(row, adapters.policy(row.operation), err, message, now):
            return
        row.status, row.finished_at = CallStatus.FAILED, now
        raise_incident(w.session, case, row, failure_kind(err), message, err, now)


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
                         status="open", created_at=now))
    session.add(Event(case_id=case.id, actor=WORKER_ACTOR, at=now, kind=EventKind.INCIDENT_RAISED,
                      detail={"operation": row.operation, "reason": message, "kind": kind}))
    logger.warning("incident on case %s: %s", case.reference, message, extra={"case": case.reference})


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
        session.add(Event(case_id=row.case_id, actor="notify", at=now, kind=EventKind.DELIVERY_STATUS,
                          detail={"operation": row.operation, "status": status, **detail}))
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
