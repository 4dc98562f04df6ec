"""The handler of residents' updates (``CallKind.RESIDENT_UPDATE``, queued by ``engine.residents.resident_updates``),
and the base of other messages nothing waits on (``engine.appointments.appointment_reminders``).

Nothing waits on them. Success is recorded in the case's history; failures follow the adapter's
retry policy, and a refusal or exhausted retries become an incident (retry sends it again, skip gives
up on that update).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..casework import history
from ..casework.writer import CaseWriter
from ..context import Context
from ..persistence.tables import OutboxCall
from ..types import CallStatus, EventKind
from . import calls
from .calls import Adapters


class MessageCalls:
    """A message nothing waits on (a resident's update, an appointment reminder): success is an event
    on the case's timeline (``event``), failure retried by the adapter's policy then an incident, an
    admin's retry sends it again and a skip gives it up."""

    def params(self, ctx: Context, row: OutboxCall) -> dict[str, Any]:
        return dict(row.params)

    def event(self, row: OutboxCall, result: dict[str, Any]) -> tuple[EventKind, dict[str, Any]]:
        return EventKind.CALL_SUCCEEDED, {"operation": row.operation, "update": row.params.get("status"),
                                          "attempts": row.attempts}

    def succeeded(self, ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str) -> None:
        with ctx.db.transaction() as session:
            row = session.get_one(OutboxCall, leased.id, with_for_update=True)
            now = ctx.clock.now()
            row.status, row.result, row.finished_at, row.leased_until = CallStatus.DONE, result, now, None
            kind, detail = self.event(row, result)
            history.add_event(session, row.case_id, None, actor, now, kind, detail)

    def failed(self, ctx: Context, adapters: Adapters, leased: OutboxCall, err: Exception, message: str) -> None:
        with ctx.db.transaction() as session:
            calls.settle_failure(session, adapters, session.get_one(OutboxCall, leased.id, with_for_update=True), err,
                                 message, ctx.clock.now())

    def retried(self, w: CaseWriter, row: OutboxCall) -> None:
        """Nothing of the case changes: the message is due again."""

    def skipped(self, w: CaseWriter, row: OutboxCall, note: str, result: dict[str, Any] | None) -> None:
        row.status, row.finished_at, row.result = CallStatus.DONE, w.now, {"skipped": True, "note": note}

    def document(self, session: Session, row: OutboxCall) -> str | None:
        return None


HANDLER = MessageCalls()
