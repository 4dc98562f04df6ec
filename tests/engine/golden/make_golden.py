"""Makes the golden saved states in this folder, with the code of the release that is checked out.

    python -m tests.engine.golden.make_golden
    python -m tests.engine.golden.make_golden directory_refer   # only these maps (added since the release)

Run it on a release *before* changing what it saves (a SpiffWorkflow upgrade, a new format of ours):
docs/operators.md, "Upgrading SpiffWorkflow". It writes ``<serializer_version>/``:

- one file per shipped map (processes/): the case started on the map's longest model-test path and
  stopped straight after a completed task: the first of the first three whose completion queued a
  call (still waiting, ``calls``: a service task parked in the state), else the first (a map whose
  case ends with that completion, or as it starts, as it started); the rest of the path is kept to
  finish it;
- our small maps (maps/), stopped at a user task after a script, at a boundary timer, at a message
  catch, inside an embedded subprocess and inside a call activity, with the steps that finish them.

It also writes ``spiff-1.4+cf0/golden_user_tasks.json``, the user-task case as an older release would
have saved it (OLDER below), so the chain's steps from an older format run on a real case.
"""
from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.registry import AdapterRegistry
from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.schema import upgrade
from engine.persistence.tables import Case, CaseState
from engine.casework.views import CaseView
from tests.conftest import FORMS, PROCESSES
from tests.engine.golden.replay import GOLDEN, ROOT, deploy, queued_calls, take
from tests.processes.backoffice import BackOffice
from tests.processes.pathrun import PathRun, load_demo_calendar

SAVED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
MAPS = "tests/engine/golden/maps"
# Our small maps: where each case stops (``before``), and how it is finished (``steps``, ``expect``).
SCENARIOS: dict[str, dict[str, Any]] = {
    "golden_user_tasks": {
        "process": "golden_user_tasks", "about": "waiting at a user task, after a script task scored the first one",
        "before": [{"complete": "record", "data": {"applicant": "Pat Smith"}}],
        "steps": [{"complete": "approve", "data": {"approved": True}}],
        "expect": {"applicant": "Pat Smith", "score": 18, "approved": True, "outcome": "approved"}},
    "golden_timer": {
        "process": "golden_timer", "about": "waiting at a user task with an interrupting boundary timer (P5D)",
        "before": [],
        "steps": [{"wait_s": 5 * 86400 + 1}, {"complete": "chase", "data": {"chased": True}}],
        "expect": {"chased": True}},
    "golden_message": {
        "process": "golden_message", "about": "waiting at a message catch event with a message variable",
        "before": [{"complete": "ask", "data": {"question": "Which gate?"}}],
        "steps": [{"message": "resident_reply", "payload": {"answer": "green gate"}},
                  {"complete": "review", "data": {"accepted": True}}],
        "expect": {"question": "Which gate?", "reply": {"answer": "green gate"}, "accepted": True}},
    "golden_embedded_subprocess": {
        "process": "golden_subprocess", "about": "waiting at a user task inside an embedded subprocess",
        "before": [],
        "steps": [{"complete": "get_info", "data": {"details": "side gate"}},
                  {"complete": "verify", "data": {"verified": True}}, {"complete": "close", "data": {"closed": True}}],
        "expect": {"details": "side gate", "closed": True}},
    "golden_call_activity": {
        "process": "golden_subprocess", "about": "waiting at a user task inside a call activity",
        "before": [{"complete": "get_info", "data": {"details": "side gate"}}],
        "steps": [{"complete": "verify", "data": {"verified": True}}, {"complete": "close", "data": {"closed": True}}],
        "expect": {"details": "side gate", "closed": True}},
}
# The older golden: the user-task case as SpiffWorkflow's own serializer writes it (cf0: the specs
# embedded, its own version key inside), stamped with SpiffWorkflow's format 1.4. Format 1.5 changed
# only the children of event-based gateways, which this map has none of, so the document is what
# SpiffWorkflow 1.4 wrote; cf0 -> cf1 is our step (engine/bpmn/statemigrations.py).
OLDER = ("golden_user_tasks", "1.4", "spiff-1.4+cf0")
OLDER_FROM = "spiff-1.5+cf1"  # the only format it may be derived from (a later release leaves it as it is)
STOPS = (1, 2, 3)


def _context(folder: Path, name: str, adapters: Any = None) -> Context:
    db = Database(f"sqlite:///{folder / name}.sqlite3")
    upgrade(db)
    return Context(db, clock=FixedClock(SAVED_AT), settings=Settings(forms_dir=FORMS), adapters=adapters)


def _saved(ctx: Context, reference: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The case's state row (version and document) and its version's stored spec."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        row = session.get_one(CaseState, case.id)
        return row.serializer_version, json.loads(row.state), case.version.spec


def _write(folder: Path, name: str, golden: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # Keys keep their order: SpiffWorkflow restores each task's data as a change to its parent's,
    # so a document whose tasks were sorted would come back with data missing.
    (folder / f"{name}.json").write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {folder.relative_to(ROOT)}/{name}.json")


def make_maps(work: Path) -> None:
    for name, scenario in SCENARIOS.items():
        files = [f"{MAPS}/{scenario['process']}.bpmn", f"{MAPS}/golden-answers-schema.json"]
        ctx = _context(work, name)
        deploy(ctx, {"files": files})
        reference = cases.start_case(ctx, scenario["process"]).reference
        for step in scenario["before"]:
            take(ctx, reference, step)
        version, state, spec = _saved(ctx, reference)
        golden = {"kind": "map", "about": scenario["about"], "process": scenario["process"], "files": files,
                  "saved_at": ctx.clock.now().isoformat(), "serializer_version": version, "state": state,
                  "calls": queued_calls(ctx, reference), "steps": scenario["steps"], "expect": scenario["expect"]}
        _write(GOLDEN / version, name, golden)
        if name == OLDER[0] and version == OLDER_FROM:
            older = {**state, **spec, "serializer_version": OLDER[1]}
            _write(GOLDEN / OLDER[2], name, {**golden, "serializer_version": OLDER[2], "state": older,
                                              "about": f"{golden['about']}; saved as SpiffWorkflow's own 1.4 "
                                                       "document, spec embedded (tests/engine/golden/make_golden.py)"})
        ctx.db.dispose()


def _length(path: dict[str, Any]) -> int:
    return sum(len(visit["data"]) for visit in path["tasks"].values())


def _stopped(work: Path, backoffice: BackOffice, key: str, path: dict[str, Any],
             completions: int) -> tuple[Context, PathRun, CaseView, list[dict[str, Any]]]:
    """A fresh council's case of ``key`` driven along ``path`` until ``completions`` tasks are done
    (0: just started, nothing done by people or the worker)."""
    ctx = _context(work, f"{key}-{completions}", AdapterRegistry.from_config(backoffice.config(), backoffice.env()))
    deploy(ctx, {"files": ["processes", "forms"]})
    load_demo_calendar(ctx)
    run = PathRun(ctx, backoffice, path)
    if completions:
        view = run.run(key, stop_after=completions)
    else:
        view = cases.start_case(ctx, key, dict(path.get("initial_data", {})), channel="phone")
    return ctx, run, view, queued_calls(ctx, view.reference)


def make_library(work: Path, keys: set[str] | None = None) -> None:
    """A golden case of each shipped map (``keys``: of those only, for a map added since the release)."""
    with BackOffice() as backoffice:
        for model_test in sorted(PROCESSES.glob("test_*.json")):
            if keys is None or model_test.stem.removeprefix("test_") in keys:
                _make_one(work, backoffice, model_test)


def _make_one(work: Path, backoffice: BackOffice, model_test: Path) -> None:
    key = model_test.stem.removeprefix("test_")
    path_name, path = max(json.loads(model_test.read_text()).items(), key=lambda item: _length(item[1]))
    # Stop where a completion left a call queued (a service task parked in the state), if one of the
    # first few does; otherwise after the first. A map whose case ends with its first completion, or
    # as it starts (the directory's hand-off, referral and resolve maps), is saved as it started.
    for completions in STOPS:
        ctx, run, view, calls = _stopped(work, backoffice, key, path, completions)
        if view.status == "open" and calls:
            break
        ctx.db.dispose()
    else:
        completions = STOPS[0]
        ctx, run, view, calls = _stopped(work, backoffice, key, path, completions)
        if view.status != "open":
            ctx.db.dispose()
            completions = 0
            ctx, run, view, calls = _stopped(work, backoffice, key, path, completions)
    version, state, _ = _saved(ctx, view.reference)
    golden = {"kind": "library", "process": key, "files": ["processes", "forms"],
              "about": f"model test '{path_name}', stopped after {completions} completed task(s)"
                       + (", with a call queued" if calls else ""),
              "saved_at": ctx.clock.now().isoformat(), "serializer_version": version, "state": state,
              "calls": calls, "model_test": [model_test.relative_to(ROOT).as_posix(), path_name],
              "remaining": run.remaining()}
    _write(GOLDEN / version, key, golden)
    ctx.db.dispose()


def main(keys: list[str]) -> None:
    with tempfile.TemporaryDirectory() as work:
        if not keys:
            make_maps(Path(work))
        make_library(Path(work), set(keys) or None)


if __name__ == "__main__":
    main(sys.argv[1:])
