"""BPMN messages to a case: a back office saying the job is done, a resident's reply, an SLA
escalation. The case is named by its reference (correlating across cases is our job, not
SpiffWorkflow's); the message goes to the catch event, receive task or boundary event waiting for it.

Every message is stored in ``inbound_message``, delivered or refused, so nothing sent to the
council is ever lost: a refused one is kept with the reason, and the caller is told.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import casedata, registry
from .context import Context
from .errors import CaseNotFound, Conflict, StateUnreadable, UserError
from .persistence.tables import Case, CaseState, Event, InboundMessage, Task
from .projection import Projector
from .runtime import StepFailure
from .types import CaseStatus, EventKind, MessageStatus, TaskStatus
from .views import CaseView


class MessageRefused(Conflict):
    """The case does not exist, is closed, or is not waiting for that message (the message is kept)."""


@dataclass(frozen=True)
class Receipt:
    delivered: bool
    reason: str | None = None


def receive(ctx: Context, session: Session, case: Case | None, reference: str, name: str,
            payload: dict[str, Any] | None, actor: str) -> Receipt:
    """Deliver to a case already locked by the caller (or refuse, with the reason); always stored."""
    now = ctx.clock.now()
    receipt = _deliver(ctx, session, case, reference, name, payload, actor)
    session.add(InboundMessage(case_id=case.id if case else None, reference=reference, name=name, payload=payload,
                               status=MessageStatus.DELIVERED if receipt.delivered else MessageStatus.REFUSED,
                               reason=receipt.reason, actor=actor, received_at=now))
    if case is not None and not receipt.delivered:
        session.add(Event(case_id=case.id, actor=actor, at=now, kind=EventKind.MESSAGE_REFUSED,
                          detail={"message": name, "reason": receipt.reason}))
    return receipt


def _deliver(ctx: Context, session: Session, case: Case | None, reference: str, name: str,
             payload: dict[str, Any] | None, actor: str) -> Receipt:
    if case is None:
        return Receipt(False, f"There is no case {reference}")
    if case.status != CaseStatus.OPEN:
        return Receipt(False, f"Case {reference} is {case.status}, so it cannot take the message '{name}'")
    loaded = registry.loaded_spec(ctx, case.version)
    state = session.get_one(CaseState, case.id)
    try:
        workflow = ctx.runtime.load(loaded, state.state)
    except StateUnreadable as err:
        return Receipt(False, f"Case {reference} cannot take the message '{name}': {err.message}")
    waiting = ctx.runtime.waiting_messages(workflow)
    if name not in waiting:
        expected = f" (it is waiting for: {', '.join(waiting)})" if waiting else ""
        return Receipt(False, f"Case {reference} is not waiting for the message '{name}'{expected}")
    projector = Projector(ctx, session, case, loaded, actor)
    session.add(Event(case_id=case.id, actor=actor, at=projector.now, kind=EventKind.MESSAGE_DELIVERED,
                      detail={"message": name, "payload": payload}))
    failure: StepFailure | None = None
    try:
        ctx.runtime.deliver(workflow, name, payload)
    except StepFailure as err:
        failure = err
    projector.save(workflow, failure, state_row=state)
    return Receipt(True)


def deliver_message(ctx: Context, reference: str, name: str, payload: dict[str, Any] | None = None,
                    actor: str = "system") -> CaseView:
    """Deliver BPMN message ``name`` to case ``reference``; MessageRefused (after storing the
    message) when the case is not waiting for it."""
    if payload is not None and not isinstance(payload, dict):
        raise UserError("Message data must be a JSON object")
    # Refused before it is stored: a payload too deep to load again would poison the case.
    casedata.check_bounds(payload, "message data")
    casedata.refuse_protected(payload, "message data")
    with ctx.db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == reference).with_for_update())
        receipt = receive(ctx, session, case, reference, name, payload, actor)
        if receipt.delivered and case is not None:
            tasks = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)
                                    .order_by(Task.id))
            return CaseView.of(case, list(tasks))
    # Raised after the commit, so the refused message stays stored.
    if case is None:
        raise CaseNotFound(receipt.reason or "")
    raise MessageRefused(receipt.reason or "")
