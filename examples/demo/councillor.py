"""The demo's councillor: Cllr Jo Jones of Riverside ward (sign in as ``cllr.jones@example.gov.uk`` and
open /councillor/ on a phone), with one enquiry they raised and one Member Services raised for them
after a phone call. docs/councillors.md walks through it."""
from __future__ import annotations

from engine.members import councillors, member_enquiries
from engine.context import Context

from .staff import COUNCILLOR, MEMBER_SERVICES

WARD = "Riverside"
ENQUIRIES = [
    (COUNCILLOR, None, {"ward": WARD, "enquiry_type": "on_behalf_of_resident", "resident_name": "Mrs A Smith",
                        "resident_address": "4 Canal Row, Anytown AT4 5EF", "resident_consent": "yes",
                        "enquiry_summary": "Mrs Smith's recycling has been missed three weeks running.",
                        "priority": "standard"}),
    (MEMBER_SERVICES, "phone", {"ward": WARD, "enquiry_type": "ward_issue", "priority": "urgent",
                                "enquiry_summary": "Broken paving slabs outside Riverside School: a trip hazard."}),
]


def prepare(ctx: Context, fresh: bool) -> list[str]:
    """Give the councillor their ward (every time: idempotent) and, on a fresh demo, their enquiries."""
    councillors.set_ward(ctx, COUNCILLOR, WARD, ward_visible=False)
    if not fresh:
        return []
    return [member_enquiries.raise_enquiry(ctx, COUNCILLOR, answers, actor, received_by)
            for actor, received_by, answers in ENQUIRIES]
