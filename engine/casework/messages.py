"""BPMN messages to a case: a back office saying the job is done, a resident's reply, an SLA
escalation. The case is named by its reference (correlating across cases is our job, not
SpiffWorkflow's); the message goes to the catch event, receive task or boundary event waiting for it.
A Camunda 8 event keyed on a value (``zeebe:subscription correlationKey="=orderId"``) takes only a
message sent with that value as its correlation key.

Every message is stored in ``inbound_message``, delivered or refused, so nothing sent to the
council is ever lost: a refused one is kept with the reason, and the caller is told.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..context import Context
from ..errors import CaseNotFound, Conflict, StateUnreadable, UserError
from ..persistence.tables import Case, InboundMessage
from ..types import CaseStatus, EventKind, MessageStatus
from . import casedata, history, writer
from .views import CaseView
from .writer import CaseWriter


class MessageRefused(Conflict):
    """The case does not exist, is closed, or is not waiting for that message (the message is kept)."""


@dataclass(frozen=True)
class Receipt:
    delivered: bool
    reason: str | None = None


def receive(w: CaseWriter, name: str, payload: dict[str, Any] | None, correlation_key: str | None = None) -> Receipt:
    """Deliver to the case the writer holds (or refuse, with the reason); always stored."""
    case = w.case
    receipt = _deliver(w, name, payload, correlation_key)
    _store(w.session, case, case.reference or "", name, payload, receipt, w.actor, w.now)
    if not receipt.delivered:
        history.add_event(w.session, case.id, None, w.actor, w.now, EventKind.MESSAGE_REFUSED,
                          {"message": name, "reason": receipt.reason})
    return receipt


def _store(session: Session, case: Case | None, reference: str, name: str, payload: dict[str, Any] | None,
           receipt: Receipt, actor: str, now: datetime) -> None:
    session.add(InboundMessage(case_id=case.id if case else None, reference=reference, name=name, payload=payload,
                               status=MessageStatus.DELIVERED if receipt.delivered else MessageStatus.REFUSED,
                               reason=receipt.reason, actor=actor, received_at=now))


def _unmatched(w: CaseWriter, workflow: Any, name: str, correlation_key: str | None) -> str | None:
    """Why a message keyed ``correlation_key`` does not reach the events waiting for it, or None."""
    keys = {element: fact["correlation_key"] for element, fact in w.loaded.zeebe.items() if "correlation_key" in fact}
    values = w.ctx.runtime.correlation_keys(workflow, name, keys) if keys else None
    if values is None:
        return None
    if correlation_key is None:
        return (f"Case {w.case.reference} waits for the message '{name}' with a correlation key: send the message "
                "with its correlation key")
    if any(value is not None and str(value) == correlation_key for value in values):
        return None
    return f"The correlation key '{correlation_key}' does not match the one case {w.case.reference} waits for " \
           f"the message '{name}' with"


def _deliver(w: CaseWriter, name: str, payload: dict[str, Any] | None, correlation_key: str | None) -> Receipt:
    reference, case = w.case.reference, w.case
    if case.status != CaseStatus.OPEN:
        return Receipt(False, f"Case {reference} is {case.status}, so it cannot take the message '{name}'")
    try:
        workflow = w.load()
    except StateUnreadable as err:
        return Receipt(False, f"Case {reference} cannot take the message '{name}': {err.message}")
    waiting = w.ctx.runtime.waiting_messages(workflow)
    if name not in waiting:
        expected = f" (it is waiting for: {', '.join(waiting)})" if waiting else ""
        return Receipt(False, f"Case {reference} is not waiting for the message '{name}'{expected}")
    if (why := _unmatched(w, workflow, name, correlation_key)) is not None:
        return Receipt(False, why)
    history.add_event(w.session, case.id, None, w.actor, w.now, EventKind.MESSAGE_DELIVERED,
                      {"message": name, "payload": payload})
    w.step(lambda workflow: w.ctx.runtime.deliver(workflow, name, payload))
    w.save()
    return Receipt(True)


def deliver_message(ctx: Context, reference: str, name: str, payload: dict[str, Any] | None = None,
                    actor: str = "system", correlation_key: str | None = None) -> CaseView:
    """Deliver BPMN message ``name`` to case ``reference``; MessageRefused (after storing the
    message) when the case is not waiting for it, or waits for it with another correlation key."""
    if payload is not None and not isinstance(payload, dict):
        raise UserError("Message data must be a JSON object")
    # Refused before it is stored: a payload too deep to load again would poison the case.
    casedata.check_bounds(payload, "message data")
    casedata.refuse_protected(payload, "message data")
    try:
        with writer.open_case(ctx, reference=reference, actor=actor, person=False) as w:
            receipt = receive(w, name, payload, correlation_key)
            if receipt.delivered:
                return w.view()
    except CaseNotFound:
        with ctx.db.transaction() as session:  # kept all the same: nothing sent to the council is lost
            refused = Receipt(False, f"There is no case {reference}")
            _store(session, None, reference, name, payload, refused, actor, ctx.clock.now())
        raise CaseNotFound(refused.reason or "") from None
    # Raised after the commit, so the refused message stays stored.
    raise MessageRefused(receipt.reason or "")
