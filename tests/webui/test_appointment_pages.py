"""The appointment pages: an admin sets up a type, a hub and a desk; an advisor books the resident from
the case's task (offered the next free slots); the greeter checks them in, calls and finishes on the
arrivals page; the figures page counts it; the resident's calendar link opens only with its token."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from engine.appointments import appointment_booking
from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.persistence.tables import Appointment
from engine.types import Role
from tests.conftest import FORMS, PROCESSES

from .conftest import csrf_token

MAP = "blue_badge_document_check"


def _post(client, page: str, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True)), **data})


def test_an_advisor_books_from_the_task_and_the_hub_sees_the_resident_through(ctx, signed_in, app):
    ctx.clock = FixedClock(datetime(2027, 3, 30, 7, 0, tzinfo=timezone.utc))  # Tuesday, 08:00 BST
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    admin = signed_in(Role.ADMIN)
    for url, data in (("/admin/appointments/types", {"form": "type", "key": "blue-badge-check", "minutes": "10",
                                                     "name": "Blue Badge document check", "what_to_bring": "Photo ID"}),
                      ("/admin/appointments/locations", {"form": "location", "key": "hub", "name": "Town Hall Hub"}),
                      ("/admin/appointments/desks", {"form": "desk", "location": "hub", "name": "Desk 1",
                                                     "pattern": "mon-fri 09:00-10:00"})):
        assert _post(admin, "/admin/appointments", url, data).status_code == 302
    listed = admin.get("/admin/appointments").get_data(as_text=True)
    assert "Blue Badge document check" in listed and "Mon 09:00–10:00" in listed
    refused = _post(admin, "/admin/appointments", "/admin/appointments/desks",
                    {"form": "desk", "location": "hub", "name": "Desk 2", "pattern": "someday 9-5"})
    assert refused.status_code == 400 and "is not a day or a range of days" in refused.get_data(as_text=True)

    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    view = cases.start_case(ctx, MAP, {"customer_name": "Pat Smith"}, channel="face-to-face")
    task_page = advisor.get(f"/tasks/{view.tasks[0].id}").get_data(as_text=True)
    assert "Tuesday 30 March 2027 at 09:00" in task_page and "Town Hall Hub, Desk 1" in task_page
    slot = re.search(r'name="appointment" type="radio" value="([^"]+)"', task_page).group(1)
    check = _post(advisor, f"/tasks/{view.tasks[0].id}", f"/tasks/{view.tasks[0].id}", {"appointment": slot})
    answers = re.search(r'name="answers" value="([^"]+)"', check.get_data(as_text=True)).group(1)
    done = advisor.post(f"/tasks/{view.tasks[0].id}/check",
                        data={"csrf_token": csrf_token(check.get_data(as_text=True)), "answers": answers})
    assert done.status_code == 302
    [booked] = appointment_booking.case_appointments(ctx, view.reference)
    assert booked.status == "booked" and booked.starts_at.hour == 8

    case_page = advisor.get(f"/cases/{view.reference}").get_data(as_text=True)
    assert f"booked appointment {booked.reference} for 30 March 2027, 09:00" in case_page
    appointment_page = advisor.get(f"/appointments/{booked.reference}").get_data(as_text=True)
    assert "Move it to another time" in appointment_page and "30 March 2027, 09:10" in appointment_page
    later = re.findall(r'name="slot" type="radio" value="([^"]+)"', appointment_page)[0]
    moved = _post(advisor, f"/appointments/{booked.reference}", f"/appointments/{booked.reference}/rebook",
                  {"slot": later})
    assert moved.status_code == 302
    assert "moved to 30 March 2027, 09:10" in advisor.get(moved.location).get_data(as_text=True)
    nonsense = _post(advisor, f"/appointments/{booked.reference}", f"/appointments/{booked.reference}/rebook",
                     {"slot": "tomorrow"})
    assert nonsense.status_code == 400 and "is not a slot" in nonsense.get_data(as_text=True)
    [booked] = appointment_booking.case_appointments(ctx, view.reference)

    arrivals = advisor.get("/arrivals").get_data(as_text=True)
    assert "Pat Smith" in arrivals and "09:10" in arrivals and "Check in" in arrivals
    for action, after in (("check_in", "Waiting"), ("call", "With an officer"), ("finish", "Finished")):
        done = _post(advisor, "/arrivals", f"/arrivals/{booked.reference}/{action}", {"location": "hub"})
        assert done.status_code == 302
        assert after in advisor.get("/arrivals").get_data(as_text=True)
    assert [t.bpmn_id for t in cases.show_case(ctx, view.reference).case.tasks] == ["check_documents"]
    again = _post(advisor, "/arrivals", f"/arrivals/{booked.reference}/check_in", {"location": "hub"})
    assert "cannot be checked in" in advisor.get(again.location).get_data(as_text=True)
    assert _post(advisor, "/arrivals", "/arrivals/walk-in", {"location": "hub", "type": "blue-badge-check",
                                                            "name": "Sam Jones"}).status_code == 302
    assert "Walk-in" in advisor.get("/arrivals").get_data(as_text=True)

    figures = advisor.get("/appointments/figures?from=2027-03-30&to=2027-03-30").get_data(as_text=True)
    assert "1 of 6 slots available" in figures and "Demand by appointment type" in figures
    assert advisor.get("/appointments/figures?from=2027-03-30&to=2027-03-01").status_code == 400

    with ctx.db.transaction(readonly=True) as session:
        token = session.scalar(select(Appointment.token).where(Appointment.reference == booked.reference))
    anyone = app.test_client()
    ics = anyone.get(f"/appointments/{booked.reference}/{token}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    assert anyone.get(f"/appointments/{booked.reference}/guessed.ics").status_code == 404
    assert anyone.get("/arrivals").status_code == 302  # staff only: to the sign-in page
    assert signed_in(Role.ANALYST).get("/admin/appointments").status_code == 403
