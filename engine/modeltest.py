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

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import forms, registry
from .bundle import Bundle, Candidate, load_bundle
from .clock import FixedClock
from .context import Context
from .errors import FormInvalid, UserError
from .runtime import PendingCall, Runtime, StepFailure
from .savedstate import spec_from_dict

MAX_STEPS = 10_000
TEST_REFERENCE = "CF-TEST"
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


def _process_for(test_file: Path, spec: dict[str, Any], candidates: dict[str, Candidate]) -> Candidate:
    keys = {k.split(":", 1)[0] for case in spec.values() for k in case.get("tasks", {}) if ":" in k}
    stem = test_file.stem.removeprefix("test_")
    for key in [*keys, stem]:
        if key in candidates:
            return candidates[key]
    raise UserError(f"{test_file.name}: no process found for this test (looked for {sorted(keys | {stem})})")


def _offline_bundle(ctx: Context, folder: Path) -> Bundle:
    """Lint and parse the folder's maps with forms from the folder or the forms directory; nothing
    is read from the database and service operations are not checked (deploying checks them)."""
    return load_bundle(registry.read_paths([folder]), registry.nothing_deployed(ctx), ctx.settings.default_team,
                       operations=None)


class _CaseRun:
    """One test case, driven through the runtime's public steps."""

    def __init__(self, ctx: Context, candidate: Candidate, case: dict[str, Any]) -> None:
        self.candidate, self.case = candidate, case
        self.clock = FixedClock(TEST_START)
        self.runtime = Runtime(ctx.services, ctx.settings.script_time_limit_s, self.clock)
        self.visits: dict[str, list[dict[str, Any]]] = {  # task id -> the data given at each visit
            k.split(":", 1)[-1]: list(v.get("data", [])) for k, v in case.get("tasks", {}).items()}
        self.messages = {name: list(payloads) for name, payloads in case.get("messages", {}).items()}
        self.timers = list(case.get("timers", []))
        self.parked: list[PendingCall] = []

    def run(self) -> str | None:
        loaded = spec_from_dict(self.candidate.dialect, self.candidate.spec)
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
            data = self._next_visit(task.bpmn_id)
            form = self.candidate.user_tasks.get(task.bpmn_id, {}).get("form")
            if form and form in self.candidate.files:
                library = self.candidate.files.get
                try:
                    forms.validate(forms.load_schema(self.candidate.files[form], library, form), data, library)
                except FormInvalid as err:
                    raise _Stuck(f"data for '{task.bpmn_id}' does not pass its form: {err.errors}") from err
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

    def _next_visit(self, bpmn_id: str) -> dict[str, Any]:
        visits = self.visits.get(bpmn_id)
        if not visits:
            raise _Stuck(f"the case reached '{bpmn_id}' but the test gives no (more) data for it")
        return visits.pop(0)

    def _answer_call(self, workflow: Any, call: PendingCall) -> None:
        answer = self._next_visit(call.bpmn_id)
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


def run_path(ctx: Context, path: str | Path) -> list[TestResult]:
    results = []
    bundles: dict[Path, Bundle] = {}
    for test_file in _test_files(Path(path)):
        bundle = bundles.get(test_file.parent) or bundles.setdefault(test_file.parent,
                                                                     _offline_bundle(ctx, test_file.parent))
        if bundle.errors:
            results.append(TestResult(test_file.name, "(deploy)", False, "; ".join(map(str, bundle.errors))))
            continue
        spec = json.loads(test_file.read_text(encoding="utf-8"))
        candidate = _process_for(test_file, spec, {c.key: c for c in bundle.candidates})
        for name, case in spec.items():
            try:
                failure = _CaseRun(ctx, candidate, case).run()
            except StepFailure as err:
                failure = f"{err.element}: {err.reason}"
            results.append(TestResult(test_file.name, name, failure is None, failure or ""))
    return results
