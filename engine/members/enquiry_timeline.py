"""A member enquiry's history as its councillor reads it: plain lines from the case's events, without
what is internal to the council.

Shown: when it was raised (and whether Member Services raised it for them), each step it reached and
the team working it ("Highways: Prepare draft response"), information the member added, when it was
answered, and when it was closed. Left out: officers' names and assignments, staff notes, form data and drafts,
SLA warnings and escalations, back-office calls, documents and filing, failures and retries, and the
reason a case was cancelled (it may quote internal notes). docs/councillors.md says the same.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..casework.views import iso
from ..persistence.tables import Event
from ..types import Channel, ContactKind, EventKind
from .enquiry_answers import answer_of


@dataclass(frozen=True)
class TimelineEntry:
    at: str | None
    text: str
    quote: str | None = None  # words the member wrote, shown as they wrote them

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _line(event: Event, councillor_email: str) -> TimelineEntry | None:
    detail, at = event.detail or {}, iso(event.at)
    if event.kind == EventKind.CASE_STARTED:
        by_member = event.actor == councillor_email
        return TimelineEntry(at, "Enquiry raised" if by_member else "Enquiry raised for you by Member Services")
    if event.kind == EventKind.TASK_CREATED:
        return TimelineEntry(at, f"{detail.get('team') or 'Member Services'}: {detail.get('task_name') or 'in progress'}")
    if (event.kind == EventKind.CONTACT_LOGGED and detail.get("channel") == Channel.COUNCILLOR.value
            and detail.get("contact_kind") == ContactKind.ADDING_INFORMATION.value):
        who = "You added information" if event.actor == councillor_email else "Information added"
        return TimelineEntry(at, who, str(detail.get("text") or ""))
    if event.kind == EventKind.TASK_COMPLETED and answer_of(detail.get("data")) is not None:
        return TimelineEntry(at, "Answered")
    if event.kind == EventKind.CASE_COMPLETED:
        return TimelineEntry(at, "Enquiry closed")
    if event.kind == EventKind.CASE_CANCELLED:
        return TimelineEntry(at, "Closed without an answer: contact Member Services to ask why")
    return None


def timeline(events: Iterable[Event], councillor_email: str) -> list[TimelineEntry]:
    """The member-safe lines of ``events`` (oldest first), one per event that has one."""
    return [line for line in (_line(e, councillor_email) for e in events) if line is not None]
