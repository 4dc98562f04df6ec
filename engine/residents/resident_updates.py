"""Updates to residents at their case's public milestones, for services published with ``updates``.

When a save opens a task whose public status (``publicStatus``, ``engine.residents.public_maps``) differs from
those of the tasks open before it, the resident is sent that status, in the language they reported in,
through Notify: an outbox call (``CallKind.RESIDENT_UPDATE``) written in the same transaction as the
task, so each milestone is sent exactly once in effect, or becomes an incident. The case's start is
not a milestone (the map acknowledges a report itself), nor is a closure (the maps send their own
closing message). Email when the case has the customer's email address, else a text message; neither
when it has none. Templates ``resident_update`` and ``resident_update_sms`` (and ``_cy`` twins), with
``name``, ``case_reference``, ``service`` and ``status`` to fill them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from ..outbox import calls
from ..outbox.servicetasks import LANGUAGE
from ..persistence.tables import Case, PublishedService, Task
from ..types import CallKind
from .public_maps import public_map

SENDS = {"email": ("notify/send_email", "resident_update", "email_address", "customer_email"),
         "sms": ("notify/send_sms", "resident_update_sms", "phone_number", "customer_phone")}


def after_save(session: Session, case: Case, created: list[Task], before: Iterable[str], new: bool,
               now: datetime) -> None:
    """Queue the resident's update for each task ``created`` now that begins a new public status
    (``before``: the BPMN ids of the tasks open before the save; ``new``: the case's first save)."""
    if new or not created:
        return
    face = public_map(case.version)
    starting = [t for t in created if t.bpmn_id in face.statuses]
    if not starting:
        return
    published = session.get(PublishedService, case.process_key)
    data = case.data or {}
    how = "email" if data.get("customer_email") else "sms" if data.get("customer_phone") else None
    if published is None or not published.updates or how is None:
        return
    language = str(data.get(LANGUAGE) or "en")
    words, title = face.in_language(language).statuses, (published.translations or {}).get(language, {}).get("title")
    operation, template, address_param, address_field = SENDS[how]
    told = {face.statuses.get(bpmn_id) for bpmn_id in before}
    for task in starting:
        if face.statuses[task.bpmn_id] in told:
            continue  # the same public status as before: nothing new to tell
        told.add(face.statuses[task.bpmn_id])
        params = {"template": template, address_param: data[address_field], "name": data.get("customer_name") or "",
                  "case_reference": case.reference, "service": title or published.title,
                  "status": words[task.bpmn_id], LANGUAGE: language}
        session.add(calls.new_call(case, CallKind.RESIDENT_UPDATE, operation, params,
                                   f"{case.reference}:update:{task.id}", now, spiff_id="", bpmn_id=task.bpmn_id))
