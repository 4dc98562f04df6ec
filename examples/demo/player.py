"""Plays one demo story through the engine's use cases, the ones the pages and the API call, with a
clock set back to when the story happened: the case, its tasks, history, audit and SLA clocks are
then exactly what staff working since that day would have left.

The answers given to each task are the process's own model tests' (``processes/test_<key>.json``),
so a story never invents form data a map would refuse, and a changed map shows up as a changed
model test rather than a broken demo."""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from engine.casework import cases, contacts, handback, notes
from engine.deadlines import calendar_settings
from engine.deadlines.calendar import WorkingCalendar
from engine.clock import FixedClock
from engine.context import Context
from engine.types import Channel, ContactKind
from engine.casework.views import TaskView
from engine.background.worker import Worker

from .staff import ADVISOR, WORKER_OF

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FRONT_OFFICE = "Customer Hub"
# How long a step takes in the story: the front office works during the call, a team within the day.
CALL_STEP, TEAM_STEP = timedelta(minutes=4), timedelta(hours=3)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Story:
    """One case as it happened: who, what, how they got in touch and how far it has gone."""

    customer: str  # a key of customers.CUSTOMERS
    process: str
    answers: str  # the model test whose answers the tasks get
    channel: Channel
    working_days_ago: int
    steps: int | None = None  # user tasks completed (None: all the model test answers)
    claim: bool = False  # the task it waits at is claimed by its team's officer (the hub's: the advisor)
    claimed_by: str | None = None  # ... or by this person
    question: str | None = None  # that task is handed back to the Customer Hub with this question
    notes: tuple[tuple[str, str], ...] = ()  # (who, text)
    contacts: tuple[tuple[Channel, ContactKind, str], ...] = ()  # repeat contacts, a day apart
    by: str = ADVISOR  # who took the first contact


@cache
def _model_tests(process: str) -> dict[str, Any]:
    return json.loads((PROCESSES / f"test_{process}.json").read_text(encoding="utf-8"))


def answers(process: str, test: str) -> dict[str, list[dict[str, Any]]]:
    """The model test's answers for each user task, by BPMN id, in the order they are given."""
    tasks = _model_tests(process)[test]["tasks"]
    return {key.split(":", 1)[1]: copy.deepcopy(given["data"]) for key, given in tasks.items()}


def dated(value: Any, day: date) -> Any:
    """``value`` with every date the model test wrote (``2025-03-10``) moved to ``day``, the day the
    task is done in the story, so a demo case never records a collection or inspection years ago."""
    if isinstance(value, dict):
        return {key: dated(item, day) for key, item in value.items()}
    if isinstance(value, list):
        return [dated(item, day) for item in value]
    if isinstance(value, str) and _DATE.fullmatch(value):
        return day.isoformat()
    return value


def started_at(calendar: WorkingCalendar, now: datetime, working_days_ago: int, slot: int = 0) -> datetime:
    """Ten past nine (local), plus 20 minutes a ``slot``, on the working day that many working days
    before ``now``'s date; none: two hours ago, whatever the day."""
    if working_days_ago == 0:
        return now - timedelta(hours=2) + slot * timedelta(minutes=5)
    day = calendar.local(now).date()
    for _ in range(working_days_ago):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    local = datetime.combine(day, time(9, 10), tzinfo=calendar.zone) + slot * timedelta(minutes=20)
    return min(local, now - timedelta(minutes=30))


class Player:
    """Plays stories on one context whose clock is ``clock``; ``now`` is the real time, never passed."""

    def __init__(self, ctx: Context, clock: FixedClock, now: datetime) -> None:
        self.ctx, self.clock, self.now = ctx, clock, now
        with ctx.db.transaction(readonly=True) as session:
            self.calendar = calendar_settings.load(session)

    def _later(self, step: timedelta) -> None:
        self.clock.set(min(self.clock.now() + step, self.now - timedelta(minutes=1)))

    def _open_tasks(self, reference: str) -> list[TaskView]:
        Worker(self.ctx).run_calls()  # service tasks (Notify, asset and revenues systems) answer first
        return cases.list_tasks(self.ctx, case=reference)

    def _work(self, task: TaskView, data: dict[str, Any]) -> None:
        officer = WORKER_OF[task.team or FRONT_OFFICE]
        self._later(CALL_STEP if task.team == FRONT_OFFICE else TEAM_STEP)
        if task.team != FRONT_OFFICE:
            cases.claim_task(self.ctx, task.id, officer)
        cases.complete_task(self.ctx, task.id, dated(data, self.calendar.local(self.clock.now()).date()),
                            actor=officer)

    def catch_up(self, instant: datetime) -> None:
        """Move the clock to ``instant`` and do what the worker would have done by then: fire due
        timers, record SLA warnings and breaches (so they happen on their day, with their
        escalations), make due service calls."""
        self.clock.set(instant)
        Worker(self.ctx).run_once()

    def play(self, story: Story, customer_id: int, slot: int = 0) -> str:
        """Start and work the story's case (the ``slot``-th that day); returns its reference."""
        self.catch_up(started_at(self.calendar, self.now, story.working_days_ago, slot))
        given = answers(story.process, story.answers)
        reference = cases.start_case(self.ctx, story.process, None, story.channel, customer_id,
                                     actor=story.by).reference
        done = 0
        while story.steps is None or done < story.steps:
            ready = [t for t in self._open_tasks(reference) if given.get(t.bpmn_id)]
            if not ready:
                break
            self._work(ready[0], given[ready[0].bpmn_id].pop(0))
            done += 1
        self._leave_waiting(story, reference)
        for who, text in story.notes:
            self._later(TEAM_STEP)
            notes.add_note(self.ctx, reference, text, who)
        for channel, kind, text in story.contacts:
            self._later(timedelta(days=1))
            contacts.log_contact(self.ctx, reference, channel, kind, text, ADVISOR)
        return reference

    def _leave_waiting(self, story: Story, reference: str) -> None:
        """Claim, or hand back to the hub with a question, the task the case waits at."""
        waiting = self._open_tasks(reference)
        if not waiting or not (story.claim or story.claimed_by or story.question):
            return
        task = waiting[0]
        officer = story.claimed_by or WORKER_OF[task.team or FRONT_OFFICE]
        self._later(TEAM_STEP)
        cases.claim_task(self.ctx, task.id, officer)
        if story.question:
            self._later(TEAM_STEP)
            handback.hand_back(self.ctx, task.id, story.question, officer)
