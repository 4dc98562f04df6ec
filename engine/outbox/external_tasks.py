"""External tasks: service tasks that outside workers fetch by topic, lock, and finish (Camunda's pattern).

A service task the map hands to workers (Camunda 7 ``camunda:type="external"``, a Camunda 8 job type,
a SpiffArena connector) that names no registered adapter operation parks like any service task, and
the projection writes its ``outbox_call`` row of kind ``external_task`` (``engine.outbox.calls.call_kind``),
whose ``operation`` is the topic. Our own worker never leases these rows; integrators' workers do,
through the REST API:

- ``fetch_and_lock`` locks up to ``max_tasks`` due rows of the asked topics for ``lock_duration`` ms.
  Candidates are read with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and each is taken by a conditional
  UPDATE that only succeeds while the row is still due, so two workers never hold one task, on SQLite
  too. A lock that runs out makes the task due again for anyone.
- ``complete``/``bpmn_error``/``report_failure`` go through the case writer (case locked first, then the
  row ``FOR UPDATE``), so they serialise with each other and with a fetch. Completing again with the
  same worker after the task is done changes nothing (idempotent per lock).
- A failure with retries left makes the task due again after ``retry_timeout``; with none left it is an
  incident, which an admin retries (the task is fetchable again) or skips (engine.background.incidents).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from ..casework import history, writer
from ..casework.views import iso
from ..context import Context
from ..errors import Conflict, NotFound
from ..persistence.tables import Case, OutboxCall
from ..types import CallKind, CallStatus, EventKind
from . import calls, servicecalls

POLL_INTERVAL_S = 0.5  # how often a long poll looks again for new tasks
MAX_WAIT_MS = 60_000  # the longest wait a worker may ask for; the server's own limit may be lower


class ExternalTaskNotFound(NotFound):
    pass


@dataclass(frozen=True)
class TopicRequest:
    """One topic a worker fetches: how long it wants the lock, and which variables (None: all)."""

    name: str
    lock_duration_ms: int
    variables: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ExternalTask:
    """A task as workers see it, in Camunda's words (camelCase keys, typed variables)."""

    id: int
    topic_name: str
    worker_id: str | None
    lock_expiration_time: datetime | None
    activity_id: str
    process_definition_key: str
    business_key: str
    retries: int | None
    error_message: str | None
    variables: dict[str, Any]
    custom_headers: dict[str, str]  # Camunda 8's task headers (zeebe:taskHeaders), as its jobs carry them

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "topicName": self.topic_name, "workerId": self.worker_id,
                "lockExpirationTime": iso(self.lock_expiration_time), "activityId": self.activity_id,
                "processDefinitionKey": self.process_definition_key, "businessKey": self.business_key,
                "retries": self.retries, "errorMessage": self.error_message,
                "variables": {name: typed(value) for name, value in self.variables.items()},
                "customHeaders": self.custom_headers}


def typed(value: Any) -> dict[str, Any]:
    """A variable as Camunda's clients read it: ``{"value": ..., "type": ...}``."""
    kinds = ((bool, "Boolean"), (int, "Integer"), (float, "Double"), (str, "String"))
    kind = "Null" if value is None else next((name for t, name in kinds if isinstance(value, t)), "Json")
    return {"value": value, "type": kind}


def _view(row: OutboxCall, case: Case, wanted: tuple[str, ...] | None = None) -> ExternalTask:
    params = row.params or {}
    variables = params if wanted is None else {k: params[k] for k in wanted if k in params}
    return ExternalTask(row.id, row.operation, row.worker_id, row.leased_until, row.bpmn_id, case.process_key,
                        case.reference or "", row.retries, row.last_error, variables,
                        dict(((case.version.service_tasks or {}).get(row.bpmn_id or "") or {}).get("headers") or {}))


def _lock(ctx: Context, worker_id: str, max_tasks: int, topics: dict[str, TopicRequest]) -> list[ExternalTask]:
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        candidates = session.scalars(
            select(OutboxCall.id)
            .where(OutboxCall.kind == CallKind.EXTERNAL_TASK, OutboxCall.operation.in_(topics), calls.is_due(now))
            .order_by(OutboxCall.id).limit(max_tasks).with_for_update(skip_locked=True)).all()
        taken = []
        for call_id in candidates:
            row = session.get_one(OutboxCall, call_id)
            until = now + timedelta(milliseconds=topics[row.operation].lock_duration_ms)
            # Only while still due: a worker that read the same row a moment ago gets nothing.
            won = session.execute(update(OutboxCall).where(OutboxCall.id == call_id, calls.is_due(now))
                                  .values(status=CallStatus.IN_PROGRESS, worker_id=worker_id, leased_until=until,
                                          attempts=OutboxCall.attempts + 1)
                                  .execution_options(synchronize_session=False))
            if won.rowcount == 1:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
                session.refresh(row)
                taken.append(_view(row, session.get_one(Case, row.case_id), topics[row.operation].variables))
        return taken


def fetch_and_lock(ctx: Context, worker_id: str, max_tasks: int, topics: list[TopicRequest],
                   wait_s: float = 0.0) -> list[ExternalTask]:
    """Lock up to ``max_tasks`` due tasks of ``topics`` for ``worker_id``. With ``wait_s`` (long
    polling), wait up to that long (at most ``external_task_max_wait_s``) for a task to become due
    rather than answer with none."""
    wanted = {t.name: t for t in topics}
    deadline = time.monotonic() + min(max(wait_s, 0.0), ctx.settings.external_task_max_wait_s)
    while True:
        taken = _lock(ctx, worker_id, max_tasks, wanted)
        remaining = deadline - time.monotonic()
        if taken or remaining <= 0:
            return taken
        time.sleep(min(POLL_INTERVAL_S, remaining))


def list_external_tasks(ctx: Context, topic: str | None = None) -> list[ExternalTask]:
    """Tasks waiting for workers (due, locked, or stopped by an incident), oldest first."""
    with ctx.db.transaction(readonly=True) as session:
        query = (select(OutboxCall, Case).join(Case, Case.id == OutboxCall.case_id)
                 .where(OutboxCall.kind == CallKind.EXTERNAL_TASK, OutboxCall.status != CallStatus.DONE)
                 .order_by(OutboxCall.id))
        if topic:
            query = query.where(OutboxCall.operation == topic)
        return [_view(row, case) for row, case in session.execute(query)]


def _case_of(ctx: Context, task_id: int) -> int:
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(OutboxCall.case_id).where(OutboxCall.id == task_id,
                                                                  OutboxCall.kind == CallKind.EXTERNAL_TASK))
    if case_id is None:
        raise ExternalTaskNotFound(f"There is no external task {task_id}")
    return case_id


def _held(w: writer.CaseWriter, task_id: int, worker_id: str, *, done_ok: bool = False) -> OutboxCall | None:
    """The task, locked after its case, if ``worker_id`` holds it; None when it is already done by this
    worker and ``done_ok`` (a repeated completion); otherwise Conflict."""
    row = w.session.get_one(OutboxCall, task_id, with_for_update=True, populate_existing=True)
    if done_ok and row.status == CallStatus.DONE and row.worker_id == worker_id:
        return None
    if row.status != CallStatus.IN_PROGRESS or row.worker_id != worker_id:
        raise Conflict(f"External task {task_id} is not locked by worker '{worker_id}'; fetch and lock it first")
    return row


def complete(ctx: Context, task_id: int, worker_id: str, variables: dict[str, Any], actor: str) -> None:
    """The worker did the task: its variables go into the case data and the case moves on."""
    with writer.open_case(ctx, case_id=_case_of(ctx, task_id), actor=actor, person=False) as w:
        row = _held(w, task_id, worker_id, done_ok=True)
        if row is not None:
            servicecalls.finish(w, row, variables)


def bpmn_error(ctx: Context, task_id: int, worker_id: str, code: str, message: str, actor: str) -> bool:
    """The worker says the business failed (BPMN error ``code``): a boundary error event of the task
    takes the case on, or, with none that catches it, an incident. True when caught."""
    with writer.open_case(ctx, case_id=_case_of(ctx, task_id), actor=actor, person=False) as w:
        row = _held(w, task_id, worker_id)
        assert row is not None
        return servicecalls.reject(w, row, code, message or code, RuntimeError(message or code))


def report_failure(ctx: Context, task_id: int, worker_id: str, message: str, retries: int,
                   retry_timeout_ms: int, actor: str) -> None:
    """The worker could not do the task: due again after ``retry_timeout_ms`` while ``retries`` are
    left; an incident when none are."""
    with writer.open_case(ctx, case_id=_case_of(ctx, task_id), actor=actor, person=False) as w:
        row = _held(w, task_id, worker_id)
        assert row is not None
        row.last_error, row.retries, row.leased_until = message, retries, None
        history.add_event(w.session, w.case.id, None, actor, w.now, EventKind.CALL_FAILED,
                          {"operation": row.operation, "reason": message, "retries": retries,
                           "worker": worker_id})
        if retries > 0:
            row.status, row.next_attempt_at = CallStatus.PENDING, w.now + timedelta(milliseconds=retry_timeout_ms)
            return
        row.status, row.finished_at = CallStatus.FAILED, w.now
        calls.raise_incident(w.session, w.case, row, "failed", message, RuntimeError(message), w.now)


def extend_lock(ctx: Context, task_id: int, worker_id: str, new_duration_ms: int) -> None:
    """Hold the task ``new_duration_ms`` from now; only its worker may, and only before the lock ran out."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        row = session.get(OutboxCall, task_id, with_for_update=True)
        if row is None or row.kind != CallKind.EXTERNAL_TASK:
            raise ExternalTaskNotFound(f"There is no external task {task_id}")
        if row.status != CallStatus.IN_PROGRESS or row.worker_id != worker_id or \
                row.leased_until is None or row.leased_until < now:
            raise Conflict(f"External task {task_id} is not locked by worker '{worker_id}' (or the lock ran out)")
        row.leased_until = now + timedelta(milliseconds=new_duration_ms)


class ExternalTaskCalls(servicecalls.ServiceTaskCalls):
    """The outbox handler of external tasks: an admin's retry makes the task fetchable again; a skip
    finishes it as service tasks are finished. Our worker never sends them."""

    def retried(self, w: writer.CaseWriter, row: OutboxCall) -> None:
        row.worker_id, row.retries, row.leased_until, row.finished_at = None, None, None, None


HANDLER = ExternalTaskCalls()
