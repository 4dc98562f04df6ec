"""Weeks of everyday demand for the management-information dashboard (``/mi``): calls, web reports,
emails and visits day by day since the week before the last bank holiday (at most 16 weeks), busiest
on the working day after it, as hubs see after every long weekend; some contacts answered there and
then, missed bins handed to Waste Services and worked on time or late, questions handed back, and
customers chasing. Everything goes through the engine's use cases with the clock set back, so the
figures are what staff would have produced."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from engine.casework import cases, contacts, handback
from engine.catalogue import directory_actions
from engine.deadlines import calendar_settings
from engine.deadlines.calendar import WorkingCalendar, bank_holidays
from engine.clock import FixedClock
from engine.context import Context
from engine.types import Channel, ContactKind, DirectoryAction
from engine.background.worker import Worker

from .player import answers, dated
from .staff import ADVISOR, WORKER_OF

MAX_WEEKS = 16
USUAL = 3  # contacts on an ordinary working day; Mondays one more
AFTER_HOLIDAY = 5  # times as many on the first working day after a bank holiday
CHANNELS = [Channel.PHONE] * 9 + [Channel.WEB] * 5 + [Channel.EMAIL] * 3 + [Channel.FACE_TO_FACE] * 2
ANSWERED = ["bin_collection_day", "garden_waste", "recycling_centre", "parking_fine"]
HOURS = [9, 9, 10, 10, 10, 11, 11, 12, 13, 14, 14, 15, 16]


def first_day(calendar: WorkingCalendar, today: date) -> tuple[date, date | None]:
    """The week before the latest bank holiday (if it is within reach), and that holiday."""
    holidays = [d for d in bank_holidays(calendar.nation) if today - timedelta(weeks=MAX_WEEKS) < d < today]
    latest = max(holidays, default=None)
    start = latest - timedelta(days=7) if latest else today - timedelta(weeks=4)
    return start, latest


class History:
    def __init__(self, ctx: Context, clock: FixedClock, now: datetime) -> None:
        self.ctx, self.clock, self.now, self.rng = ctx, clock, now, random.Random(15)
        with ctx.db.transaction(readonly=True) as session:
            self.calendar = calendar_settings.load(session)
        self.played = 0

    def _at(self, day: date, hour: int) -> datetime:
        local = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.calendar.zone)
        return min(local.astimezone(self.now.tzinfo), self.now - timedelta(minutes=5))

    def _missed_bin(self, day: date, channel: Channel) -> None:
        rng, given = self.rng, answers("missed_bin_collection", "test_case_recollected")
        actor = None if channel == Channel.WEB else ADVISOR
        view = cases.start_case(self.ctx, "missed_bin_collection", {}, channel, actor=actor)
        [record] = [t for t in view.tasks if t.bpmn_id == "record_missed_collection"]
        self.clock.set(self.clock.now() + timedelta(minutes=4))
        view = cases.complete_task(self.ctx, record.id, dated(given["record_missed_collection"][0], day), ADVISOR)
        waste = [t for t in view.tasks if t.bpmn_id == "arrange_recollection"]
        if not waste:
            return
        officer = WORKER_OF["Waste Services"]
        if rng.random() < 0.1:  # a bounce-back, answered within the hour
            self.clock.set(self.clock.now() + timedelta(hours=2))
            asked = handback.hand_back(self.ctx, waste[0].id, "Which side of the house was the bin?", officer)
            self.clock.set(self.clock.now() + timedelta(minutes=40))
            handback.answer_question(self.ctx, asked.id, "By the back gate", ADVISOR)
        if rng.random() < 0.25:
            self.clock.set(self.clock.now() + timedelta(days=rng.randint(1, 3)))
            if self.clock.now() < self.now:
                contacts.log_contact(self.ctx, view.reference, Channel.PHONE,
                                     rng.choice([ContactKind.CHASING, ContactKind.CHASING, ContactKind.NOT_UNDERSTOOD]),
                                     "Asked when the bin will be collected", ADVISOR)
        later = self.clock.now() + timedelta(days=rng.choice([0, 1, 1, 2, 4, 7]), hours=3)
        if later < self.now - timedelta(days=1):
            self.clock.set(later)
            cases.claim_task(self.ctx, waste[0].id, officer)
            cases.complete_task(self.ctx, waste[0].id, dated(given["arrange_recollection"][0], later.date()), officer)

    def _contact(self, day: date) -> None:
        rng = self.rng
        channel = rng.choice(CHANNELS)
        self.clock.set(self._at(day, rng.choice(HOURS)))
        if rng.random() < 0.45:
            directory_actions.take_contact(self.ctx, rng.choice(ANSWERED), DirectoryAction.RESOLVE, channel,
                                           actor=ADVISOR)
        else:
            self._missed_bin(day, channel)
        self.played += 1

    def play(self) -> tuple[date, date | None]:
        """Play every working day from the start up to yesterday; returns the first day and the holiday."""
        today = self.calendar.local(self.now).date()
        start, holiday = first_day(self.calendar, today)
        after = self.calendar.next_working_day(holiday) if holiday else None
        day = start
        while day < today:
            if self.calendar.is_working_day(day):
                count = USUAL + (1 if day.weekday() == 0 else 0) + self.rng.randrange(-1, 2)
                for _ in range(count * (AFTER_HOLIDAY if day == after else 1)):
                    self._contact(day)
                self.clock.set(min(self._at(day, 18), self.now))
                Worker(self.ctx).run_once()  # the day's SLA warnings and breaches, on their day
            day += timedelta(days=1)
        return start, holiday
