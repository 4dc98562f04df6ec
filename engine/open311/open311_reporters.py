"""The customer a partner's reporter is. A reporter who gives a name and an email or phone number is
recorded as a customer the first time this partner sends them (``engine.residents.intake``, as a resident's web
form is: customers recorded otherwise who may be them are flagged, never merged); their later reports
through the same partner, known by the same email (else phone, compared as customer search compares
them), are given that customer again instead of a second one. A partner vouches only for its own
reporters, so the link is kept per partner (``open311_reporter``, unique: two first reports at the same
moment make one customer, the second one's transaction failing and trying again).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..casework import customers
from ..casework.writer import CaseWriter
from ..context import Context
from ..persistence.tables import Open311Reporter
from ..residents import intake


def reporter_key(details: dict[str, Any]) -> str | None:
    """How this partner's reporter is known again (None: not enough to make a customer of them)."""
    if not details.get("name") or not (details.get("email") or details.get("phone")):
        return None
    keys = customers.search_keys(details.get("phone"), None, details.get("email"))
    return f"email:{keys['email_key']}" if keys.get("email_key") else f"phone:{keys['phone_key']}"


def submission(ctx: Context, partner_id: int, details: dict[str, Any], answers: dict[str, Any],
               report: dict[str, Any]) -> intake.Submission:
    """What the case starts from: the reporter as the customer they already are, as a new customer,
    or (too little to make one) their details in the case's data only."""
    key = reporter_key(details)
    if key is None:
        given = {"customer_name": details.get("name"), "customer_email": details.get("email"),
                 "customer_phone": details.get("phone")}
        return intake.Submission(answers, data={**{k: v for k, v in given.items() if v}, **report})
    with ctx.db.transaction(readonly=True) as session:
        known = session.scalar(select(Open311Reporter.customer_id)
                               .where(Open311Reporter.partner_id == partner_id, Open311Reporter.reporter_key == key))
    return intake.Submission(answers, {k: v for k, v in details.items() if v}, known, report)


def remember(w: CaseWriter, partner_id: int, details: dict[str, Any]) -> None:
    """Keep which customer the new case's reporter is, in its transaction (once per reporter)."""
    key = reporter_key(details)
    if key is None or w.case.customer_id is None:
        return
    known = w.session.scalar(select(Open311Reporter.id).where(Open311Reporter.partner_id == partner_id,
                                                              Open311Reporter.reporter_key == key))
    if known is None:
        w.session.add(Open311Reporter(partner_id=partner_id, reporter_key=key, customer_id=w.case.customer_id,
                                      created_at=w.now))
        w.session.flush()  # a reporter recorded a moment ago by another report fails here (IntegrityError)
