"""Erasure on request: a customer's personal data removed from their record and from every one of
their cases (engine/governance/personal_data.py), the cases themselves kept for the council's figures. The reason
is recorded in the audit trail, which names the customer by id only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..casework import writer
from ..casework.customers import CustomerNotFound
from ..errors import UserError
from ..persistence.tables import Case, Customer
from ..types import AuditKind
from . import audit, personal_data

if TYPE_CHECKING:
    from ..context import Context


@dataclass(frozen=True)
class Erased:
    customer_id: int
    cases: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"customer": self.customer_id, "cases": self.cases}


def _needles(ctx: "Context", customer_id: int) -> tuple[set[str], list[int]]:
    """Everything that names the person: their record, and the personal fields of each of their cases."""
    with ctx.db.transaction(readonly=True) as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise CustomerNotFound(f"There is no customer {customer_id}")
        needles = personal_data.customer_needles(customer)
        cases = list(session.execute(select(Case.id, Case.data).where(Case.customer_id == customer_id)))
    for _, data in cases:
        needles |= set(personal_data.personal_values(data))
    return needles, [case_id for case_id, _ in cases]


def erase_customer(ctx: "Context", customer_id: int, reason: str, actor: str) -> Erased:
    """Anonymise the customer everywhere. Each case is its own unit of work through the case writer;
    the customer's own record goes last, so a run that stopped half way is finished by running it again."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("Enter the reason for the erasure (for example, the request's reference)")
    needles, case_ids = _needles(ctx, customer_id)
    scrub = personal_data.Scrubber(needles)
    references = []
    for case_id in case_ids:
        with writer.open_case(ctx, case_id=case_id, actor=actor, person=False) as w:
            personal_data.anonymise_case(w.session, w.case, w.state, scrub, free_text=False)
            references.append(w.case.reference or "")
    with ctx.db.transaction() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise CustomerNotFound(f"There is no customer {customer_id}")
        personal_data.anonymise_customer(session, customer, scrub)
        audit.record(session, AuditKind.CUSTOMER_ERASED, actor, ctx.clock.now(), f"customer {customer_id}",
                     reason=scrub.text(reason), cases=references)
    return Erased(customer_id, references)
