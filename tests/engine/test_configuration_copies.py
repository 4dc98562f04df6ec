"""Each process keeps copies of a lane's team and a process's SLA policies between transactions
(engine/persistence/configuration.py). Two contexts on one database stand for two processes (a worker
and a web server): a change made through one is seen by the other's very next step."""
from __future__ import annotations

import pytest

from engine.casework import cases
from engine.context import Context, Settings
from engine.deadlines import sla
from engine.deadlines.sla import SlaTerms
from engine.people import routing
from engine.persistence.db import Database
from engine.types import SlaUnit
from tests.conftest import FORMS
from tests.engine.helpers import deploy_library

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
