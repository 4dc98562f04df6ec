"""Appointments through the engine's use cases: slots on the council's working calendar (bank holidays,
closure days, the clock change), booking from the case's task, rebooking and cancelling on the timeline,
the last-slot race, reminders sent once through the fake Notify, check-in, no-shows told to the map once,
and the figures."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
from sqlalchemy import func, select

from adapters.registry import AdapterRegistry
from engine.appointments import appointment_arrivals, appointment_booking, appointment_calendar, appointment_stats
from engine.bpmn import registry
from engine.casework import cases
from engine.deadlines import calendar_settings
from engine.outbox import outbox
from engine.appointments.appointment_booking import SlotTaken
from engine.appointments.appointment_reminders import calendar_file
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import Conflict, NotFound
from engine.persistence.db import Database
from engine.persistence.tables import Appointment, Event, InboundMessage
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete, run_workers
from tests.processes.backoffice import BackOffice

MAP = "blue_badge_document_check"
RESIDENT = {"customer_name": "Pat Smith", "customer_email": "pat.smith@example.com", "customer_phone": "07700 900123"}
# Thursday 25 March 2027, 11:00 GMT: Good Friday (26th) and Easter Monday (29th) follow, and the clocks
# go forward on Sunday 28th.
THURSDAY = datetime(2027, 3, 25, 11, 0, tzinfo=timezone.utc)


def _context(database_url: str, clock: FixedClock, adapters=None) -> Context:
    return Context(Database(database_url), clock=clock, adapters=adapters,
                   settings=Settings(forms_dir=FORMS, public_url="https://council.example"))


@pytest.fixture
def hub(database_url):
    """A council with the document-check map, one hub with one desk open 09:00-10:00 on weekdays."""
    ctx = _context(database_url, FixedClock(THURSDAY))
    files = registry.read_paths([PROCESSES / f"{MAP}.bpmn", *sorted(FORMS.glob("blue-badge-document-check-*"))])
    registry.deploy(ctx, files)
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 20, "admin",
                                  "Photo ID and proof of address", grace_minutes=15)
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin", "Market Square, Anytown")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-fri 09:00-10:00", "admin")
    yield ctx
    ctx.db.dispose()


def _book_from_task(ctx: Context, data: dict | None = None):
    view = cases.start_case(ctx, MAP, {**RESIDENT, **(data or {})}, channel="face-to-face")
    offered = appointment_calendar.availability(ctx, "blue-badge-check", limit=3)
    view = complete(ctx, view, "book_check", {"appointment": offered[0].id})
    return view, offered, appointment_booking.case_appointments(ctx, view.reference)[0]


def test_slots_skip_bank_holidays_and_closure_days_and_keep_local_time_across_the_clock_change(hub):
    calendar_settings.close(hub, [date(2027, 3, 30)], "Staff training", "admin")
    slots = appointment_calendar.availability(hub, "blue-badge-check", limit=4)
    # Not Good Friday, not Easter Monday, not the closure day: Wednesday 31st, 09:00 BST = 08:00 UTC.
    assert [s.starts_at for s in slots] == [datetime(2027, 3, 31, 8, 0, tzinfo=timezone.utc),
                                            datetime(2027, 3, 31, 8, 20, tzinfo=timezone.utc),
                                            datetime(2027, 3, 31, 8, 40, tzinfo=timezone.utc),
                                            datetime(2027, 4, 1, 8, 0, tzinfo=timezone.utc)]
    # Before the change the same 09:00 is 09:00 UTC.
    before = appointment_calendar.availability(hub, "blue-badge-check", day=date(2027, 3, 24))
    assert before == []  # in the past
    hub.clock.set(datetime(2027, 3, 22, 6, 0, tzinfo=timezone.utc))
    monday = appointment_calendar.availability(hub, "blue-badge-check", day=date(2027, 3, 22))
    assert [s.starts_at.hour for s in monday] == [9, 9, 9]


def test_a_person_choosing_a_time_is_offered_each_place_and_time_once_however_many_desks_are_free(hub):
    appointment_calendar.set_desk(hub, "hub", "Desk 2", "mon-fri 09:00-10:00", "admin")
    by_desk = appointment_calendar.availability(hub, "blue-badge-check", limit=4)
    assert [(s.starts_at.minute, s.desk) for s in by_desk] == [(0, "Desk 1"), (0, "Desk 2"), (20, "Desk 1"), (20, "Desk 2")]
    offered = appointment_calendar.availability(hub, "blue-badge-check", limit=3, per_place=True)
    assert [(s.starts_at.minute, s.desk) for s in offered] == [(0, "Desk 1"), (20, "Desk 1"), (40, "Desk 1")]
    _book_from_task(hub)  # Desk 1 at 09:00 taken: 09:00 is still offered, at Desk 2
    offered = appointment_calendar.availability(hub, "blue-badge-check", limit=2, per_place=True)
    assert [(s.starts_at.minute, s.desk) for s in offered] == [(0, "Desk 2"), (20, "Desk 1")]


def test_an_advisor_books_rebooks_and_cancels_and_the_case_timeline_and_map_follow(hub):
    view, offered, booked = _book_from_task(hub)
    assert booked.status == "booked" and booked.starts_at == offered[0].starts_at and booked.case == view.reference
    assert appointment_calendar.availability(hub, "blue-badge-check", limit=1)[0].id == offered[1].id
    moved = appointment_booking.rebook(hub, booked.reference, offered[2].id, None)
    assert moved.starts_at == offered[2].starts_at
    assert appointment_calendar.availability(hub, "blue-badge-check", limit=1)[0].id == offered[0].id  # freed
    cancelled = appointment_booking.cancel(hub, booked.reference, None, "Resident has posted the documents")
    assert cancelled.status == "cancelled"
    assert cases.show_case(hub, view.reference).case.status == "completed"  # the map's cancelled path
    with hub.db.transaction(readonly=True) as session:
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.case_id.is_not(None)).order_by(Event.id))]
    assert [k for k in kinds if k.startswith("appointment")] == ["appointment_booked", "appointment_rebooked",
                                                                 "appointment_cancelled"]
    with pytest.raises(Conflict, match="cancelled, so it cannot be changed"):
        appointment_booking.rebook(hub, booked.reference, offered[0].id, None)


def test_cancelling_the_case_cancels_its_appointment_and_frees_the_slot(hub):
    view, offered, booked = _book_from_task(hub)
    cases.cancel_case(hub, view.reference, reason="Resident moved away")
    [after] = appointment_booking.case_appointments(hub, view.reference)
    assert after.status == "cancelled"
    assert appointment_calendar.availability(hub, "blue-badge-check", limit=1)[0].id == offered[0].id  # freed


def test_two_advisors_racing_for_the_last_slot_one_wins_the_other_is_offered_the_next(hub, database_url):
    first = cases.start_case(hub, MAP, RESIDENT, channel="phone")
    second = cases.start_case(hub, MAP, RESIDENT, channel="phone")
    last_today, *_ = appointment_calendar.availability(hub, "blue-badge-check", limit=1)
    outcomes: list[object] = []

    def advisor(reference: str):
        def act(ctx: Context) -> int:
            try:
                outcomes.append(appointment_booking.book_for_case(ctx, reference, "blue-badge-check", last_today.id,
                                                                  None))
            except SlotTaken as err:
                outcomes.append(err)
            return 0
        return act

    contexts = [_context(database_url, hub.clock) for _ in range(2)]
    import threading
    threads = [threading.Thread(target=advisor(ref), args=(c,))
               for ref, c in zip((first.reference, second.reference), contexts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in contexts:
        c.db.dispose()
    won = [o for o in outcomes if not isinstance(o, SlotTaken)]
    lost = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "the next free slot is Tuesday 30 March 2027 at 09:20" in lost[0].message
    loser = second.reference if won[0].case == first.reference else first.reference
    rebooked = appointment_booking.book_for_case(hub, loser, "blue-badge-check", lost[0].next_slot.id, None)
    assert rebooked.starts_at == won[0].starts_at + timedelta(minutes=20)
    with hub.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 2


def test_a_missed_appointment_becomes_a_no_show_and_the_map_hears_it_once(hub, database_url):
    view, _, booked = _book_from_task(hub)
    hub.clock.set(booked.starts_at + timedelta(minutes=14))
    assert appointment_arrivals.mark_no_shows(hub) == 0  # still inside the grace period
    hub.clock.set(booked.starts_at + timedelta(minutes=16))
    workers = [_context(database_url, hub.clock) for _ in range(2)]
    assert sum(run_workers(workers, appointment_arrivals.mark_no_shows)) == 1
    assert appointment_arrivals.mark_no_shows(hub) == 0
    with hub.db.transaction(readonly=True) as session:
        told = session.scalars(select(InboundMessage.status).where(InboundMessage.name == "appointment_no_show")).all()
    assert told == ["delivered"]
    assert [t.bpmn_id for t in cases.show_case(hub, view.reference).case.tasks] == ["follow_up_no_show"]
    with pytest.raises(Conflict, match="no show, so it cannot be checked in"):
        appointment_arrivals.act(hub, booked.reference, "check_in", None)


def test_reminders_go_once_on_booking_and_the_day_before_with_a_calendar_file(database_url):
    with BackOffice() as backoffice:
        adapters = AdapterRegistry.from_config(backoffice.config(), backoffice.env())
        ctx = _context(database_url, FixedClock(THURSDAY), adapters)
        files = registry.read_paths([PROCESSES / f"{MAP}.bpmn", *sorted(FORMS.glob("blue-badge-document-check-*"))])
        registry.deploy(ctx, files)
        appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 20, "admin", "Photo ID")
        appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin", "Market Square")
        appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-fri 09:00-10:00", "admin")
        view, _, booked = _book_from_task(ctx)
        assert outbox.run_due_calls(ctx, adapters) == 1 and outbox.run_due_calls(ctx, adapters) == 0
        ctx.clock.set(datetime(2027, 3, 29, 9, 0, 1, tzinfo=timezone.utc))  # Monday 10:00 BST, the day before
        assert outbox.run_due_calls(ctx, adapters) == 1 and outbox.run_due_calls(ctx, adapters) == 0
        sent = backoffice.notifications()
        assert [name for name, _, _ in sent] == ["appointment_booked", "appointment_reminder"]
        _, to, personalisation = sent[1]
        assert to == RESIDENT["customer_email"]
        assert personalisation["when"] == "Tuesday 30 March 2027 at 09:00"
        assert personalisation["reference"] == view.reference and personalisation["appointment"] == booked.reference
        assert personalisation["what_to_bring"] == "Photo ID"
        link = personalisation["calendar_link"]
        assert link.startswith(f"https://council.example/appointments/{booked.reference}/")
        ics = icalendar.Calendar.from_ical(calendar_file(ctx, booked.reference, link.rsplit("/", 1)[1][:-4]))
        event = ics.walk("VEVENT")[0]
        assert event.decoded("dtstart") == booked.starts_at and "Town Hall Hub" in str(event["location"])
        with pytest.raises(NotFound, match="no appointment"):
            calendar_file(ctx, booked.reference, "guessed")
        ctx.db.dispose()


def test_the_hub_checks_in_calls_and_finishes_and_the_figures_show_waiting_length_and_no_shows(hub):
    view, _, booked = _book_from_task(hub)
    start = booked.starts_at
    hub.clock.set(start - timedelta(minutes=5))
    appointment_arrivals.act(hub, booked.reference, "check_in", None)
    assert [t.bpmn_id for t in cases.show_case(hub, view.reference).case.tasks] == ["check_documents"]
    hub.clock.set(start + timedelta(minutes=2))
    appointment_arrivals.act(hub, booked.reference, "call", None)
    hub.clock.set(start + timedelta(minutes=14))
    done = appointment_arrivals.act(hub, booked.reference, "finish", None)
    assert done.status == "finished"
    walk_in = appointment_arrivals.walk_in(hub, "blue-badge-check", "hub", "Sam Jones", None)
    assert walk_in.status == "arrived" and walk_in.walk_in
    assert [a.reference for a in appointment_arrivals.today(hub, "hub")] == [booked.reference, walk_in.reference]
    _, _, missed = _book_from_task(hub)
    hub.clock.set(missed.starts_at + timedelta(minutes=30))
    appointment_arrivals.mark_no_shows(hub)
    figures = appointment_stats.stats(hub, date(2027, 3, 30), date(2027, 3, 30))
    assert figures["booked"] == 2 and figures["walk_ins"] == 1 and figures["available"] == 3
    assert figures["waiting_minutes"] == {"count": 1, "average": 7.0, "p50": 7.0, "p90": 7.0}
    assert figures["length_minutes"] == {"count": 1, "average": 12.0, "p50": 12.0, "p90": 12.0}
    assert figures["no_shows"] == 1 and figures["no_show_rate"] == 0.5
    assert figures["by_type"][0]["type"] == "blue-badge-check" and figures["by_location"][0]["walk_ins"] == 1
