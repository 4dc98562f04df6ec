"""Live workflows kept between steps (engine/casework/livecache.py): a step on a case this process saved
last uses the workflow it kept instead of restoring the saved state, and never a stale one — two
processes (here two contexts, each with its own cache) on one database take turns on a case."""
from __future__ import annotations

import pytest

from engine.casework import cases, writer
from engine.context import Context
from engine.persistence.db import Database
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library, task_for
from tests.engine.test_cases import ANSWER, COLLECTED, MORE_INFO, RECORD


@pytest.fixture
def other(database_url):
    """A second context on the same database: another process, with its own live workflows."""
    from engine.context import Settings
    context = Context(Database(database_url), settings=Settings(forms_dir=FORMS))
    yield context
    context.db.dispose()


def _history(ctx: Context, reference: str) -> list[tuple[str, str | None]]:
    shown = cases.show_case(ctx, reference)
    return [(e.kind, (e.detail or {}).get("task_name")) for e in shown.history]


def test_two_processes_taking_turns_on_one_case_each_see_the_others_steps(ctx, other):
    deploy_library(ctx)
    view = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="web")
    view = complete(other, view, "record_missed_collection", RECORD)  # other has never seen the case
    view = complete(ctx, view, "arrange_recollection", MORE_INFO)  # ctx's kept workflow is stale: restored
    assert ctx.live.hits == 0
    view = complete(ctx, view, "get_more_information", ANSWER)  # ctx saved it last: its live workflow
    assert ctx.live.hits == 1
    view = complete(other, view, "arrange_recollection", MORE_INFO)  # other's is two saves old
    view = complete(other, view, "get_more_information", ANSWER)
    view = complete(ctx, view, "arrange_recollection", COLLECTED)
    assert view.status == "completed"
    shown = cases.show_case(other, view.reference)
    assert shown.data["outcome"] == "recollected" and shown.data["information_provided"] == "Green gate"
    completed = [name for kind, name in _history(other, view.reference) if kind == "task_completed"]
    assert len(completed) == 6


def test_a_step_that_is_rolled_back_leaves_no_half_stepped_workflow_behind(ctx):
    deploy_library(ctx)
    view = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="web")
    task = task_for(view, "record_missed_collection")
    with pytest.raises(RuntimeError):
        with writer.open_case(ctx, task_id=task.id) as w:
            assert w.task is not None
            cases.finish_task(w, w.task, RECORD)
            raise RuntimeError("the transaction fails after the step")
    assert len(ctx.live) == 0  # taken for the step, not put back
    view = complete(ctx, view, "record_missed_collection", RECORD)  # the task is still open
    assert [t.bpmn_id for t in view.tasks] == ["arrange_recollection"]


def test_the_cache_is_bounded_and_keeps_the_cases_saved_last(ctx):
    deploy_library(ctx)
    ctx.live.capacity = 2
    views = [cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="web") for _ in range(3)]
    assert len(ctx.live) == 2
    for view in reversed(views):  # the first case's workflow was dropped: restored from its saved state
        view = complete(ctx, view, "record_missed_collection", RECORD)
        assert [t.bpmn_id for t in view.tasks] == ["arrange_recollection"]
    assert ctx.live.hits == 2 and ctx.live.misses == 1
