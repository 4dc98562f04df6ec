"""Each process keeps copies of a lane's team and a process's SLA policies between transactions
(engine/persistence/configuration.py), and at a case's start the process's current version and the directory
service it starts, and the person acting with their teams. Two contexts on one database stand for two processes (a worker
and a web server): a change made through one is seen by the other's very next step."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.casework import cases
from engine.catalogue import directory_entries
from engine.catalogue.directory_entries import Entry
from engine.context import Context, Settings
from engine.deadlines import sla
from engine.deadlines.sla import SlaTerms
from engine.errors import Forbidden, UserNotFound
from engine.people import routing, users
from engine.persistence.db import Database
from engine.persistence.mi import MiCount
from engine.persistence.tables import Case, Team
from engine.types import DirectoryAction, Role, Sensitivity, SlaUnit
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete, deploy_library, deploy_text
from tests.engine.test_cases import RECORD

PROCESS = "missed_bin_collection"


@pytest.fixture
def two(database_url):
    """Two processes' contexts on one database, the library deployed."""
    web, worker = (Context(Database(database_url), settings=Settings(forms_dir=FORMS)) for _ in range(2))
    deploy_library(web)
    yield web, worker
    for ctx in (web, worker):
        ctx.db.dispose()


def _first_team(ctx: Context) -> str:
    return cases.start_case(ctx, PROCESS, {"postcode": "AB1 2CD"}).tasks[0].team


def test_a_lane_mapped_to_another_team_elsewhere_routes_the_next_task_there(two):
    web, worker = two
    lane = _first_team(worker)
    assert _first_team(worker) == lane  # the lane's team is now this process's copy
    routing.add_team(web, "Night Desk")
    routing.map_lanes(web, {lane: "Night Desk"})
    assert _first_team(worker) == "Night Desk"
    routing.map_lanes(web, {lane: lane})
    assert _first_team(worker) == lane


def test_a_team_renamed_elsewhere_is_shown_by_its_new_name(two):
    web, worker = two
    lane = _first_team(worker)
    routing.rename_named(web, lane, "Customer Contact")
    assert _first_team(worker) == "Customer Contact"


def test_an_sla_policy_set_or_removed_elsewhere_applies_to_the_next_case(two):
    web, worker = two
    assert cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).due_at is None  # no policy, kept as such
    sla.set_policy(web, PROCESS, None, SlaTerms(SlaUnit.WORKING_DAYS, 5, 80), "admin@example.gov.uk")
    assert cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).due_at is not None
    sla.remove_policy(web, PROCESS, None, "admin@example.gov.uk")
    assert cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).due_at is None


def test_a_version_deployed_elsewhere_is_the_one_the_next_case_starts_on(two):
    web, worker = two
    first = cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).version
    assert cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).version == first  # now this process's copy
    text = (PROCESSES / f"{PROCESS}.bpmn").read_text().replace('name="Missed bin collection" isExecutable',
                                                               'name="Missed bin collection (v2)" isExecutable')
    deploy_text(web, f"{PROCESS}.bpmn", text)
    assert cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}).version == first + 1


def _service_of(ctx: Context, reference: str) -> tuple[str | None, str]:
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        return case.service_key, case.sensitivity


def test_a_directory_entry_added_or_removed_elsewhere_is_the_next_cases_service(two):
    web, worker = two
    assert _service_of(worker, _started(worker)) == (PROCESS, Sensitivity.NORMAL)
    entry = Entry("missed_bins", "Missed bins", DirectoryAction.START, process=PROCESS,
                  sensitivity=Sensitivity.RESTRICTED)
    directory_entries.save_entry(web, entry, "admin@example.gov.uk")
    assert _service_of(worker, _started(worker)) == ("missed_bins", Sensitivity.RESTRICTED)
    directory_entries.remove_entry(web, "missed_bins")
    assert _service_of(worker, _started(worker)) == (PROCESS, Sensitivity.NORMAL)


def _started(ctx: Context) -> str:
    return cases.start_case(ctx, PROCESS, {"postcode": "AB1 2CD"}).reference


def _tiny(key: str, label: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
            f'20100524/MODEL" id="d_{key}" targetNamespace="x"><bpmn:process id="{key}" name="{label}" '
            f'isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
            f'<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>').encode()


def test_two_deployments_sharing_a_process_at_once_both_succeed(ctx):
    """A deployment locks each of its processes in turn. Raising the counter as the first one was stored put the
    counter's lock between them, and two deployments sharing a process deadlocked on PostgreSQL."""
    from engine.bpmn import registry
    registry.deploy(ctx, {f"{key}.bpmn": _tiny(key, "v0") for key in ("pa", "pb")})
    for n in range(1, 11):  # the deadlock needed the two to interleave: it showed in about half of the runs of 5
        barrier, outcomes = threading.Barrier(2), []

        def deploy(keys: tuple[str, ...], label: str) -> None:
            barrier.wait()
            try:
                registry.deploy(ctx, {f"{key}.bpmn": _tiny(key, label) for key in keys})
                outcomes.append("ok")
            except Exception as err:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(err)[:300])

        threads = [threading.Thread(target=deploy, args=(keys, f"v{n} {who}"))
                   for keys, who in ((("pa", "pb"), "both"), (("pb",), "one"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == ["ok", "ok"], outcomes


OFFICER = "olu@example.gov.uk"


def _record(ctx: Context) -> None:
    """The person completes the first task of a new case (as themselves: the writer reads them and their teams)."""
    complete(ctx, cases.start_case(ctx, PROCESS, {"postcode": "AB1 2CD"}), "record_missed_collection", RECORD,
             actor=OFFICER)


def test_a_person_taken_off_their_team_or_deactivated_elsewhere_cannot_work_its_next_task(two):
    web, worker = two
    users.register(web, OFFICER, "Olu", [Role.FRONT_OFFICE], ["Customer Hub"], None)
    officer = next(p for p in users.list_staff(web) if p.email == OFFICER)
    _record(worker)
    _record(worker)  # the person and their teams are now this process's copies
    users.update_staff(web, officer.id, "Olu", ["front_office"], [])
    with pytest.raises(Forbidden):
        _record(worker)
    users.update_staff(web, officer.id, "Olu", ["front_office"], ["Customer Hub"])
    _record(worker)
    users.set_active(web, officer.id, False)
    with pytest.raises(UserNotFound):
        _record(worker)


def test_a_person_put_in_a_team_elsewhere_is_counted_in_it_when_they_start_a_case(two):
    """The MI counts a case started by a person against their first team (0: none), kept per person too."""
    web, worker = two
    users.register(web, OFFICER, "Olu", [Role.FRONT_OFFICE], [], None)
    officer = next(p for p in users.list_staff(web) if p.email == OFFICER)
    routing.add_team(web, "Aardvark Desk")
    for _ in range(2):
        cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}, actor=OFFICER)
    users.update_staff(web, officer.id, "Olu", ["front_office"], ["Aardvark Desk"])
    cases.start_case(worker, PROCESS, {"postcode": "AB1 2CD"}, actor=OFFICER)
    with worker.db.transaction(readonly=True) as session:
        team = session.scalars(select(Team.id).where(Team.name == "Aardvark Desk")).one()
        started_by = session.execute(select(MiCount.team_id, func.sum(MiCount.n)).where(
            MiCount.metric == "case_started", MiCount.channel != "*").group_by(MiCount.team_id)).all()
    assert dict(started_by) == {0: 2, team: 1}
