"""Appointments through the REST API: staff list the types, locations and free slots between two days,
book a case's resident, lose a slot someone just took (409 naming the next free one), rebook, cancel,
check the resident in, call and finish, and list the day; callers without the role are refused."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.appointments import appointment_calendar
from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.types import Role
from tests.conftest import FORMS, PROCESSES
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)

MAP = "blue_badge_document_check"
TUESDAY = datetime(2027, 3, 30, 7, 0, tzinfo=timezone.utc)  # 08:00 BST


@pytest.fixture
def hub(ctx):
    ctx.clock = FixedClock(TUESDAY)
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 10, "admin", "Photo ID")
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin", "Market Square")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-fri 09:00-09:30", "admin")
    return ctx


def test_an_advisor_books_moves_and_the_hub_sees_the_resident_through_over_the_api(api_as, hub):
    advisor = api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))
    assert [t["key"] for t in advisor.get("/appointments/types").json] == ["blue-badge-check"]
    [place] = advisor.get("/appointments/locations").json
    assert place["key"] == "hub" and place["desks"][0]["name"] == "Desk 1"
    slots = advisor.get("/appointments/types/blue-badge-check/slots?from=2027-03-30&to=2027-03-31&location=hub")
    assert slots.status_code == 200
    starts = [s["starts_at"] for s in slots.json]
    assert starts[0] == "2027-03-30T08:00:00+00:00" and len(starts) == 6 and starts[-1].startswith("2027-03-31T08:20")
    case = cases.start_case(hub, MAP, {"customer_name": "Pat Smith"}, channel="phone")
    other = cases.start_case(hub, MAP, {"customer_name": "Sam Jones"}, channel="phone")
    booked = advisor.post(f"/cases/{case.reference}/appointments", json={"type": "blue-badge-check",
                                                                         "slot": slots.json[0]["slot"]})
    assert booked.status_code == 201, booked.json
    reference = booked.json["reference"]
    assert booked.json["status"] == "booked" and booked.json["case"] == case.reference
    taken = advisor.post(f"/cases/{other.reference}/appointments", json={"type": "blue-badge-check",
                                                                        "slot": slots.json[0]["slot"]})
    assert taken.status_code == 409 and "just been booked" in taken.json["message"]
    assert taken.json["next_slot"]["slot"] == slots.json[1]["slot"]
    moved = advisor.post(f"/appointments/{reference}/rebook", json={"slot": slots.json[2]["slot"]})
    assert moved.status_code == 200 and moved.json["starts_at"] == slots.json[2]["starts_at"]
    assert [a["reference"] for a in advisor.get(f"/cases/{case.reference}/appointments").json] == [reference]
    day = advisor.get("/appointments?date=2027-03-30&location=hub")
    assert [(a["reference"], a["status"]) for a in day.json] == [(reference, "booked")]
    for action, status in (("check-in", "arrived"), ("call", "in_progress"), ("finish", "finished")):
        done = advisor.post(f"/appointments/{reference}/{action}")
        assert done.status_code == 200 and done.json["status"] == status, done.json
    again = advisor.post(f"/appointments/{reference}/finish")
    assert again.status_code == 409
    assert advisor.get(f"/appointments/{reference}").json["finished_at"] is not None
    second = advisor.post(f"/cases/{other.reference}/appointments",
                          json={"type": "blue-badge-check", "slot": slots.json[1]["slot"]}).json["reference"]
    cancelled = advisor.post(f"/appointments/{second}/cancel", json={"reason": "Phoned to cancel"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"


def test_wrong_requests_are_refused_with_field_errors(api_as, hub):
    advisor = api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))
    assert advisor.get("/appointments?date=").status_code == 422
    wrong = advisor.get("/appointments/types/blue-badge-check/slots?from=30-03-2027")
    assert wrong.status_code == 422 and "from" in wrong.json["errors"]
    backwards = advisor.get("/appointments/types/blue-badge-check/slots?from=2027-04-02&to=2027-04-01")
    assert backwards.status_code == 422 and "to" in backwards.json["errors"]
    assert advisor.get("/appointments/types/nothing/slots").status_code == 404
    assert advisor.get("/appointments/AP-999999").status_code == 404
    case = cases.start_case(hub, MAP, {"customer_name": "Pat Smith"}, channel="phone")
    bad_slot = advisor.post(f"/cases/{case.reference}/appointments", json={"type": "blue-badge-check",
                                                                          "slot": "1@2027-03-30T08:05Z"})
    assert bad_slot.status_code == 400 and "not a free slot" in bad_slot.json["message"]
    analyst = api_as(Role.ANALYST)
    assert analyst.get("/appointments/types").status_code == 403
