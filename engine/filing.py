"""Filing case documents into the EDRMS: the outbox calls that carry a ``document_id``.

No workflow task waits on them. The worker leases them like any call (``engine.outbox``); the
document's bytes are read at call time rather than copied into the call's parameters. Success
marks the document filed with the EDRMS's reference; failures follow the adapter's retry policy,
and a refusal or exhausted retries become an incident (retry re-queues the filing, skip leaves the
document kept but not filed).
"""
from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from . import outbox
from .context import Context
from .documents import DocumentStatus
from .persistence.tables import Case, Document, Event, OutboxCall
from .types import EventKind

_REFERENCE_KEYS = ("object_id", "reference", "id", "record_id")


def call_params(ctx: Context, row: OutboxCall) -> dict[str, Any]:
    """The call's parameters with the document's content (base64), as EDRMS adapters take it."""
    with ctx.db.transaction(readonly=True) as session:
        content = session.get_one(Document, row.document_id).content
    return {**row.params, "content_base64": base64.b64encode(content).decode("ascii")}


def _reference(result: dict[str, Any]) -> str | None:
    found = next((result[k] for k in _REFERENCE_KEYS if result.get(k) not in (None, "")), None)
    return str(found)[:300] if found is not None else None


def filed(ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str) -> None:
    with ctx.db.transaction() as session:
        row = session.get_one(OutboxCall, leased.id, with_for_update=True)
        document = session.get_one(Document, row.document_id)
        now = ctx.clock.now()
        row.status, row.result, row.finished_at, row.leased_until = outbox.CallStatus.DONE, result, now, None
        document.filing_status, document.filed_reference = DocumentStatus.FILED, _reference(result)
        session.add(Event(case_id=row.case_id, actor=actor, at=now, kind=EventKind.DOCUMENT_FILED,
                          detail={"document": document.id, "filename": document.filename,
                                  "operation": row.operation, "filed_reference": document.filed_reference,
                                  "attempts": row.attempts}))


def failed(ctx: Context, adapters: outbox.Adapters, leased: OutboxCall, err: Exception, message: str) -> None:
    with ctx.db.transaction() as session:
        row = session.get_one(OutboxCall, leased.id, with_for_update=True)
        now = ctx.clock.now()
        row.last_error, row.leased_until = message, None
        if not getattr(err, "business", False) and outbox.retry_later(row, adapters.policy(row.operation), err,
                                                                      message, now):
            return
        row.status, row.finished_at = outbox.CallStatus.FAILED, now
        session.get_one(Document, row.document_id).filing_status = DocumentStatus.FAILED
        kind = outbox.failure_kind(err)
        outbox.raise_incident(session, session.get_one(Case, row.case_id), row, kind, message, err, now)


def requeued(session: Session, row: OutboxCall) -> None:
    """An admin retries the filing from its incident."""
    session.get_one(Document, row.document_id).filing_status = DocumentStatus.PENDING


def skipped(session: Session, row: OutboxCall, note: str, now: Any) -> None:
    """An admin gives up on filing: the document stays with the case, marked not filed."""
    row.status, row.finished_at, row.result = outbox.CallStatus.DONE, now, {"skipped": True, "note": note}
    session.get_one(Document, row.document_id).filing_status = DocumentStatus.NOT_FILED
