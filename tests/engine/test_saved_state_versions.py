"""Cases saved by earlier releases keep working: every golden saved state (tests/engine/golden/) is put
back into a database as its release left it and finished through the engine's use cases; an older
format goes through the migration chain; a format this release does not know is refused clearly,
leaving the state as it was."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from sqlalchemy import select

from adapters.registry import AdapterRegistry
from engine.bpmn import statemigrations
from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import StateUnreadable
from engine.persistence.db import Database
from engine.persistence.tables import Case, CaseState
from engine.bpmn.savedstate import SERIALIZER_VERSION
from tests.conftest import FORMS, PROCESSES, ROOT
from tests.engine.golden import replay
from tests.engine.helpers import complete
from tests.processes.backoffice import BackOffice
from tests.processes.pathrun import FROM_THE_BACK_OFFICE, PathRun, data_of, load_demo_calendar

MAPS, LIBRARY = replay.goldens("map"), replay.goldens("library")
OLDER = replay.GOLDEN / "spiff-1.4+cf0" / "golden_user_tasks.json"
WAITING = replay.GOLDEN / "spiff-1.5+cf1" / "golden_user_tasks.json"


def _ids(paths):  # type: ignore[no-untyped-def]
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def _state_row(ctx: Context, reference: str) -> tuple[str, str]:
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        row = session.get_one(CaseState, case.id)
        return row.serializer_version, row.state


def _map_council(database_url: str, golden: dict) -> Context:
    ctx = Context(Database(database_url), clock=FixedClock(replay.saved_at(golden)), settings=Settings(forms_dir=FORMS))
    replay.deploy(ctx, golden)
    return ctx


# -- the golden cases, finished by this release ------------------------------------------------------

def test_there_is_a_golden_case_of_every_shipped_map_and_of_an_older_format():
    assert {p.stem for p in LIBRARY} >= {p.stem for p in PROCESSES.glob("*.bpmn")}
    assert {p.parent.name for p in [*MAPS, *LIBRARY]} >= {SERIALIZER_VERSION, "spiff-1.4+cf0"}


@pytest.mark.parametrize("path", MAPS, ids=_ids(MAPS))
def test_a_golden_case_of_our_maps_runs_to_completion(database_url, path):
    golden = replay.read(path)
    ctx = _map_council(database_url, golden)
    reference = replay.restore(ctx, golden)
    assert _state_row(ctx, reference)[0] == SERIALIZER_VERSION  # upgraded on load, saved in today's format
    for step in golden["steps"]:
        replay.take(ctx, reference, step)
    detail = cases.show_case(ctx, reference)
    assert detail.case.status == "completed", detail.case
    assert {k: detail.data.get(k) for k in golden["expect"]} == golden["expect"]
    ctx.db.dispose()


@pytest.mark.parametrize("path", LIBRARY, ids=_ids(LIBRARY))
def test_a_golden_case_of_a_shipped_map_runs_to_completion_against_the_back_office(database_url, path):
    golden = replay.read(path)
    with BackOffice() as backoffice:
        # The real time, as in the library's own tests: the fakes stamp their records with it.
        ctx = Context(Database(database_url), clock=FixedClock(datetime.now(timezone.utc)),
                      settings=Settings(forms_dir=FORMS),
                      adapters=AdapterRegistry.from_config(backoffice.config(), backoffice.env()))
        replay.deploy(ctx, golden)
        load_demo_calendar(ctx)
        reference = replay.restore(ctx, golden)
        run = PathRun.resuming(ctx, backoffice, golden["remaining"])
        view = run.drive(reference)
        assert view.status == "completed", view
        assert not any(run.messages.values()) and not run.timers, "the path left messages or timers unused"
        model_test, name = golden["model_test"]
        expected = json.loads((ROOT / model_test).read_text())[name]["expected_output_json"]
        data = data_of(ctx, reference)
        for field, value in expected.items():
            if field not in FROM_THE_BACK_OFFICE:
                assert data.get(field) == json.loads(json.dumps(value).replace("CF-TEST", reference)), field
        ctx.db.dispose()


# -- older formats go through the chain -------------------------------------------------------------

def test_a_case_saved_as_spiffworkflows_own_older_document_is_upgraded_and_saved_without_its_spec(database_url):
    golden = replay.read(OLDER)
    assert golden["serializer_version"] == "spiff-1.4+cf0" and "spec" in golden["state"]
    ctx = _map_council(database_url, golden)

    reference = replay.restore(ctx, golden)

    version, text = _state_row(ctx, reference)
    saved = json.loads(text)
    assert version == SERIALIZER_VERSION
    assert not {"spec", "subprocess_specs", "serializer_version"} & saved.keys()
    assert len(text) < len(json.dumps(golden["state"])) / 2  # the spec was most of it
    assert [t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks] == ["approve"]
    ctx.db.dispose()


def test_an_older_document_embedding_another_process_is_refused_not_loaded_with_missing_tasks(database_url):
    golden = {**replay.read(OLDER), "serializer_version": f"spiff-{SPIFF_FORMAT}+cf0"}  # our step alone
    ctx = _map_council(database_url, golden)
    foreign = json.loads(json.dumps(golden["state"]))
    foreign["spec"]["name"] = "pothole_report"
    with pytest.raises(StateUnreadable, match="embeds process 'pothole_report', not 'golden_user_tasks'"):
        replay.restore(ctx, {**golden, "state": foreign})
    renamed = json.loads(json.dumps(golden["state"]))
    next(iter(renamed["tasks"].values()))["task_spec"] = "gone"
    with pytest.raises(StateUnreadable, match="tasks that this version of the process does not have"):
        replay.restore(ctx, {**golden, "state": renamed})
    ctx.db.dispose()


def test_a_spec_less_state_of_an_older_spiffworkflow_format_is_lent_its_spec_for_spiffworkflows_step(database_url):
    golden = {**replay.read(WAITING), "serializer_version": "spiff-1.4+cf1"}
    ctx = _map_council(database_url, golden)
    reference = replay.restore(ctx, golden)
    version, text = _state_row(ctx, reference)
    assert version == SERIALIZER_VERSION and "spec" not in json.loads(text)  # lent, then taken back
    for step in golden["steps"]:
        replay.take(ctx, reference, step)
    assert cases.show_case(ctx, reference).data["outcome"] == "approved"
    ctx.db.dispose()


def test_a_state_spiffworkflows_own_step_cannot_migrate_is_refused_with_its_reason(database_url):
    """SpiffWorkflow 3.2.0's steps from 1.3 and 1.4 break on any subprocess (a name error in its
    version_1_4.py and version_1_5.py): refused, not loaded half-migrated."""
    golden = replay.read(replay.GOLDEN / "spiff-1.5+cf1" / "golden_embedded_subprocess.json")
    ctx = _map_council(database_url, golden)
    with pytest.raises(StateUnreadable, match=r"could not be upgraded: SpiffWorkflow's migration from format 1\.4 "
                                              r"failed \(NameError"):
        replay.restore(ctx, {**golden, "serializer_version": "spiff-1.4+cf1"})
    ctx.db.dispose()


def test_every_spiffworkflow_migration_step_leads_to_the_format_this_release_saves():
    """A SpiffWorkflow upgrade that adds a format fails here until its step is listed
    (docs/operators.md, "Upgrading SpiffWorkflow")."""
    assert set(statemigrations.SPIFF_LANDS) == set(MIGRATIONS)
    for start in statemigrations.SPIFF_LANDS:
        version, seen = start, set()
        while version != SPIFF_FORMAT:
            assert version not in seen, f"the steps from {start} go round in a circle"
            seen.add(version)
            version = statemigrations.SPIFF_LANDS[version]
    assert set(statemigrations.OUR_STEPS) == set(range(statemigrations.OURS))


# -- formats this release does not know ----------------------------------------------------------------

UNKNOWN = {
    "spiff-1.5+cf2": "written by a newer release of councilflow (format spiff-1.5+cf2",
    "spiff-1.6+cf1": "written by a newer release of councilflow (format spiff-1.6+cf1",
    "spiff-0.9+cf1": "SpiffWorkflow format 0.9, which this release cannot upgrade",
    "pickle-v2": "has a format this release does not know ('pickle-v2'",
    "": "has a format this release does not know (''",
}


@pytest.mark.parametrize("version", UNKNOWN, ids=[v or "empty" for v in UNKNOWN])
def test_a_state_in_a_format_this_release_does_not_know_is_refused_clearly_and_left_as_it_is(database_url, version):
    golden = replay.read(WAITING)
    ctx = _map_council(database_url, golden)
    reference = replay.restore(ctx, golden)
    _, text = _state_row(ctx, reference)
    with ctx.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        session.get_one(CaseState, case.id).serializer_version = version
    view = cases.show_case(ctx, reference).case

    with pytest.raises(StateUnreadable) as refused:
        complete(ctx, view, view.tasks[0].bpmn_id, {})

    assert UNKNOWN[version] in refused.value.message
    assert refused.value.message.startswith(f"Case {reference} cannot be worked on: its saved state")
    detail = cases.show_case(ctx, reference)
    assert UNKNOWN[version] in (detail.state_problem or "")
    assert _state_row(ctx, reference) == (version, text)  # nothing rewritten, nothing lost
    assert cases.cancel_case(ctx, reference, reason="needs a newer release").status == "cancelled"
    assert _state_row(ctx, reference) == (version, text)
    ctx.db.dispose()
