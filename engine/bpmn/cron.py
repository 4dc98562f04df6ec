"""Cycle timers written as cron expressions, as Camunda Modeler users write them: Quartz's
``0 0 9 * * ?`` (Camunda 7: seconds first, ``?`` for "any") and the cron of Camunda 8
(``0 0 9 * * MON-FRI``), as well as plain five-field cron (``0 9 * * 1-5``).

Six- and seven-field expressions are read as Quartz's: the seconds field must be one second (a
timer may repeat at most once a minute, ``engine.bpmn.timer_limits``), the year field ``*``, and days
of the week are written as names (Quartz counts Sunday as 1, Camunda 8's cron as 0: a number
would mean different days to different modellers). ``?`` is "any". The remaining five fields are
run by cronsim (a small, kept cron library).

``CronTimerEventDefinition`` is SpiffWorkflow's cycle timer with a cron schedule: it fires at each
instant the expression names, for as long as its event waits; instants missed while the worker
was down are caught up as one firing, never a burst. It reads the time through SpiffWorkflow's
timer module, so the injected clock (``engine.bpmn.timeshift``) is the clock it obeys.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from cronsim import CronSim, CronSimError
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition

_FIELD = re.compile(r"^[0-9A-Za-z*?/,#LW-]+$")
_NUMBER_DAY = re.compile(r"(?<![#/])\b\d+\b")


def is_cron(text: str) -> bool:
    """Whether a timeCycle value is a cron expression (and not ISO 8601's ``R…/…``)."""
    fields = text.split()
    return 5 <= len(fields) <= 7 and all(_FIELD.match(f) for f in fields) and not text.strip().startswith("R")


def standard(text: str) -> tuple[str, int]:
    """(five-field cron, second of the minute) for a cron expression; ValueError saying why not."""
    fields = text.split()
    second = 0
    if len(fields) >= 6:
        if len(fields) == 7 and fields[6] not in ("*", "?"):
            raise ValueError("a cron timer cannot name a year")
        if not fields[0].isdigit() or int(fields[0]) > 59:
            raise ValueError(f"its seconds field '{fields[0]}' repeats within a minute; a repeating timer may "
                             f"repeat at most once a minute")
        if _NUMBER_DAY.search(fields[5]):
            raise ValueError(f"write the days of the week as names (MON-FRI), not numbers ('{fields[5]}'): Camunda "
                             f"7 and Camunda 8 number the days differently")
        second, fields = int(fields[0]), fields[1:6]
    return " ".join("*" if f == "?" else f for f in fields), second


def problem(text: str) -> str | None:
    """Why a cron timeCycle cannot be used, or None."""
    try:
        expression, second = standard(text)
        next(iter(CronSim(expression, datetime(2026, 1, 1, tzinfo=timezone.utc))))
    except (ValueError, CronSimError, StopIteration) as err:
        why = str(err) or "it never fires"
        return f"the cron timer '{text.strip()}' cannot be used: {why[:1].lower() + why[1:]}"
    return None


def next_after(text: str, instant: datetime) -> datetime:
    """The first instant after ``instant`` the cron expression names."""
    expression, second = standard(text)
    found: datetime = next(iter(CronSim(expression, instant.replace(second=0, microsecond=0))))
    found = found.replace(second=second)
    return found if found > instant else next(iter(CronSim(expression, found))).replace(second=second)


class CronTimerEventDefinition(CycleTimerEventDefinition):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """A cycle timer whose ``expression`` is a cron expression (a literal, as the modeller wrote it)."""

    def cycle_complete(self, my_task: Any) -> bool:
        now = spiff_timer.datetime.now(timezone.utc)
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = {"cycles": -1, "next": next_after(self.expression, now).isoformat(), "duration": 0}
        ready: bool = datetime.fromisoformat(event_value["next"]) < now
        if ready:
            event_value["next"] = next_after(self.expression, now).isoformat()
        my_task._set_internal_data(event_value=event_value)
        return ready


def _with_cron(parser: type) -> type:
    """``parser`` reading a timeCycle written in cron as a ``CronTimerEventDefinition``."""

    def parse_timer_event(self: Any, event: Any) -> Any:
        cycle = next(iter(self.xpath(".//bpmn:timeCycle")), None)
        if cycle is not None and is_cron(cycle.text or ""):
            return CronTimerEventDefinition(self.node.get("name", self.node.get("id")), (cycle.text or "").strip(),
                                            description=self.get_event_description(event))
        return parser.parse_timer_event(self, event)  # type: ignore[attr-defined]  # a SpiffWorkflow event parser

    return type(f"Cron{parser.__name__}", (parser,), {"parse_timer_event": parse_timer_event})


def with_cron_timers(overrides: dict[str, tuple[type, type]]) -> dict[str, tuple[type, type]]:
    """A parser's event parsers (start, intermediate catch and boundary events) reading cron cycles."""
    events = {full_tag(tag) for tag in ("startEvent", "intermediateCatchEvent", "boundaryEvent")}
    return {tag: (_with_cron(parser), spec) if tag in events else (parser, spec)
            for tag, (parser, spec) in overrides.items()}


CONVERTERS = {CronTimerEventDefinition: TimerConditionalEventDefinitionConverter}
