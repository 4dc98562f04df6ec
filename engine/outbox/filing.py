"""The handler of document filings (``CallKind.DOCUMENT_FILING``): documents staff attached, filed
into the EDRMS.

No workflow task waits on them. The worker leases them like any call (``engine.outbox.outbox``); the
document's bytes are read at call time rather than copied into the call's parameters. Success
marks the document filed with the EDRMS's reference; failures follow the adapter's retry policy,
and a refusal or exhausted retries become an incident (retry re-queues the filing, skip leaves the
document kept but not filed).
"""
from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from ..casework import history
from ..casework.writer import CaseWriter
from ..context import Context
from ..persistence.tables import Document, OutboxCall
from ..types import CallStatus, DocumentStatus, EventKind
from . import calls
from .calls import Adapters

_REFERENCE_KEYS = ("object_id", "reference", "id", "record_id")


def _reference(result: dict[str, Any]) -> str | None:
    found = next((result[k] for k in _REFERENCE_KEYS if result.get(k) not in (None, "")), None)
    return str(found)[:300] if found is not None else None


class DocumentFilings:
    """Files the document; the outcome is the document's filing status, and the case history."""

    def params(self, ctx: Context, row: OutboxCall) -> dict[str, Any]:
        """The call's parameters with the document's content (base64), as EDRMS adapters take it."""
        with ctx.db.transaction(readonly=True) as session:
            content = session.get_one(Document, row.document_id).content
        return {**row.params, "content_base64": base64.b64encode(content).decode("ascii")}

    def succeeded(self, ctx: Context, leased: OutboxCall, result: dict[str, Any], actor: str) -> None:
        with ctx.db.transaction() as session:
            row = session.get_one(OutboxCall, leased.id, with_for_update=True)
            document = session.get_one(Document, row.document_id)
            now = ctx.clock.now()
            row.status, row.result, row.finished_at, row.leased_until = CallStatus.DONE, result, now, None
            document.filing_status, document.filed_reference = DocumentStatus.FILED, _reference(result)
            history.add_event(session, row.case_id, None, actor, now, EventKind.DOCUMENT_FILED,
                              {"document": document.id, "filename": document.filename,
                               "operation": row.operation, "filed_reference": document.filed_reference,
                               "attempts": row.attempts})

    def failed(self, ctx: Context, adapters: Adapters, leased: OutboxCall, err: Exception, message: str) -> None:
        with ctx.db.transaction() as session:
            row = session.get_one(OutboxCall, leased.id, with_for_update=True)
            if calls.settle_failure(session, adapters, row, err, message, ctx.clock.now()):
                session.get_one(Document, row.document_id).filing_status = DocumentStatus.FAILED

    def retried(self, w: CaseWriter, row: OutboxCall) -> None:
        """An admin retries the filing from its incident: the document waits to be filed again."""
        w.session.get_one(Document, row.document_id).filing_status = DocumentStatus.PENDING

    def skipped(self, w: CaseWriter, row: OutboxCall, note: str, result: dict[str, Any] | None) -> None:
        """An admin gives up on filing: the document stays with the case, marked not filed."""
        row.status, row.finished_at, row.result = CallStatus.DONE, w.now, {"skipped": True, "note": note}
        w.session.get_one(Document, row.document_id).filing_status = DocumentStatus.NOT_FILED

    def document(self, session: Session, row: OutboxCall) -> str | None:
        """The file name, for the admin deciding what to do with the incident."""
        document = session.get(Document, row.document_id) if row.document_id is not None else None
        return document.filename if document is not None else None


HANDLER = DocumentFilings()
