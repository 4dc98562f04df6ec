"""Process-model tests in SpiffArena's ``test_*.json`` format, run in memory before deploying.

A test file maps test-case names to::

    {"initial_data": {...},                                   # optional: what the front office captured
     "tasks": {"<process>:<task id>": {"data": [visit1, visit2...]}},
     "messages": {"<message name>": [payload1, payload2...]},  # optional, our extension
     "timers": ["<timer event id>", ...],                      # optional, our extension
     "expected_output_json": {...}}

* **User tasks**: each visit's data must pass the task's form, then the task is completed.
* **Service tasks** (SpiffArena's format): nothing is called. Each visit's data is merged into the
  case data in place of the adapter's call, so a task with ``resultVariable="job"`` is given
  ``{"job": {...}}``. A visit ``{"bpmn_error": {"code": "...", "message": "..."}}`` makes the call
  fail as a back-office rejection would, to test error boundary events.
* **Messages**: when nothing else can happen and the case waits for a listed message, it gets
  that message's next payload (as ``councilflow case message`` or the polling job would send it).
* **Timers**: when nothing else can happen, the next listed timer fires: the test's clock jumps
  to just after it is due (any other timer due by then fires too).

The case must complete with data containing ``expected_output_json``, and every listed message
and timer must have been used. Model tests need no database, no adapters and no outbox. Like the
engine, they give the case a ``case_reference`` (``CF-TEST`` unless ``initial_data`` sets one).
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from lxml import etree

from ..clock import FixedClock
from ..context import Context
from ..errors import FormInvalid, UserError
from . import data_stores, dialects, forms, registry, script_helpers
from .bundle import BPMN_SUFFIXES, Bundle, Candidate, Deployed, load_bundle
from .forms import FormUnusable
from .runtime import PendingCall, Runtime, StepFailure
from .savedstate import spec_from_dict
from .xmlsafe import parse_xml

MAX_STEPS = 10_000
TEST_REFERENCE = "CF-TEST"
TEST_USER = script_helpers.person(None, "test.user@example.org", "Test User")  # who acts, for script helpers
TEST_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)  # a Monday morning


@dataclass
class TestResult:
    file: str
    name: str
    passed: bool
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "passed": self.passed, "message": self.message}


class _Stuck(Exception):
    """The test cannot go on; the message says why."""


def _test_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(path.rglob("test_*.json"))
    raise UserError(f"No such file or folder: {path}")


_TEST_NAME = re.compile(r"^test_(.*)\.json$")
_CALL = "{%s}callActivity" % dialects.NS["bpmn"]


def _read_root(file: Path) -> etree._Element | None:
    root, _ = parse_xml(file.name, file.read_bytes())
    return root if root is not None and dialects.is_bpmn(root) else None


def _process_root(path: Path) -> Path:
    """Where call activities are looked up: SpiffArena's process root, the folder above the
    outermost process group or model (``process_group.json``/``process_model.json``) holding
    ``path``; without those files, the folder given (or the test file's folder)."""
    start = path if path.is_dir() else path.parent
    top = start
    while (top / "process_group.json").is_file() or (top / "process_model.json").is_file():
        if top.parent == top:
            break
        top = top.parent
    return top


class _Models:
    """The maps under the folder given to ``councilflow test``, as SpiffArena's runner sees its
    process root: each executable process found by id (for call activities), files in path order."""

    def __init__(self, top: Path) -> None:
        self.by_process: dict[str, Path] = {}
        self.calls: dict[Path, list[str]] = {}
        for file in sorted(p for p in top.rglob("*") if p.is_file() and p.name.lower().endswith(BPMN_SUFFIXES)):
            root = _read_root(file)
            if root is None:
                continue
            self.calls[file] = [c.get("calledElement") for c in root.iter(_CALL) if c.get("calledElement")]
            for process in dialects.executable_processes(root):
                self.by_process.setdefault(process.get("id"), file)

    def related(self, bpmn: Path) -> list[Path]:
        """The files of the processes ``bpmn`` calls, and of those they call, in the order met."""
        found: list[Path] = []
        pending = list(self.calls.get(bpmn, []))
        while pending:
            file = self.by_process.get(pending.pop(0))
            if file is not None and file != bpmn and file not in found:
                found.append(file)
                pending += self.calls.get(file, [])
        return found


def _model_json(folder: Path) -> dict[str, Any]:
    """SpiffArena's ``process_model.json`` of the test's folder (or a parent within the model), if any."""
    for where in (folder, *folder.parents):
        meta = where / "process_model.json"
        if meta.is_file():
            try:
                found = json.loads(meta.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                return {}
            return found if isinstance(found, dict) else {}
    return {}


def _map_for(test_file: Path) -> Path:
    """``test_X.json`` tests ``X.bpmn`` beside it, as in SpiffArena; failing that, the model's
    ``primary_file_name`` from its ``process_model.json``."""
    match = _TEST_NAME.match(test_file.name)
    stem = match.group(1) if match else test_file.stem
    beside = [test_file.with_name(stem + suffix) for suffix in BPMN_SUFFIXES]
    primary = _model_json(test_file.parent).get("primary_file_name")
    if isinstance(primary, str) and primary and "/" not in primary and "\\" not in primary:
        beside.append(test_file.with_name(primary))
    for file in beside:
        if file.is_file():
            return file
    raise _NoMap(f"no {stem}.bpmn beside it (a test file test_X.json tests X.bpmn in the same folder)")


class _NoMap(Exception):
    """The test names no map that can be run; the message says why."""


def _process_key(test_file: Path, bpmn: Path, root: etree._Element) -> str:
    """The process the test runs: ``primary_process_id`` when it is in the file, otherwise its
    executable process (with several, the last one, as SpiffArena's runner picks)."""
    keys = [str(p.get("id")) for p in dialects.executable_processes(root)]
    meta = _model_json(test_file.parent)
    primary = meta.get("primary_process_id")
    if isinstance(primary, str) and primary in keys:
        return primary
    if not keys:
        raise _NoMap(f"{bpmn.name} has no executable process")
    return keys[-1]


def _folder_forms(ctx: Context, folders: list[Path]) -> Callable[[str], str | None]:
    library = registry.nothing_deployed(ctx).forms

    def form(name: str) -> str | None:
        if "/" in name or "\\" in name or name.startswith("."):
            return None
        for folder in folders:
            if (folder / name).is_file():
                return (folder / name).read_text(encoding="utf-8")
        return library(name)
    return form


def _offline_bundle(ctx: Context, bpmn: Path, models: _Models) -> Bundle:
    """Lint and parse ``bpmn`` as SpiffArena's runner does: with the maps it calls (found anywhere
    under the folder being tested), the decision tables and forms of their folders, and the forms
    directory; nothing is read from the database and service operations are not checked."""
    related = models.related(bpmn)
    folders = list(dict.fromkeys(f.parent for f in [bpmn, *related]))
    decisions: dict[str, tuple[str, list[str]]] = {}
    for folder in folders:
        for file in sorted(folder.glob("*.dmn")):
            root, _ = parse_xml(file.name, file.read_bytes())
            if root is not None and dialects.is_dmn(root):
                ids = [d.get("id") for d in root.iter() if etree.QName(d).localname == "decision"]
                decisions.setdefault(file.name, (file.read_text(encoding="utf-8"), ids))
    called = {key for key, file in models.by_process.items() if file in related}

    def process_file(key: str) -> tuple[str, str] | None:
        file = models.by_process[key] if key in called else None
        return (file.name, file.read_text(encoding="utf-8")) if file is not None else None

    deployed = Deployed(forms=_folder_forms(ctx, folders), decision_files=lambda: decisions,
                        process_file=process_file, process_keys=called)
    return load_bundle({bpmn.name: bpmn.read_bytes()}, deployed, ctx.settings.default_team, operations=None)


class _CaseRun:
    """One test case, driven through the runtime's public steps."""

    def __init__(self, ctx: Context, candidate: Candidate, case: dict[str, Any]) -> None:
        self.candidate, self.case = candidate, case
        self.clock = FixedClock(TEST_START)
        self.frontend_url = ctx.settings.public_url
        self.runtime = Runtime(ctx.services, ctx.settings.script_time_limit_s, self.clock)
        tasks = case.get("tasks") or {}
        # "<task id>" or "<process id>:<task id>" -> the data given at each visit
        self.visits: dict[str, list[Any]] = {str(k): list((v or {}).get("data") or [])
                                             for k, v in tasks.items() if isinstance(v, dict) and "data" in v}
        self.messages = {name: list(payloads) for name, payloads in case.get("messages", {}).items()}
        self.timers = list(case.get("timers", []))
        self.parked: list[PendingCall] = []

    def run(self) -> str | None:
        mocks = self.case.get("mocks") or {}
        facts = script_helpers.ScriptFacts(
            current_user=TEST_USER, initiator=lambda: dict(TEST_USER), last_completing=lambda *_: dict(TEST_USER),
            frontend_url=self.frontend_url, overrides=mocks if isinstance(mocks, dict) else {})
        with script_helpers.serving(facts), data_stores.scratch(self.candidate.key, TEST_USER["email"],
                                                                  TEST_START):
            return self._run()

    def _run(self) -> str | None:
        # Restoring a spec consumes its dict (a decision table's most of all): each case gets its own.
        loaded = spec_from_dict(self.candidate.dialect, copy.deepcopy(self.candidate.spec))
        workflow = self.runtime.new(loaded, {"case_reference": TEST_REFERENCE, **self.case.get("initial_data", {})})
        try:
            self.runtime.advance(workflow)
            for _ in range(MAX_STEPS):
                if not self._step(workflow):
                    break
        except _Stuck as stuck:
            return str(stuck)
        if not self.runtime.is_completed(workflow):
            return f"the case did not complete: {self._waiting(workflow)}"
        unused = [f"message '{name}'" for name, left in self.messages.items() if left]
        unused += [f"timer '{timer}'" for timer in self.timers]
        if unused:
            return f"the case completed without using the test's {', '.join(unused)}"
        final = self.runtime.data(workflow)
        expected = self.case.get("expected_output_json", {})
        wrong = {k: {"expected": v, "actual": final.get(k)} for k, v in expected.items() if final.get(k) != v}
        return f"final data differs: {json.dumps(wrong, default=str)}" if wrong else None

    def _step(self, workflow: Any) -> bool:
        """Do the next thing the case is waiting for; False when there is nothing the test can do."""
        self.parked += self.runtime.take_pending_calls(workflow)
        if self.parked:
            self._answer_call(workflow, self.parked.pop(0))
            return True
        ready = self.runtime.ready_tasks(workflow)
        if ready:
            task = ready[0]
            data = self._next_visit(task.bpmn_id, task.process, required=task.kind == "UserTask")
            form = self.candidate.user_tasks.get(task.bpmn_id, {}).get("form")
            if form and form in self.candidate.files:
                library = self.candidate.files.get
                try:
                    schema = forms.with_task_data(forms.load_schema(self.candidate.files[form], library, form),
                                                  self.runtime.data(workflow))
                    forms.validate(schema, data, library)
                except FormInvalid as err:
                    raise _Stuck(f"data for '{task.bpmn_id}' does not pass its form: {err.errors}") from err
                except FormUnusable as err:
                    raise _Stuck(f"the form of '{task.bpmn_id}' cannot be shown: {err.message}") from err
            self.runtime.complete(workflow, task.spiff_id, data)
            return True
        for name in self.runtime.waiting_messages(workflow):
            if self.messages.get(name):
                self.runtime.deliver(workflow, name, self.messages[name].pop(0))
                return True
        if self.timers:
            waiting = {t.bpmn_id: t for t in self.runtime.waiting_timers(workflow)}
            timer = waiting.get(self.timers[0])
            if timer is not None:
                self.timers.pop(0)
                self.clock.set(max(self.clock.now(), timer.due_at + timedelta(seconds=1)))
                self.runtime.fire_timers(workflow)
                return True
        return False

    def _next_visit(self, bpmn_id: str, process: str, required: bool = True) -> dict[str, Any]:
        """The data for the task's next visit, keyed as SpiffArena's runner looks it up: by task id,
        else ``<process id>:<task id>``. Manual tasks without data are simply completed."""
        key = bpmn_id if bpmn_id in self.visits else f"{process}:{bpmn_id}"
        visits = self.visits.get(key)
        if visits is None and not required:
            return {}
        if not visits:
            raise _Stuck(f"the case reached '{bpmn_id}' but the test gives no (more) data for it "
                         f"(give it under \"tasks\" as \"{bpmn_id}\" or \"{process}:{bpmn_id}\")")
        data = visits.pop(0)
        if not isinstance(data, dict):
            raise _Stuck(f"the data for '{key}' must be objects, not {json.dumps(data, default=str)[:80]}")
        return data

    def _answer_call(self, workflow: Any, call: PendingCall) -> None:
        answer = self._next_visit(call.bpmn_id, call.process)
        error = answer.get("bpmn_error")
        if error is None:
            self.runtime.finish_call(workflow, call.spiff_id, answer, None)  # merged, as SpiffArena does
            return
        code, message = (error.get("code", "rejected"), error.get("message", "")) if isinstance(error, dict) \
            else (str(error), "")
        if not self.runtime.throw_error(workflow, call.spiff_id, code, message):
            raise _Stuck(f"the test made '{call.bpmn_id}' fail with '{code}' but no error boundary event catches "
                         f"it (the case would get an incident)")

    def _waiting(self, workflow: Any) -> str:
        waits = [f"message '{m}'" for m in self.runtime.waiting_messages(workflow)]
        waits += [f"timer '{t.bpmn_id}'" for t in self.runtime.waiting_timers(workflow)]
        if not waits:
            return "it is stuck (a failed step, or a call the test did not answer)"
        hint = " (give it under \"messages\" or \"timers\")"
        return "it is waiting for " + ", ".join(waits) + hint


def _run_file(ctx: Context, test_file: Path, models: _Models) -> list[TestResult]:
    try:
        spec = json.loads(test_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        return [TestResult(test_file.name, "(file)", False, f"the test file is not valid JSON: {err}")]
    if not isinstance(spec, dict) or not all(isinstance(case, dict) for case in spec.values()):
        return [TestResult(test_file.name, "(file)", False,
                           "a test file maps test-case names to objects (\"tasks\", \"expected_output_json\"...)")]
    try:
        bpmn = _map_for(test_file)
        root = _read_root(bpmn)
        if root is None:
            raise _NoMap(f"{bpmn.name} is not a BPMN file")
        key = _process_key(test_file, bpmn, root)
    except _NoMap as err:
        return [TestResult(test_file.name, "(map)", False, str(err))]
    bundle = _offline_bundle(ctx, bpmn, models)
    if bundle.errors:
        return [TestResult(test_file.name, "(deploy)", False, "; ".join(map(str, bundle.errors)))]
    candidate = next((c for c in bundle.candidates if c.key == key), None)
    if candidate is None:
        return [TestResult(test_file.name, "(deploy)", False, f"the process '{key}' of {bpmn.name} could not be built")]
    results = []
    for name, case in spec.items():
        try:
            failure = _CaseRun(ctx, candidate, case).run()
        except StepFailure as err:
            failure = f"{err.element}: {err.reason}"
        except Exception as err:  # noqa: BLE001 - a test that breaks the runner fails, with the reason
            failure = f"the test could not be run ({type(err).__name__}: {err})"
        results.append(TestResult(test_file.name, name, failure is None, failure or ""))
    return results


def run_path(ctx: Context, path: str | Path) -> list[TestResult]:
    """Run every ``test_*.json`` under ``path`` (or that one file), in path order."""
    path = Path(path)
    files = _test_files(path)
    models = _Models(_process_root(path))
    return [result for test_file in files for result in _run_file(ctx, test_file, models)]
