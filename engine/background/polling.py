"""Status updates from back-office systems become BPMN messages to the cases they belong to.

Open311 asset systems say when a job changes state; we read the changes since our cursor and
deliver ``asset_request_<status>`` (e.g. ``asset_request_closed``) to the case whose outbox call
created that request. A case not waiting for the message keeps it as refused (nothing is lost).
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..casework.casedata import DataTooLarge
from ..casework.messages import MessageRefused, deliver_message
from ..context import Context
from ..outbox import outbox
from ..persistence.tables import Case, OutboxCall, PollCursor
from ..types import CaseStatus

logger = logging.getLogger(__name__)
FIRST_LOOK_BACK = timedelta(days=1)
POLL_ACTOR = "asset-system"


def message_name(status: str) -> str:
    return "asset_request_" + re.sub(r"[^a-z0-9]+", "_", status.strip().lower()).strip("_")


def _open_requests(ctx: Context, adapter: str) -> dict[str, str]:
    """service_request_id -> case reference, for open cases whose request came from ``adapter``."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(
            select(OutboxCall.result, Case.reference).join(Case, Case.id == OutboxCall.case_id)
            .where(OutboxCall.status == "done", OutboxCall.operation.startswith(f"{adapter}/"),
                   Case.status == CaseStatus.OPEN))
        return {str(result["service_request_id"]): ref for result, ref in rows
                if isinstance(result, dict) and result.get("service_request_id")}


def poll_status_updates(ctx: Context) -> int:
    """Read every polling adapter's changes and deliver them; returns messages delivered."""
    if ctx.adapters is None:
        return 0
    delivered = 0
    for adapter in ctx.adapters.with_method("poll_updates"):
        delivered += _poll(ctx, adapter)
    return delivered


def _poll(ctx: Context, adapter: Any) -> int:
    requests = _open_requests(ctx, adapter.name)
    with ctx.db.transaction() as session:
        cursor = session.get(PollCursor, adapter.name, with_for_update=True)
        since = cursor.since if cursor is not None else ctx.clock.now() - FIRST_LOOK_BACK
    if not requests:
        return 0
    changes = adapter.poll_updates(since, tuple(requests))
    delivered = 0
    for change in changes:
        reference = requests.get(str(change.service_request_id))
        if reference is None:
            continue
        payload = {"service_request_id": change.service_request_id, "status": change.status,
                   "status_notes": change.notes, "updated_datetime": change.updated_datetime.isoformat()}
        try:
            deliver_message(ctx, reference, message_name(change.status), payload, actor=POLL_ACTOR)
            delivered += 1
        except MessageRefused as err:  # stored with the reason by deliver_message
            logger.info("status update for %s kept, not delivered: %s", reference, err.message)
        except DataTooLarge as err:  # a partner's oversized update is skipped, not allowed to block the poll
            logger.warning("status update for %s refused: %s", reference, err.message)
        since = max(since, change.updated_datetime)
    with ctx.db.transaction() as session:
        cursor = session.get(PollCursor, adapter.name, with_for_update=True)
        if cursor is None:
            session.add(PollCursor(adapter=adapter.name, since=since))
        elif since > cursor.since:
            cursor.since = since
    return delivered


def collect_batch_rejections(ctx: Context) -> int:
    """Rows a batch import refused (revenues' rejections files) become incidents with the reason;
    each file is archived once its incidents exist. Returns incidents raised."""
    if ctx.adapters is None:
        return 0
    raised = 0
    for adapter in ctx.adapters.with_method("pending_rejections"):
        for path, rejections in adapter.pending_rejections():
            for rejection in rejections:
                if outbox.record_rejection(ctx, rejection.reference, rejection.reason, rejection.record):
                    raised += 1
                else:
                    logger.warning("rejection for unknown reference %s in %s", rejection.reference, path)
            adapter.archive(path)
    return raised
