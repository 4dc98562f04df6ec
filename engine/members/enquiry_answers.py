"""When a member enquiry counts as answered, and telling its councillor: a notification row written
in the same transaction as the step that sent the answer (the projection calls ``after_save`` for
member-enquiry cases only), sent on by the worker through GOV.UK Notify like every other notification
(engine/people/notifications.py ``dispatch``).

An enquiry is answered once Member Services record the response as sent (``response_sent_date`` with
``final_response``, or ``response_text`` when they answered it themselves), even while the
correspondence is still being filed in the EDRMS; or when its case completes.

The message names the case only: the answer, and the resident it may be about, stay behind the
councillors' sign-in rather than in an email.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..people import notifications
from ..persistence.tables import Case, MemberEnquiry, User
from ..types import CaseStatus

PROCESS = "member_enquiry"
AREA_PATH = "/councillor/"


def answer_of(data: dict[str, Any] | None) -> str | None:
    """The answer sent to the councillor, if one was sent."""
    data = data or {}
    if not data.get("response_sent_date"):
        return None
    return str(data.get("final_response") or data.get("response_text") or "") or None


def is_answered(case: Case) -> bool:
    return case.status == CaseStatus.COMPLETED or answer_of(case.data) is not None


def answered_text(reference: str) -> str:
    return (f"Your member enquiry {reference} has been answered. "
            f"Sign in to the councillors' area ({AREA_PATH}) to read the answer.")


def after_save(session: Session, case: Case, now: datetime) -> None:
    """If ``case`` is a councillor's enquiry just answered, tell the councillor (once)."""
    if case.process_key != PROCESS or not is_answered(case):
        return
    link = session.get(MemberEnquiry, case.id)
    if link is None or link.answered_notified_at is not None:
        return
    member = session.get(User, link.councillor_id)
    if member is not None and member.active:
        notifications.notify(session, [member], answered_text(case.reference or ""), now, case)
    link.answered_notified_at = now
