"""Finding a case from whatever the resident quotes — its reference however typed, their name, phone,
email, postcode or address — only among the cases the person may see, on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.bpmn import registry
from engine.casework import cases, casesearch, customers
from engine.people import users
from engine.casework.casesearch import CaseSearch
from engine.errors import UserError
from engine.types import CaseStatus, Role
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
ADVISOR, OFFICER, OUTSIDER = "advisor@example.gov.uk", "officer@example.gov.uk", "outsider@example.gov.uk"


@dataclass
class World:
    """Pat's missed bin (now with Waste Services) and Sam's pothole (still with the Customer Hub)."""

    bin: str
    pothole: str
    cancelled: str


def seed(ctx) -> World:
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn",
                                              PROCESSES / "pothole_report.bpmn", FORMS]))
    with ctx.db.transaction() as session:
        users.add_user(session, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], ctx.clock.now(), ["Customer Hub"],
                       "correct horse battery staple")
        users.add_user(session, OFFICER, "Olu Officer", [Role.BACK_OFFICE], ctx.clock.now(), ["Waste Services"],
                       "correct horse battery staple")
        users.add_user(session, OUTSIDER, "Oona Outsider", [Role.BACK_OFFICE], ctx.clock.now(),
                       ["Environmental Health"], "correct horse battery staple")
    pat = customers.create_customer(ctx, {"name": "Pat O'Brien-Smith", "email": "Pat.Smith@Example.com",
                                          "phone": "+44 7700 900123", "address": "14 Mill Lane, Anytown",
                                          "postcode": "an1 2bc"})
    sam = customers.create_customer(ctx, {"name": "Sam Jones", "email": "sam@example.org", "phone": "01632 960001",
                                          "address": "2 High Street, Othertown", "postcode": "ZZ9 9ZZ"})
    view = cases.start_case(ctx, "missed_bin_collection", customer_id=pat.id, actor=ADVISOR)
    bin_case = complete(ctx, view, "record_missed_collection", RECORD, ADVISOR).reference
    pothole = cases.start_case(ctx, "pothole_report", customer_id=sam.id, actor=ADVISOR).reference
    cancelled = cases.start_case(ctx, "pothole_report", customer_id=sam.id, actor=ADVISOR).reference
    cases.cancel_case(ctx, cancelled, ADVISOR, "Duplicate")
    return World(bin_case, pothole, cancelled)


def found(ctx, text: str, viewer: str | None = ADVISOR, **filters) -> list[str]:
    return [h.reference for h in casesearch.find_cases(ctx, CaseSearch(text, **filters), viewer).items]


@pytest.fixture
def world(ctx) -> World:
    return seed(ctx)


def test_a_case_is_found_by_its_reference_however_it_is_typed(ctx, world):
    number = int(world.bin.split("-")[1])
    for typed in (world.bin, world.bin.lower(), world.bin.replace("-", ""), f"cf {number}", str(number),
                  f"{number:06d}", f"  {world.bin}  "):
        assert found(ctx, typed) == [world.bin], typed


def test_a_case_is_found_by_the_customers_name_phone_email_postcode_or_address(ctx, world):
    pats = [world.bin]
    sams = [world.cancelled, world.pothole]  # newest first
    assert found(ctx, "pat") == pats
    assert found(ctx, "o'brien SMITH") == pats  # words in any case, punctuation as typed
    assert found(ctx, "smi pat") == pats and found(ctx, "rien") == []  # the starts of words, in any order
    assert found(ctx, "07700 900123") == pats and found(ctx, "+447700900123") == pats
    assert found(ctx, "07700-900") == pats  # the start of a number
    assert found(ctx, "01632 960001") == sams
    assert found(ctx, "PAT.SMITH@example.com") == pats and found(ctx, "sam@") == sams
    assert found(ctx, "AN1 2BC") == pats and found(ctx, "an12bc") == pats and found(ctx, "zz9") == sams
    assert found(ctx, "mill lane") == pats and found(ctx, "high street othertown") == sams
    assert found(ctx, "nobody at all") == [] and found(ctx, "100%") == [] and found(ctx, "_") == []


def test_a_postcode_district_takes_in_its_own_postcodes_only(ctx, world):
    neighbour = customers.create_customer(ctx, {"name": "Lee Next", "postcode": "AN12 3CD"})
    nearby = cases.start_case(ctx, "pothole_report", customer_id=neighbour.id, actor=ADVISOR).reference
    assert found(ctx, "an1") == [world.bin] and found(ctx, "AN12") == [nearby]
    assert found(ctx, "an123cd") == [nearby] and found(ctx, "AN1 2BC") == [world.bin]


def test_results_say_service_status_team_customer_and_due_date(ctx, world):
    results = casesearch.find_cases(ctx, CaseSearch("pat"), ADVISOR)
    [hit] = results.items
    assert (hit.reference, hit.process, hit.service, hit.status, hit.team, hit.customer) == (
        world.bin, "missed_bin_collection", "Missed bin collection", "open", "Waste Services", "Pat O'Brien-Smith")
    assert hit.created_at and results.total == 1
    [cancelled] = casesearch.find_cases(ctx, CaseSearch(world.cancelled), ADVISOR).items
    assert cancelled.status == CaseStatus.CANCELLED and cancelled.team == "Customer Hub"  # its last team


def test_filters_narrow_by_status_service_and_team(ctx, world):
    assert found(ctx, "sam", status=CaseStatus.OPEN) == [world.pothole]
    assert found(ctx, "", status=CaseStatus.CANCELLED) == [world.cancelled]
    assert found(ctx, "", service="missed_bin_collection") == [world.bin]
    assert found(ctx, "", team="Waste Services") == [world.bin]
    assert found(ctx, "", team="No such team") == [] and found(ctx, "", service="no_such_service") == []
    assert found(ctx, "") == []  # an empty search lists nothing


def test_people_outside_a_cases_teams_do_not_find_it(ctx, world):
    assert found(ctx, "AN1", viewer=OFFICER) == [world.bin]  # Waste Services has a task on it
    assert found(ctx, "zz9", viewer=OFFICER) == []  # Sam's cases never reached Waste Services
    assert found(ctx, world.pothole, viewer=OFFICER) == []
    assert found(ctx, world.bin, viewer=OUTSIDER) == [] and found(ctx, "pat", viewer=OUTSIDER) == []
    assert found(ctx, "zz9", viewer=None) == [world.cancelled, world.pothole]  # the operator sees all


def test_a_reference_typed_in_full_is_an_exact_match_for_those_who_may_see_it(ctx, world):
    number = int(world.bin.split("-")[1])
    assert casesearch.find_cases(ctx, CaseSearch(world.bin.lower()), ADVISOR).exact == world.bin
    assert casesearch.find_cases(ctx, CaseSearch(world.bin), OFFICER).exact == world.bin
    assert casesearch.find_cases(ctx, CaseSearch(world.bin), OUTSIDER).exact is None
    assert casesearch.find_cases(ctx, CaseSearch(str(number)), ADVISOR).exact is None  # could be anything
    assert casesearch.full_reference("CF10") is None  # a Cardiff postcode district, not case 10


def test_results_are_paginated_newest_first(ctx, world):
    first = casesearch.find_cases(ctx, CaseSearch("sam"), ADVISOR, page=1, page_size=1)
    second = casesearch.find_cases(ctx, CaseSearch("sam"), ADVISOR, page=2, page_size=1)
    assert (first.total, [h.reference for h in first.items], [h.reference for h in second.items]) == (
        2, [world.cancelled], [world.pothole])


def test_a_search_longer_than_a_resident_would_quote_is_refused(ctx, world):
    with pytest.raises(UserError, match="200 characters or fewer"):
        casesearch.find_cases(ctx, CaseSearch("x" * 201), ADVISOR)


def test_changing_a_customers_details_changes_what_finds_their_cases(ctx, world):
    [pat] = customers.find_customers(ctx, customers.CustomerQuery(name="pat"))
    customers.update_customer(ctx, pat.id, {"name": pat.name, "phone": "020 7946 0000", "postcode": "BB1 1BB"})
    assert found(ctx, "07700 900123") == [] and found(ctx, "an1") == []
    assert found(ctx, "020 7946 0000") == [world.bin] and found(ctx, "bb1 1bb") == [world.bin]
