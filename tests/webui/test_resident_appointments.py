"""Residents book online: a published map whose form has an appointment field offers the next free
slots under each day's name (London time, Welsh on the Welsh pages); the slot is booked with the case's
start, so the resident who loses the last slot to another keeps no case and is offered the next ones;
the confirmation page says when, where and what to bring, with the calendar file."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.appointments import appointment_booking, appointment_calendar
from engine.bpmn import registry
from engine.residents import publishing, web_reports
from engine.appointments.appointment_booking import SlotTaken
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Appointment, Case, OutboxCall, Task
from engine.types import CallKind, TaskStatus
from tests.conftest import FORMS, PROCESSES

from .conftest import csrf_token

MAP = "blue_badge_document_check"
ADMIN = "admin@example.gov.uk"
CONTACT = {"contact_name": "Pat Smith", "contact_address": "1 High Street, Anytown", "contact_postcode": "an1 2bc",
           "contact_email": "pat@example.org", "contact_phone": ""}
TUESDAY = datetime(2027, 3, 30, 7, 0, tzinfo=timezone.utc)  # 08:00 BST, after the clocks went forward


@pytest.fixture
def hub(ctx):
    """The document check published on the web; one desk with two 10-minute slots each weekday morning."""
    ctx.clock = FixedClock(TUESDAY)
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 10, ADMIN,
                                  "Photo ID, proof of address and your benefit letter")
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", ADMIN, "Market Square, Anytown")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-fri 09:00-09:20", ADMIN)
    publishing.publish(ctx, MAP, channels=["web"], title="Book a Blue Badge document check", actor=ADMIN)
    return ctx


def _check_page(client, slot: str | None = None, **contact):
    form = client.get(f"/report/{MAP}/form").get_data(as_text=True)
    chosen = slot or re.search(r'name="appointment" type="radio" value="([^"]+)"', form).group(1)
    return client.post(f"/report/{MAP}/form", data={"csrf_token": csrf_token(form), "appointment": chosen,
                                                     **CONTACT, **contact}), chosen


def _send(client, check):
    html = check.get_data(as_text=True)
    answers = re.search(r'name="answers" value="([^"]+)"', html).group(1)
    return client.post(f"/report/{MAP}/send", data={"answers": answers, "csrf_token": csrf_token(html)})


def test_a_resident_picks_a_time_online_and_the_confirmation_says_when_where_and_what_to_bring(app, hub):
    client = app.test_client()
    form = client.get(f"/report/{MAP}/form").get_data(as_text=True)
    assert "Book a time to show us your Blue Badge documents" in form
    # Grouped by day, in London time: 09:00 BST is 08:00 UTC.
    assert form.index("Tuesday 30 March 2027") < form.index("09:10") < form.index("Wednesday 31 March 2027")
    assert '<span class="govuk-visually-hidden">Tuesday 30 March 2027, </span>09:00' in form
    check, slot = _check_page(client)
    assert slot.endswith("@2027-03-30T08:00Z")
    assert "Tuesday 30 March 2027 at 09:00, Town Hall Hub" in check.get_data(as_text=True)
    sent = _send(client, check)
    assert sent.status_code == 302
    done = client.get(sent.headers["Location"]).get_data(as_text=True)
    reference = re.search(r"CF-\d{6}", done).group(0)
    for said in ("Your appointment", "Tuesday 30 March 2027", "09:00", "Town Hall Hub, Market Square, Anytown",
                 "Photo ID, proof of address and your benefit letter", "Add the appointment to your calendar"):
        assert said in done
    ics = re.search(r'href="(/appointments/AP-\d{6}/[^"]+\.ics)"', done).group(1)
    calendar = client.get(ics)
    assert calendar.status_code == 200 and b"DTSTART" in calendar.data and b"Town Hall Hub" in calendar.data
    [booked] = appointment_booking.case_appointments(hub, reference)
    assert booked.status == "booked" and booked.starts_at.replace(tzinfo=timezone.utc) == \
        datetime(2027, 3, 30, 8, 0, tzinfo=timezone.utc)
    with hub.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        waiting = session.scalars(select(Task.bpmn_id).where(Task.case_id == case.id,
                                                             Task.status == TaskStatus.OPEN)).all()
        acknowledgement = session.scalars(select(OutboxCall).where(
            OutboxCall.case_id == case.id, OutboxCall.kind == CallKind.APPOINTMENT_REMINDER)).all()
    assert "book_check" not in waiting  # the resident's answer completed the booking task with the start
    assert case.data["appointment"]["reference"] == booked.reference
    sent_now = [c for c in acknowledgement if c.bpmn_id == "appointment_booked"]
    assert len(sent_now) == 1
    said = sent_now[0].params["personalisation"]
    assert said["when"] == "Tuesday 30 March 2027 at 09:00" and said["place"] == "Town Hall Hub, Market Square, Anytown"
    assert said["what_to_bring"].startswith("Photo ID") and said["calendar_link"].endswith(".ics")


def test_two_residents_pick_the_last_slot_and_the_second_is_offered_the_next_ones(app, hub):
    first, second = app.test_client(), app.test_client()
    check_one, slot = _check_page(first)
    check_two, _ = _check_page(second, slot, contact_name="Sam Jones")
    assert _send(first, check_one).status_code == 302
    lost = _send(second, check_two)
    html = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert "That time has just been booked by someone else. Choose another time" in html
    assert f'value="{slot}"' not in html and "09:10" in html  # the next free slots
    assert 'value="Sam Jones"' in html  # what they typed is kept
    with hub.db.transaction(readonly=True) as session:  # nothing of the second sending was kept
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(Appointment)) == 1


def test_the_slots_are_worded_in_welsh_on_the_welsh_pages(app, hub):
    client = app.test_client()
    form = client.get(f"/report/{MAP}/form?lang=cy").get_data(as_text=True)
    assert "Dewiswch amser" in form and "Dydd Mawrth 30 Mawrth 2027" in form
    check, _ = _check_page(client)
    assert "Dydd Mawrth 30 Mawrth 2027 am 09:00, Town Hall Hub" in check.get_data(as_text=True)
    done = client.get(_send(client, check).headers["Location"]).get_data(as_text=True)
    assert "Eich apwyntiad" in done and "Ychwanegu’r apwyntiad at eich calendr" in done


def test_residents_sending_at_the_same_moment_for_the_last_slot_give_one_case(hub, database_url):
    slot = appointment_calendar.availability(hub, "blue-badge-check", limit=1)[0].id
    outcomes: list[object] = []

    def resident(number: int) -> None:
        ctx = Context(Database(database_url), clock=hub.clock, settings=Settings(forms_dir=FORMS))
        try:
            outcomes.append(web_reports.submit(ctx, MAP, {"appointment": slot},
                                               {"name": f"Resident {number}", "address": "1 High Street",
                                                "postcode": "AN1 2BC"}, sending=f"sending-{number}"))
        except SlotTaken as err:
            outcomes.append(err)
        finally:
            ctx.db.dispose()

    threads = [threading.Thread(target=resident, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [o for o in outcomes if isinstance(o, web_reports.WebReport)]
    lost = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].next_slot is not None and lost[0].next_slot.id != slot
    with hub.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
