"""The handler of service-task calls (``CallKind.SERVICE_TASK``): a parked service task waits for them.

The worker sends the parameters the task evaluated. An answer finishes the task with the result,
through the case writer; a business rejection is thrown as a BPMN error that a boundary event may
catch (or becomes an incident); other failures retry by the adapter's policy, then become an
incident. Skipping the incident finishes the task as if the call had answered, in the same
transaction that marks the incident skipped.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..casework import history, writer
from ..context import Context
from ..persistence.tables import OutboxCall
from ..types import CallStatus, CaseStatus, EventKind
from . import calls
from .calls import Adapters


def finish(w: writer.CaseWriter, row: OutboxCall, result: dict[str, Any]) -> None:
    """The call is done with ``result``: in the history, and the waiting task finished with it."""
    row.status, row.result, row.finished_at, row.leased_until = CallStatus.DONE, result, w.now, None
    history.add_event(w.session, w.case.id, None, w.actor, w.now, EventKind.CALL_SUCCEEDED,
                      {"operation": row.operation, "attempts": row.attempts, "result": result})
    if w.case.status in (CaseStatus.OPEN, CaseStatus.FAILED):
        w.step(lambda workflow: w.ctx.runtime.finish_call(workflow, row.spiff_id, result, row.result_variable))
    w.save()


def reject(w: writer.CaseWriter, row: OutboxCall, code: str, message: str, err: Exception) -> bool:
    """The back office refused: BPMN error ``code`` on the waiting task, caught by a boundary event
    of the task (the case goes on that way) or, uncaught, an incident. True when caught."""
    caught = w.ctx.runtime.throw_error(w.workflow(), row.spiff_id, code, message)
    row.status, row.finished_at, row.leased_until = CallStatus.DONE if caught else CallStatus.FAILED, w.now, None
    history.add_event(w.session, w.case.id, None, w.actor, w.now, EventKind.CALL_REJECTED,
                      {"operation": row.operation, "code": code, "reason": message, "caught": caught})
    if not caught:
        calls.raise_incident(w.session, w.case, row, "rejected", message, err, w.now)
    w.save()
    return caught


class ServiceTaskCalls:
    """Sends what the task asked for; the answer, or an admin's skip, moves the case on."""

    def params(self, ctx: Context, row: OutboxCall) -> dict[str, Any]:
        return row.params

    def succeeded(self, ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str) -> None:
        with writer.open_case(ctx, case_id=leased.case_id, actor=actor, person=False) as w:
            finish(w, w.session.get_one(OutboxCall, leased.id, populate_existing=True), result)

    def failed(self, ctx: Context, adapters: Adapters, leased: OutboxCall, err: Exception, message: str) -> None:
        with writer.open_case(ctx, case_id=leased.case_id, actor=calls.WORKER_ACTOR, person=False) as w:
            row, case, now = w.session.get_one(OutboxCall, leased.id, populate_existing=True), w.case, w.now
            row.last_error, row.leased_until = message, None
            if getattr(err, "business", False):
                reject(w, row, getattr(err, "code", None) or "rejected", message, err)
                return
            if calls.retry_later(row, adapters.policy(row.operation), err, message, now):
                return
            row.status, row.finished_at = CallStatus.FAILED, now
            calls.raise_incident(w.session, case, row, calls.failure_kind(err), message, err, now)

    def retried(self, w: writer.CaseWriter, row: OutboxCall) -> None:
        """Nothing of the case changes: the task still waits, and the call is due again."""

    def skipped(self, w: writer.CaseWriter, row: OutboxCall, note: str, result: dict[str, Any] | None) -> None:
        finish(w, row, result or {"skipped": True, "note": note})

    def document(self, session: Session, row: OutboxCall) -> str | None:
        return None  # no document: the admin sees the operation and its parameters


HANDLER = ServiceTaskCalls()
