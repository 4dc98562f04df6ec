"""Process-model tests in SpiffArena's ``test_*.json`` format, run in memory before deploying.

A test file maps test-case names to ``{"tasks": {"<process>:<task id>": {"data": [visit1, visit2...]}},
"expected_output_json": {...}}``. Each visit's data is validated against the task's form, then the
task is completed; the case must finish with data containing ``expected_output_json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import forms, registry
from .bundle import Candidate
from .context import Context
from .errors import FormInvalid, UserError
from .runtime import StepFailure, spec_from_dict

MAX_STEPS = 10_000


@dataclass
class TestResult:
    file: str
    name: str
    passed: bool
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "passed": self.passed, "message": self.message}


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


def _run_case(ctx: Context, candidate: Candidate, case: dict[str, Any]) -> str | None:
    loaded = spec_from_dict(candidate.dialect, candidate.spec)
    queues = {k.split(":", 1)[-1]: list(v.get("data", [])) for k, v in case.get("tasks", {}).items()}
    workflow = ctx.runtime.new(loaded, dict(case.get("initial_data", {})))
    ctx.runtime.advance(workflow)
    for _ in range(MAX_STEPS):
        ready = ctx.runtime.ready_tasks(workflow)
        if not ready:
            break
        task = ready[0]
        visits = queues.get(task.bpmn_id)
        if not visits:
            return f"the case reached '{task.bpmn_id}' but the test gives no (more) data for it"
        data = visits.pop(0)
        form = candidate.user_tasks.get(task.bpmn_id, {}).get("form")
        if form and form in candidate.files:
            try:
                forms.validate(forms.load_schema(candidate.files[form]), data)
            except FormInvalid as err:
                return f"data for '{task.bpmn_id}' does not pass its form: {err.errors}"
        ctx.runtime.complete(workflow, task.spiff_id, data)
    if not ctx.runtime.is_completed(workflow):
        return "the case did not complete (it is waiting for a message, timer or task)"
    final = ctx.runtime.data(workflow)
    expected = case.get("expected_output_json", {})
    wrong = {k: {"expected": v, "actual": final.get(k)} for k, v in expected.items() if final.get(k) != v}
    return f"final data differs: {json.dumps(wrong, default=str)}" if wrong else None


def run_path(ctx: Context, path: str | Path) -> list[TestResult]:
    results = []
    for test_file in _test_files(Path(path)):
        bundle = registry.check(ctx, registry.read_paths([test_file.parent]))
        if bundle.errors:
            results.append(TestResult(test_file.name, "(deploy)", False, "; ".join(map(str, bundle.errors))))
            continue
        spec = json.loads(test_file.read_text(encoding="utf-8"))
        candidate = _process_for(test_file, spec, {c.key: c for c in bundle.candidates})
        for name, case in spec.items():
            try:
                failure = _run_case(ctx, candidate, case)
            except StepFailure as err:
                failure = f"{err.element}: {err.reason}"
            results.append(TestResult(test_file.name, name, failure is None, failure or ""))
    return results
