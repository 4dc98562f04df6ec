"""Drives a shipped map's model-test path (processes/test_*.json) through the persistent engine and
the fake back office. Used by the end-to-end tests of the library, and by the golden saved states
(tests/engine/golden/), which stop a path part way, save what is left of it, and resume it later."""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta, timezone
from typing import Any

from sqlalchemy import select

from engine.appointments import appointment_arrivals, appointment_booking, appointment_calendar
from engine.casework import cases, messages
from engine.outbox import outbox
from engine.context import Context
from engine.persistence.tables import Case, OutboxCall, Timer
from engine.types import APPOINTMENT_ATTENDED, APPOINTMENT_CANCELLED, APPOINTMENT_NO_SHOW, CallKind
from engine.casework.views import CaseView
from engine.background.worker import Worker, fire_due_timers
from tests.conftest import FORMS, ROOT
from tests.processes.backoffice import BackOffice

# Values the back office makes (ids, its wording, its clock), so a model test's mocked ones differ.
FROM_THE_BACK_OFFICE = {"acknowledgement", "closure_notification", "asset_request", "asset_update", "cleared_date",
                        "revenues_change", "edrms_record", "asset_request_error", "notification_error",
                        "revenues_post_error", "edrms_error"}
# Which fake refuses a POST, by the adapter the operation belongs to: (fake attribute, path, status).
DEMO_APPOINTMENTS = ROOT / "examples" / "demo_appointments.json"
APPOINTMENT_MESSAGES = (APPOINTMENT_ATTENDED, APPOINTMENT_NO_SHOW, APPOINTMENT_CANCELLED)
REFUSERS = {"assets": ("open311", "/requests.json", 400), "notify": ("notify", "/v2/notifications", 400),
            "revenues": ("revenues", "/changes", 422), "edrms": ("cmis", "/cmis", 400)}


def data_of(ctx: Context, reference: str) -> dict[str, Any]:
    return cases.show_case(ctx, reference).data


def view_of(ctx: Context, reference: str) -> CaseView:
    return cases.show_case(ctx, reference).case


def asset_system_closes(ctx: Context, backoffice: BackOffice, reference: str, notes: str) -> int:
    """The asset system closes the case's job; the worker's status polling tells the case."""
    backoffice.open311.set_status(data_of(ctx, reference)["asset_request"]["service_request_id"], "closed", notes)
    return Worker(ctx).poll()


def load_demo_calendar(ctx: Context) -> None:
    """The demo's appointment types, hubs and desks, which the maps that book appointments need."""
    appointment_calendar.load_calendar(ctx, json.loads(DEMO_APPOINTMENTS.read_text()), "test")


def with_free_slots(ctx: Context, form: str | None, visit: dict[str, Any]) -> dict[str, Any]:
    """A model test's slot (``1@2027-03-09T10:20Z``) is an example: the next free one is booked instead."""
    if not form:
        return visit
    properties = json.loads((FORMS / form).read_text()).get("properties", {})
    return {name: appointment_calendar.availability(ctx, properties[name]["appointment_type"], limit=1)[0].id
            if properties.get(name, {}).get("format") == "appointment" else value for name, value in visit.items()}


class PathRun:
    """Drives one model-test path through the engine and the fakes: user tasks get the path's data,
    service tasks are really called (a mocked ``bpmn_error`` becomes the fake refusing the call),
    messages come from the asset system through status polling, timers fire on the test clock."""

    def __init__(self, ctx: Context, backoffice: BackOffice, path: dict[str, Any]) -> None:
        self.ctx, self.backoffice, self.path = ctx, backoffice, path
        self.visits = {k.split(":", 1)[1]: list(v["data"]) for k, v in path["tasks"].items()}
        self.messages = {name: list(payloads) for name, payloads in path.get("messages", {}).items()}
        self.timers = list(path.get("timers", []))
        self.answered: set[int] = set()
        self.succeeded: Counter[str] = Counter()  # operation -> calls the path expects to succeed
        self.templates: Counter[str] = Counter()

    @classmethod
    def resuming(cls, ctx: Context, backoffice: BackOffice, remaining: dict[str, Any]) -> PathRun:
        """The rest of a path that ``remaining()`` saved."""
        return cls(ctx, backoffice, {"tasks": {f"resumed:{k}": {"data": v} for k, v in remaining["visits"].items()},
                                     "messages": remaining["messages"], "timers": remaining["timers"]})

    def remaining(self) -> dict[str, Any]:
        """What is left of the path: the visits, messages and timers not used yet."""
        return {"visits": self.visits, "messages": self.messages, "timers": self.timers}

    def run(self, key: str, stop_after: int | None = None) -> CaseView:
        """Start a case and drive it to its end, or (``stop_after``) until that many tasks have been
        completed, stopping straight after the last completion, before the worker's calls."""
        view = cases.start_case(self.ctx, key, dict(self.path.get("initial_data", {})), channel="phone")
        return self.drive(view.reference, stop_after)

    def drive(self, reference: str, stop_after: int | None = None) -> CaseView:
        view, completed = view_of(self.ctx, reference), 0
        for _ in range(200):
            self._work(view.reference)
            view = view_of(self.ctx, view.reference)
            if view.status != "open":
                break
            if view.tasks:
                task = view.tasks[0]
                assert task.team, f"{task.bpmn_id} has no team"
                visit = with_free_slots(self.ctx, task.form, self.visits[task.bpmn_id].pop(0))
                view = cases.complete_task(self.ctx, task.id, visit)
                completed += 1
                if completed == stop_after:
                    break
            elif not (self._deliver_message(view.reference) or self._fire_timer(view.reference)):
                break
        return view

    def _work(self, reference: str) -> None:
        """The worker's calls, one at a time, each set up first as the path says it should go."""
        while True:
            self._prepare_calls(reference)
            if not outbox.run_due_calls(self.ctx, self.ctx.adapters, limit=1):
                return

    def _prepare_calls(self, reference: str) -> None:
        with self.ctx.db.transaction(readonly=True) as session:
            rows = session.execute(select(OutboxCall.id, OutboxCall.bpmn_id, OutboxCall.operation, OutboxCall.params,
                                          OutboxCall.kind, OutboxCall.next_attempt_at)
                                   .join(Case, Case.id == OutboxCall.case_id)
                                   .where(Case.reference == reference).order_by(OutboxCall.id)).all()
        for row_id, bpmn_id, operation, params, kind, due in rows:
            if row_id in self.answered:
                continue
            if kind == CallKind.APPOINTMENT_REMINDER:  # no task of the path asks for it: sent when due
                if due.replace(tzinfo=timezone.utc) <= self.ctx.clock.now():
                    self.answered.add(row_id)
                    self.succeeded[operation] += 1
                    self.templates[params["template"]] += 1
                continue
            self.answered.add(row_id)
            visit = self.visits[bpmn_id].pop(0)
            if "bpmn_error" in visit:
                fake, path, status = REFUSERS[operation.split("/")[0]]
                getattr(self.backoffice, fake).reject(visit["bpmn_error"].get("message", "refused"), status=status,
                                                      method="POST", path=path)
            else:
                self.succeeded[operation] += 1
                if operation.startswith("notify/"):
                    self.templates[params["template"]] += 1

    def _deliver_message(self, reference: str) -> bool:
        if self._appointment_message(reference):
            return True
        waiting = self.messages.get("asset_request_closed")
        if not waiting:
            return False
        payload = waiting.pop(0)
        return asset_system_closes(self.ctx, self.backoffice, reference, payload.get("status_notes") or "") == 1

    def _appointment_message(self, reference: str) -> bool:
        """An appointment message, made the way the hub makes it: a check-in, a cancellation, or the
        worker finding nobody checked in once the grace period is over."""
        booked = [a for a in appointment_booking.case_appointments(self.ctx, reference) if a.status == "booked"]
        name = next((n for n in APPOINTMENT_MESSAGES if self.messages.get(n)), None)
        if name is None:
            return False
        payload = self.messages[name].pop(0)
        if not booked:  # a golden case resumed in a new database: its appointment stayed behind, its message not
            messages.deliver_message(self.ctx, reference, name, payload)
            return True
        appointment = booked[-1].reference
        if name == APPOINTMENT_ATTENDED:
            appointment_arrivals.act(self.ctx, appointment, "check_in", None)
        elif name == APPOINTMENT_CANCELLED:
            appointment_booking.cancel(self.ctx, appointment, None, payload.get("reason", ""))
        else:
            self.ctx.clock.set(booked[-1].starts_at + timedelta(hours=1))
            return appointment_arrivals.mark_no_shows(self.ctx) == 1
        return True

    def _fire_timer(self, reference: str) -> bool:
        if not self.timers:
            return False
        with self.ctx.db.transaction(readonly=True) as session:
            due = session.scalar(select(Timer.due_at).join(Case, Case.id == Timer.case_id)
                                 .where(Case.reference == reference, Timer.bpmn_id == self.timers[0]))
        if due is None:
            return False
        self.timers.pop(0)
        due = due if due.tzinfo else due.replace(tzinfo=timezone.utc)
        self.ctx.clock.set(due + timedelta(seconds=1))
        return fire_due_timers(self.ctx) == 1
