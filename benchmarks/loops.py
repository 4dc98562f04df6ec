"""How many hand-back round trips a case survives: plain SpiffWorkflow 3.2 against councilflow.

The map is the shipped missed-bin collection: the back office returns the case to the Customer
Hub for more information, with an interrupting boundary timer on the looped task. Plain
SpiffWorkflow saves and restores the full JSON after every step (as SpiffArena does); councilflow
runs through its persistent engine on a SQLite file. Last line: JSON
{"plain_passes", "plain_error", "engine_passes", "engine_s"}.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bpmn import registry
from engine.casework import cases  # noqa: E402
from engine.context import Context, Settings  # noqa: E402
from engine.persistence.db import Database  # noqa: E402
from engine.persistence.schema import upgrade  # noqa: E402

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
MORE = {"recollection_result": "more_information_needed", "information_needed": "Which gate?"}
ANSWER = {"contact_method": "phone", "contact_outcome": "provided", "information_provided": "Green gate"}


def plain(max_passes: int) -> tuple[int, str]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(ROOT / "processes" / "missed_bin_collection.bpmn"))
    spec = parser.get_spec("missed_bin_collection")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    workflow = BpmnWorkflow(spec)

    def step(bpmn_id: str, data: dict) -> BpmnWorkflow:
        nonlocal workflow
        workflow.do_engine_steps()
        ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
        if not ready or ready[0].task_spec.bpmn_id != bpmn_id:
            raise RuntimeError(f"expected {bpmn_id}, READY: {[t.task_spec.bpmn_id for t in ready]}")
        ready[0].data.update(data)
        ready[0].run()
        workflow.do_engine_steps()
        workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
        return workflow

    step("record_missed_collection", RECORD)
    for passes in range(max_passes):
        try:
            step("arrange_recollection", MORE)
            step("get_more_information", ANSWER)
        except (RecursionError, RuntimeError) as err:
            return passes, f"{type(err).__name__}: {str(err)[:80]}"
    return max_passes, ""


def engine(max_passes: int) -> tuple[int, float]:
    folder = tempfile.mkdtemp(prefix="cf-loops-")
    db = Database(f"sqlite:///{folder}/loops.sqlite3")
    upgrade(db)
    ctx = Context(db, settings=Settings(forms_dir=ROOT / "forms"))
    registry.deploy(ctx, registry.read_paths([ROOT / "processes"]))
    view = cases.start_case(ctx, "missed_bin_collection")
    started = time.perf_counter()
    view = cases.complete_task(ctx, view.tasks[0].id, RECORD)
    for passes in range(max_passes):
        view = cases.complete_task(ctx, view.tasks[0].id, MORE)
        view = cases.complete_task(ctx, view.tasks[0].id, ANSWER)
        if view.tasks[0].bpmn_id != "arrange_recollection":
            return passes, time.perf_counter() - started
    return max_passes, time.perf_counter() - started


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--passes", type=int, default=1000, help="round trips to attempt with councilflow")
    args.add_argument("--plain-passes", type=int, default=400, help="round trips to attempt with plain Spiff")
    options = args.parse_args()
    plain_passes, plain_error = plain(options.plain_passes)
    print(f"plain SpiffWorkflow 3.2: {plain_passes} round trips ({plain_error or 'no error'})")
    engine_passes, seconds = engine(options.passes)
    print(f"councilflow: {engine_passes} round trips in {seconds:.1f} s "
          f"({seconds / max(engine_passes, 1) * 1000:.1f} ms per round trip)")
    print(json.dumps({"plain_passes": plain_passes, "plain_error": plain_error,
                      "engine_passes": engine_passes, "engine_s": round(seconds, 1)}))


if __name__ == "__main__":
    main()
