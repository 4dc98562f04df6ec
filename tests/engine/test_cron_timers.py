"""Cycle timers written as cron (Camunda 7's Quartz ``0 0 9 * * ?``, Camunda 8's ``0 0 9 * * MON-FRI``):
accepted at check, fired at each instant they name (on the injected clock), and refused with a
reason when they would repeat within a minute or name days by number."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.bpmn import cron, registry
from engine.casework import cases
from engine.context import Context
from engine.background.worker import fire_due_timers

MAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="chaser" name="Chaser" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="Parking">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="every_morning" attachedToRef="review" cancelActivity="false">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>CYCLE</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="chase" name="Chase" camunda:candidateGroups="Parking">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="chased"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="every_morning" targetRef="chase" />
    <bpmn:sequenceFlow id="f4" sourceRef="chase" targetRef="chased" />
  </bpmn:process>
</bpmn:definitions>"""



def _chases(ctx: Context, reference: str) -> int:
    return sum(t.bpmn_id == "chase" for t in cases.show_case(ctx, reference).case.tasks)


def _at(ctx: Context, when: datetime) -> None:
    ctx.clock.advance(seconds=(when - ctx.clock.now()).total_seconds())
    fire_due_timers(ctx)


def test_a_quartz_cycle_fires_every_morning_at_nine(council):
    files = {"chaser.bpmn": MAP.replace("CYCLE", "0 0 9 * * ?").encode()}
    assert registry.check(council, files).errors == []
    registry.deploy(council, files)
    case = cases.start_case(council, "chaser", {})
    day = datetime(2026, 3, 3, tzinfo=timezone.utc)  # the case starts at 09:00 the day before
    _at(council, day + timedelta(hours=8, minutes=59))
    assert _chases(council, case.reference) == 0
    _at(council, day + timedelta(hours=9, seconds=1))
    assert _chases(council, case.reference) == 1
    _at(council, day + timedelta(hours=15))
    assert _chases(council, case.reference) == 1
    _at(council, day + timedelta(days=1, hours=9, seconds=1))
    assert _chases(council, case.reference) == 2


@pytest.mark.parametrize("cycle,why", [
    ("0/5 0/1 * 1/1 * ?", "repeats within a minute"),
    ("0 0 9 ? * 2-6", "write the days of the week as names"),
    ("0 0 25 * * ?", "cannot be used"),
    ("0 0 9 * * ? 2027", "cannot name a year"),
])
def test_a_cron_cycle_that_cannot_be_honoured_is_refused_at_its_timer(council, cycle, why):
    [error] = registry.check(council, {"chaser.bpmn": MAP.replace("CYCLE", cycle).encode()}).errors
    assert error.element == "every_morning" and why in error.message


@pytest.mark.parametrize("cycle,after,expected", [
    ("0 0 9 * * MON-FRI", datetime(2026, 3, 6, 10, tzinfo=timezone.utc), datetime(2026, 3, 9, 9, tzinfo=timezone.utc)),
    ("30 15 * * *", datetime(2026, 3, 6, 10, tzinfo=timezone.utc), datetime(2026, 3, 6, 15, 30, tzinfo=timezone.utc)),
    ("0 0 12 L * ?", datetime(2026, 2, 3, tzinfo=timezone.utc), datetime(2026, 2, 28, 12, tzinfo=timezone.utc)),
])
def test_cron_expressions_name_the_instants_modellers_mean(cycle, after, expected):
    assert cron.is_cron(cycle) and not cron.is_cron("R/PT1H")
    assert cron.next_after(cycle, after) == expected
