"""Golden saved states: cases saved by a release, put back into a database as that release left it,
then finished by the current code through the engine's use cases (the replay tests of Temporal,
SpiffWorkflow's serializer migrations).

Each ``<format>/<name>.json`` (the folder is the ``serializer_version`` the release wrote) holds:
``process`` and ``files`` (the BPMN to deploy, paths from the repository root), ``saved_at`` (the
clock when it was saved), ``serializer_version`` and ``state`` (the ``case_state`` row), ``calls``
(outbox calls it had queued), and how to finish it: ``steps`` for our own small maps, or
``model_test`` and ``remaining`` (what was left of a shipped map's model-test path). Made by
``make_golden.py``; never edited by hand.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.bpmn import registry
from engine.casework import cases, writer
from engine.context import Context
from engine.casework.messages import deliver_message
from engine.persistence.tables import Case, OutboxCall
from engine.types import CallStatus, Channel
from engine.background.worker import fire_due_timers
from tests.engine.helpers import complete

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parents[2]
CALL_FIELDS = ("spiff_id", "bpmn_id", "operation", "params", "result_variable")


def goldens(kind: str) -> list[Path]:
    """Every golden file of ``kind`` ("map": our small maps; "library": the shipped maps)."""
    return sorted(p for p in GOLDEN.glob("spiff-*/*.json") if json.loads(p.read_text())["kind"] == kind)


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def saved_at(golden: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(golden["saved_at"])


def deploy(ctx: Context, golden: dict[str, Any]) -> None:
    registry.deploy(ctx, registry.read_paths([ROOT / name for name in golden["files"]]))


def restore(ctx: Context, golden: dict[str, Any]) -> str:
    """Put the golden case back as its release left the database, and return its reference.

    The case row is made by the case writer (its workflow not run), then its ``case_state`` row
    becomes the golden's (state and version) and its queued outbox calls are written back; the
    writer's save then projects tasks, timers and clocks from that state, loading it through the
    migration chain as any later step on the case would."""
    with writer.new_case(ctx, golden["process"], {}, Channel.PHONE, actor=None) as w:
        w.save()
        reference = w.case.reference
    with writer.open_case(ctx, reference=reference, person=False) as w:
        w.state.state, w.state.serializer_version = json.dumps(golden["state"]), golden["serializer_version"]
        for call in golden["calls"]:
            w.session.add(OutboxCall(case_id=w.case.id, **call, idempotency_key=f"{reference}:{call['spiff_id']}",
                                     status=CallStatus.PENDING, next_attempt_at=w.now, created_at=w.now))
        w.save()
    return reference


def queued_calls(ctx: Context, reference: str) -> list[dict[str, Any]]:
    """The case's outbox calls not yet made, as a golden file keeps them."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(select(OutboxCall).join(Case, Case.id == OutboxCall.case_id)
                               .where(Case.reference == reference, OutboxCall.status == CallStatus.PENDING)
                               .order_by(OutboxCall.id))
        return [{name: getattr(row, name) for name in CALL_FIELDS} for row in rows]


def take(ctx: Context, reference: str, step: dict[str, Any]) -> None:
    """One step of a small map's story: a person completes a task, time passes (and the worker fires
    what is due), or a message arrives."""
    if "complete" in step:
        complete(ctx, cases.show_case(ctx, reference).case, step["complete"], step.get("data", {}))
    elif "wait_s" in step:
        ctx.clock.advance(seconds=step["wait_s"])  # type: ignore[attr-defined]  # a FixedClock
        fire_due_timers(ctx)
    elif "message" in step:
        deliver_message(ctx, reference, step["message"], step.get("payload"))
    else:
        raise ValueError(f"not a step: {step}")
