"""Small helpers shared by engine tests: deploy the library and drive tasks by BPMN id."""
from __future__ import annotations

from typing import Any

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context
from engine.casework.views import CaseView
from tests.conftest import FORMS, PROCESSES


def deploy_library(ctx: Context) -> None:
    registry.deploy(ctx, registry.read_paths([PROCESSES, FORMS]))


def deploy_text(ctx: Context, name: str, text: str, actor: str = "analyst@example.gov.uk"):
    return registry.deploy(ctx, {name: text.encode()}, actor)


def task_for(view: CaseView, bpmn_id: str):
    found = [t for t in view.tasks if t.bpmn_id == bpmn_id]
    assert found, f"expected an open task {bpmn_id}, case has {[t.bpmn_id for t in view.tasks]}"
    return found[0]


def complete(ctx: Context, view: CaseView, bpmn_id: str, data: dict[str, Any], actor: str | None = None) -> CaseView:
    return cases.complete_task(ctx, task_for(view, bpmn_id).id, data, actor)


def run_workers(contexts: list[Context], job) -> list[int]:
    """Run ``job(context)`` on every context at once, one thread each (as separate workers would),
    close their connections, and return what each job returned."""
    import threading
    results: list[int] = []
    threads = [threading.Thread(target=lambda c=c: results.append(job(c))) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for context in contexts:
        context.db.dispose()
    return results
