"""Every shipped map deploys cleanly and runs to completion along each main path, through the
persistent engine (database, projections, history), using the paths in processes/test_*.json."""
from __future__ import annotations

import json

import pytest

from engine import cases, registry
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import deploy_library

PATHS = [(f.stem.removeprefix("test_"), name, case)
         for f in sorted(PROCESSES.glob("test_*.json"))
         for name, case in json.loads(f.read_text()).items()]


def test_library_has_at_least_nine_maps_each_with_note_and_tests():
    maps = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
    assert len(maps) >= 9
    for key in maps:
        assert (PROCESSES / f"{key}.md").is_file(), key
        assert (PROCESSES / f"test_{key}.json").is_file(), key


def test_every_shipped_map_deploys_without_errors_or_warnings(ctx):
    bundle = registry.check(ctx, registry.read_paths([PROCESSES, FORMS]))
    assert bundle.errors == []
    assert bundle.warnings == []
    assert {c.key for c in bundle.candidates} == {p.stem for p in PROCESSES.glob("*.bpmn")}


@pytest.mark.parametrize("key,name,path", PATHS, ids=[f"{k}-{n}" for k, n, _ in PATHS])
def test_shipped_map_runs_each_main_path_to_completion(ctx, key, name, path):
    deploy_library(ctx)
    queues = {k.split(":", 1)[1]: list(v["data"]) for k, v in path["tasks"].items()}
    view = cases.start_case(ctx, key, channel="phone")
    for _ in range(100):
        if view.status != "open":
            break
        task = view.tasks[0]
        assert task.team, f"{task.bpmn_id} has no team"
        view = cases.complete_task(ctx, task.id, queues[task.bpmn_id].pop(0))
    assert view.status == "completed", view
    data = cases.show_case(ctx, view.reference).data
    for field, expected in path["expected_output_json"].items():
        assert data.get(field) == expected, field
