"""Tests for engine.bpmn.compaction: looping councils must survive many back-office/front-office
round trips, with the workflow saved to JSON and restored after every step."""
from __future__ import annotations

from typing import Callable, Optional
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compaction import compact

DEPTH_BOUND = 16  # compacted trees measure at most 11; plain Spiff adds about 4 levels per pass
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_SPECS: dict[str, tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]] = {}


class _SpecByReference(BpmnWorkflowConverter):
    """Like the runtime: a case is saved without its process spec and restored onto the shared,
    parsed spec. This also roughly halves the cost of a round trip, keeping the suite fast."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct.update(spec_ref=workflow.spec.name, subprocesses=self.mapping_to_dict(workflow.subprocesses),
                   bpmn_events=self.registry.convert(workflow.bpmn_events))
        return dct

    def from_dict(self, dct: dict) -> BpmnWorkflow:
        workflow = self.target_class(*_SPECS[dct["spec_ref"]], deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks[UUID(dct["root"])]
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct["bpmn_events"])
        return workflow


_BY_REFERENCE = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_SpecByReference(BpmnWorkflow, _BY_REFERENCE.registry)

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{pid}" isExecutable="true">
"""
_TAIL = """  </bpmn:process>
</bpmn:definitions>
"""
# start -> init -> back_office_review (+ "P5D" timer -> send_reminder -> end_reminder) -> needs_info_gw
#   needs_info == True -> {loop body} -> back_office_review;  default -> set_outcome -> end
_LOOP = """    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="init" />
    <bpmn:scriptTask id="init"><bpmn:script>info_rounds = 0
requests = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_init" sourceRef="init" targetRef="back_office_review" />
    <bpmn:userTask id="back_office_review" name="Back office review" />
    <bpmn:boundaryEvent id="review_timer" attachedToRef="back_office_review" cancelActivity="{interrupting}">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P5D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_timer" sourceRef="review_timer" targetRef="send_reminder" />
    <bpmn:scriptTask id="send_reminder"><bpmn:script>reminder_sent = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_reminder" sourceRef="send_reminder" targetRef="end_reminder" />
    <bpmn:endEvent id="end_reminder" />
    <bpmn:sequenceFlow id="f_review" sourceRef="back_office_review" targetRef="needs_info_gw" />
    <bpmn:exclusiveGateway id="needs_info_gw" default="f_done" />
    <bpmn:sequenceFlow id="f_done" sourceRef="needs_info_gw" targetRef="set_outcome" />
    <bpmn:scriptTask id="set_outcome"><bpmn:script>outcome = "decided"</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_outcome" sourceRef="set_outcome" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f_more" sourceRef="needs_info_gw" targetRef="{entry}">
      <bpmn:conditionExpression>needs_info == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
"""
_BODIES = {
    "simple": ("front_office_get_info", """
    <bpmn:userTask id="front_office_get_info" name="Front office: get info" />
    <bpmn:sequenceFlow id="f_back" sourceRef="front_office_get_info" targetRef="back_office_review" />
"""),
    "parallel": ("par_split", """
    <bpmn:parallelGateway id="par_split" />
    <bpmn:sequenceFlow id="f_p1" sourceRef="par_split" targetRef="front_office_get_info" />
    <bpmn:sequenceFlow id="f_p2" sourceRef="par_split" targetRef="log_request" />
    <bpmn:userTask id="front_office_get_info" name="Front office: get info" />
    <bpmn:scriptTask id="log_request"><bpmn:script>requests = requests + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_p3" sourceRef="front_office_get_info" targetRef="par_join" />
    <bpmn:sequenceFlow id="f_p4" sourceRef="log_request" targetRef="par_join" />
    <bpmn:parallelGateway id="par_join" />
    <bpmn:sequenceFlow id="f_back" sourceRef="par_join" targetRef="back_office_review" />
"""),
    "subprocess": ("front_office_sub", """
    <bpmn:subProcess id="front_office_sub">
      <bpmn:startEvent id="sub_start" />
      <bpmn:sequenceFlow id="f_s1" sourceRef="sub_start" targetRef="front_office_get_info" />
      <bpmn:userTask id="front_office_get_info" name="Front office: get info" />
      <bpmn:sequenceFlow id="f_s2" sourceRef="front_office_get_info" targetRef="sub_end" />
      <bpmn:endEvent id="sub_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f_back" sourceRef="front_office_sub" targetRef="back_office_review" />
"""),
}
# No loop: intake (with timer) -> assess -> approve -> end.
_LINEAR = """    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake" />
    <bpmn:userTask id="intake" />
    <bpmn:boundaryEvent id="intake_timer" attachedToRef="intake" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P5D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_t" sourceRef="intake_timer" targetRef="end_timer" />
    <bpmn:endEvent id="end_timer" />
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="assess" />
    <bpmn:scriptTask id="assess"><bpmn:script>score = len(applicant) * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="assess" targetRef="approve" />
    <bpmn:userTask id="approve" />
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
"""
# No loop: split -> legal (user) | finance (user) | log (script) -> join -> summarise -> end.
_PARALLEL = """    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="legal" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="finance" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="log" />
    <bpmn:userTask id="legal" />
    <bpmn:userTask id="finance" />
    <bpmn:scriptTask id="log"><bpmn:script>logged = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="legal" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="finance" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="log" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="summarise" />
    <bpmn:scriptTask id="summarise"><bpmn:script>summary = f"{legal_ok}/{finance_ok}/{logged}"</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f9" sourceRef="summarise" targetRef="end" />
    <bpmn:endEvent id="end" />
"""

Step = Callable[[BpmnWorkflow, Task], None]


def _loop_bpmn(variant: str, interrupting: bool) -> tuple[str, str]:
    entry, body = _BODIES[variant]
    pid = f"council_{variant}"
    loop = _LOOP.format(interrupting=str(interrupting).lower(), entry=entry)
    return pid, _HEAD.format(pid=pid) + loop + body + _TAIL


def _start(pid: str, bpmn: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode(), filename=f"{pid}.bpmn")
    workflow = BpmnWorkflow(parser.get_spec(pid), parser.get_subprocess_specs(pid))
    workflow.do_engine_steps()
    return workflow


def _depth(workflow: BpmnWorkflow) -> int:
    deepest, stack = 0, [(workflow.task_tree, 0)]
    while stack:
        task, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in task.children)
    return deepest


def _ready(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


class Case:
    """Drives one case the way the runtime does: restore, act, run engine, compact, save."""

    def __init__(self, pid: str, bpmn: str, compaction: bool = True, spec_included: bool = False) -> None:
        self.compaction = compaction
        self.serializer = SERIALIZER if spec_included else _BY_REFERENCE
        self.log: list[str] = []
        self.max_depth = 0
        workflow = _start(pid, bpmn)
        _SPECS[workflow.spec.name] = (workflow.spec, workflow.subprocess_specs)
        self.state = self.save(workflow)

    def save(self, workflow: BpmnWorkflow) -> str:
        if self.compaction:
            compact(workflow)
        _assert_consistent(workflow)
        self.max_depth = max(self.max_depth, _depth(workflow))
        return self.serializer.serialize_json(workflow)

    def step(self, expected: str, act: Optional[Step] = None, **data: object) -> BpmnWorkflow:
        workflow = self.load()
        ready = _ready(workflow)
        assert [t.task_spec.name for t in ready] == [expected]
        task = ready[0]
        task.data.update(data)
        if act is not None:
            act(workflow, task)
        self.log.append(task.task_spec.name)
        task.run()
        workflow.do_engine_steps(did_complete_task=lambda t: self.log.append(t.task_spec.name))
        self.state = self.save(workflow)
        return workflow

    def load(self) -> BpmnWorkflow:
        return self.serializer.deserialize_json(self.state)


def _assert_consistent(workflow: BpmnWorkflow) -> None:
    """Every task hangs off the root, and parent and child links agree."""
    for wf in [workflow, *workflow.subprocesses.values()]:
        reached, pending = 0, [wf.task_tree]
        while pending:
            task = pending.pop()
            reached += 1
            assert all(child.parent is task for child in task.children)
            pending.extend(task.children)
        assert reached == len(wf.tasks) and wf.task_tree.parent is None
        assert wf.last_task is None or wf.tasks.get(wf.last_task.id) is wf.last_task


def _check_timer(workflow: BpmnWorkflow, review: Task) -> None:
    """The boundary timer is WAITING, attached to this review, and known to the event manager."""
    timers = [t for t in workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.name == "review_timer"]
    assert len(timers) == 1 and timers[0].parent is review.parent
    assert isinstance(review.parent.task_spec, BoundaryEventSplit)
    assert [e.name for e in workflow.waiting_events()] == [timers[0].task_spec.event_definition.name]


def _bump(workflow: BpmnWorkflow, task: Task) -> None:
    task.data["info_rounds"] += 1


def _fire_timer(workflow: BpmnWorkflow, task: Task) -> None:
    (timer,) = [t for t in workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.name == "review_timer"]
    timer.internal_data["event_value"] = "2000-01-01T00:00:00+00:00"
    workflow.refresh_timers()


def _run_loop(case: Case, passes: int, fire_at: Optional[int] = None) -> BpmnWorkflow:
    for n in range(1, passes + 1):
        act = _fire_timer if n == fire_at else _check_timer
        case.step("back_office_review", act, needs_info=True)
        case.step("front_office_get_info", _bump)
    return case.step("back_office_review", needs_info=False)


# One 1,000-pass run per map keeps the suite under 20 s; the parallel map has the interrupting timer.
@pytest.mark.parametrize("variant,interrupting", [("simple", False), ("parallel", True), ("subprocess", False)])
def test_1000_round_trips_stay_shallow_and_finish_correctly(variant: str, interrupting: bool) -> None:
    case = Case(*_loop_bpmn(variant, interrupting))
    workflow = _run_loop(case, 1000)
    assert case.max_depth <= DEPTH_BOUND
    assert workflow.completed
    assert workflow.data["outcome"] == "decided"
    assert workflow.data["info_rounds"] == 1000
    # Spiff's parallel join lets the last branch to arrive win a shared key, so count via the log.
    assert case.log.count("log_request") == case.log.count("par_join") == (1000 if variant == "parallel" else 0)
    assert "reminder_sent" not in workflow.data
    assert workflow.subprocesses == {} or all(sp.completed for sp in workflow.subprocesses.values())
    assert len(workflow.tasks) < 40


def test_plain_spiff_exceeds_the_bound() -> None:
    """Plain 3.2 deepens by about 4 levels per pass; /tmp/repro.py shows it breaking near pass 250."""
    pid, bpmn = _loop_bpmn("simple", False)
    plain, compacted = Case(pid, bpmn, compaction=False), Case(pid, bpmn)
    depths = []
    for _ in range(8):
        for case in (plain, compacted):
            case.step("back_office_review", needs_info=True)
            case.step("front_office_get_info", _bump)
        depths.append(_depth(plain.load()))
    assert depths == sorted(depths) and depths[-1] - depths[0] >= 4 * 7
    assert plain.max_depth > DEPTH_BOUND >= compacted.max_depth


@pytest.mark.parametrize("variant", ["simple", "parallel", "subprocess"])
@pytest.mark.parametrize("interrupting,fire_at", [(False, None), (False, 3), (True, 5)])
def test_same_behaviour_as_plain_spiff(variant: str, interrupting: bool, fire_at: Optional[int]) -> None:
    """Short runs (plain Spiff copes with them) take the same path and give the same data,
    including a timer firing mid-loop (reminder branch, or an interrupt that ends the case)."""
    pid, bpmn = _loop_bpmn(variant, interrupting)
    results = []
    for compaction in (False, True):
        case = Case(pid, bpmn, compaction, spec_included=True)
        if interrupting and fire_at:
            for _ in range(fire_at - 1):  # the timer interrupts the review and ends the case
                case.step("back_office_review", needs_info=True)
                case.step("front_office_get_info", _bump)
            workflow = case.step("back_office_review", _fire_timer, needs_info=True)
        else:
            workflow = _run_loop(case, 6, fire_at)
        results.append((case.log, workflow.completed, workflow.data))
    assert results[0] == results[1]
    assert results[1][1] is True
    assert ("reminder_sent" in results[1][2]) == (fire_at is not None)


def test_reminder_mid_loop_keeps_depth_bounded() -> None:
    """A fired non-interrupting reminder leaves a WAITING end join behind; later passes still compact."""
    case = Case(*_loop_bpmn("simple", False))
    workflow = _run_loop(case, 100, fire_at=3)
    assert case.max_depth <= DEPTH_BOUND
    assert workflow.completed and workflow.data["reminder_sent"] is True
    assert workflow.data["outcome"] == "decided" and workflow.data["info_rounds"] == 100


def _drive_linear(case: Case) -> BpmnWorkflow:
    case.step("intake", applicant="Ada")
    return case.step("approve", approved=True)


def _drive_parallel(case: Case) -> BpmnWorkflow:
    workflow = case.load()
    assert sorted(t.task_spec.name for t in _ready(workflow)) == ["finance", "legal"]
    (legal,) = [t for t in _ready(workflow) if t.task_spec.name == "legal"]
    legal.data["legal_ok"] = True
    case.log.append("legal")
    legal.run()
    workflow.do_engine_steps(did_complete_task=lambda t: case.log.append(t.task_spec.name))
    case.state = case.save(workflow)
    return case.step("finance", finance_ok=False)


@pytest.mark.parametrize("body,pid,drive", [
    (_LINEAR, "linear_map", _drive_linear), (_PARALLEL, "parallel_map", _drive_parallel),
])
def test_non_loop_maps_unaffected(body: str, pid: str, drive: Callable[[Case], BpmnWorkflow]) -> None:
    bpmn = _HEAD.format(pid=pid) + body + _TAIL
    results = []
    for compaction in (False, True):
        case = Case(pid, bpmn, compaction, spec_included=True)
        workflow = drive(case)
        results.append((case.log, workflow.completed, workflow.data, workflow.last_task.task_spec.name))
    assert results[0] == results[1]
    assert results[1][1] is True
    if pid == "parallel_map":
        assert results[1][2]["summary"] == "True/False/True"
    else:
        assert results[1][2]["score"] == 6


def test_compact_returns_removed_count_and_keeps_last_task_valid() -> None:
    case = Case(*_loop_bpmn("subprocess", False), compaction=False)
    for _ in range(5):
        case.step("back_office_review", needs_info=True)
        case.step("front_office_get_info", _bump)
    workflow = case.load()
    before = len(workflow.tasks) + sum(len(sp.tasks) for sp in workflow.subprocesses.values())
    removed = compact(workflow)
    after = len(workflow.tasks) + sum(len(sp.tasks) for sp in workflow.subprocesses.values())
    assert removed == before - after > 0
    assert workflow.last_task is None or workflow.last_task.id in workflow.tasks
    assert all(t.parent is None or t.id in t.parent._children for t in workflow.tasks.values())
    assert all(c in workflow.tasks for t in workflow.tasks.values() for c in t._children)
    assert compact(workflow) == 0  # idempotent


def test_already_deep_case_is_rescued() -> None:
    """A case that was saved deep before compaction existed is pruned in one go and runs on."""
    case = Case(*_loop_bpmn("simple", False), compaction=False)
    for _ in range(30):
        case.step("back_office_review", needs_info=True)
        case.step("front_office_get_info", _bump)
    assert case.max_depth > 100
    case.compaction, case.max_depth = True, 0
    workflow = _run_loop(case, 10)
    assert case.max_depth <= DEPTH_BOUND
    assert workflow.completed and workflow.data["info_rounds"] == 40 and workflow.data["outcome"] == "decided"


# A loop that comes back to the gateway it entered through: start -> [fork ->] prepare -> entry_gw
#   -> review -> tally -> again_gw; again == True -> rework -> entry_gw; default -> end.
# With fork, entry_gw has a second input from before the loop: fork -> intake (user) -> entry_gw.
_REENTRY = """    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="prepare"><bpmn:script>rounds = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:{gateway} id="entry_gw" />
    <bpmn:userTask id="review" />
    <bpmn:scriptTask id="tally"><bpmn:script>rounds = rounds + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again_gw" default="f_finish" />
    <bpmn:userTask id="rework" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f_prepare" sourceRef="prepare" targetRef="entry_gw" />
    <bpmn:sequenceFlow id="f_review" sourceRef="entry_gw" targetRef="review" />
    <bpmn:sequenceFlow id="f_tally" sourceRef="review" targetRef="tally" />
    <bpmn:sequenceFlow id="f_again" sourceRef="tally" targetRef="again_gw" />
    <bpmn:sequenceFlow id="f_finish" sourceRef="again_gw" targetRef="end" />
    <bpmn:sequenceFlow id="f_rework" sourceRef="again_gw" targetRef="rework">
      <bpmn:conditionExpression>again == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_loop" sourceRef="rework" targetRef="entry_gw" />
"""
_REENTRY_START = {
    "direct": """    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="prepare" />
""",
    "fork": """    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f_fork1" sourceRef="fork" targetRef="prepare" />
    <bpmn:sequenceFlow id="f_fork2" sourceRef="fork" targetRef="intake" />
    <bpmn:userTask id="intake" />
    <bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="entry_gw" />
""",
}


def _reentry_bpmn(gateway: str, start: str) -> tuple[str, str]:
    pid = f"reentry_{gateway}_{start}"
    return pid, _HEAD.format(pid=pid) + _REENTRY.format(gateway=gateway) + _REENTRY_START[start] + _TAIL


def _run_reentry(case: Case, start: str, passes: int) -> BpmnWorkflow:
    if start == "fork":
        case.step("intake")
    for _ in range(passes):
        case.step("review", again=True)
        case.step("rework")
    return case.step("review", again=False)


@pytest.mark.parametrize("start", ["direct", "fork"])
@pytest.mark.parametrize("gateway", ["parallelGateway", "inclusiveGateway"])
def test_loop_back_into_a_join_gateway(gateway: str, start: str) -> None:
    """A finished instance of a gateway the loop re-enters is still read by the next instance:
    a parallel gateway finds the inputs from before the loop among its ancestors (or, for an
    earlier instance that did not fire, among its siblings' parents). Pruning them left the
    gateway waiting forever; compacted and plain runs must take the same path."""
    pid, bpmn = _reentry_bpmn(gateway, start)
    results = []
    for compaction in (False, True):
        case = Case(pid, bpmn, compaction, spec_included=True)
        workflow = _run_reentry(case, start, 4)
        results.append((case.log, workflow.completed, workflow.data))
    assert results[0] == results[1]
    assert results[1][1] is True and results[1][2]["rounds"] == 5
    case = Case(pid, bpmn)
    workflow = _run_reentry(case, start, 60)
    assert workflow.completed and workflow.data["rounds"] == 61
    assert case.max_depth <= DEPTH_BOUND
