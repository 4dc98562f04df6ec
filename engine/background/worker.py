"""The background worker: wakes cases whose timers are due, sweeps SLA clocks (warnings, breaches,
escalations) and sends notifications through an external sender when one is plugged in.

Safe to run as several processes on PostgreSQL: each case is taken through the case writer with
``FOR UPDATE SKIP LOCKED``, so two workers never fire the same timer or escalate the same breach.
Never started from inside the web app.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import bindparam, delete, select

from ..appointments import appointment_arrivals
from ..casework import writer
from ..context import Context
from ..email import email_replies, mail_intake
from ..errors import StateUnreadable
from ..governance import retention
from ..open311 import open311_media
from ..outbox import outbox
from ..people import notifications
from ..persistence.db import DatabaseUnavailable
from ..persistence.tables import Timer
from ..types import CaseStatus
from . import escalation, heartbeat, polling, sweeps

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"


# Built once: each timer fired reads it; a batch of cases, which of them have a timer due.
_DUE_TIMER = select(Timer.id).where(Timer.case_id == bindparam("case"), Timer.due_at < bindparam("now")).limit(1)
_DUE_CASES = select(Timer.case_id).where(Timer.case_id.in_(bindparam("cases", expanding=True)),
                                         Timer.due_at < bindparam("now")).distinct()
TIMER_BATCH = 10  # cases fired in one transaction: a commit per case was a tenth of a timer's cost


def _wake(ctx: Context, case_id: int) -> bool:
    """Fire one case's due timers, through the case writer; a case another worker or a person holds
    right now is skipped (the next round takes it)."""
    with writer.try_open_case(ctx, case_id, WORKER_ACTOR) as w:
        fired = w is not None and _fire(ctx, w, w.session.scalar(_DUE_TIMER, {"case": case_id, "now": w.now}))
    if fired and w is not None:
        _fired(w.case.reference)
    return fired


def _wake_batch(ctx: Context, case_ids: list[int]) -> int:
    """Fire the due timers of a batch of cases in one transaction (those someone holds are skipped). If
    anything in it fails, nothing of the batch is kept and each case is fired in a transaction of its
    own instead: a case that fails there is logged and left as it was, due, for the next round, and
    the others fire. The database itself unavailable ends the round, as it would any job."""
    try:
        with writer.try_open_cases(ctx, case_ids, WORKER_ACTOR) as writers:
            due = set(writers[0].session.scalars(_DUE_CASES, {"cases": [w.case.id for w in writers],
                                                              "now": writers[0].now})) if writers else set()
            fired = [w.case.reference for w in writers if _fire(ctx, w, w.case.id in due)]
        for reference in fired:
            _fired(reference)
        return len(fired)
    except DatabaseUnavailable:
        raise
    except Exception:  # noqa: BLE001 - each case is taken again alone below, and its own error logged there
        logger.warning("a batch of %d cases with due timers was undone; firing them one at a time", len(case_ids))
    count = 0
    for case_id in case_ids:
        try:
            count += _wake(ctx, case_id)
        except DatabaseUnavailable:
            raise
        except Exception:  # noqa: BLE001 - one broken case must not stop every timer due after it
            logger.exception("the due timers of case id %d could not be fired; it stays due", case_id,
                             extra={"case_id": case_id})
    return count


def _fire(ctx: Context, w: writer.CaseWriter, due: object) -> bool:
    """Fire the due timers of the case ``w`` holds (``due``: it still has one due; none: another
    worker fired it, or its task finished, since the sweep looked)."""
    if not due:
        return False
    if w.case.status != CaseStatus.OPEN:
        w.session.execute(delete(Timer).where(Timer.case_id == w.case.id))
        return False
    try:
        w.load()
    except StateUnreadable as err:
        # It would be the first due timer on every sweep and stop all the others: the case
        # fails (its page says why; it can be cancelled) and its timers are dropped.
        w.projector.fail_unreadable(f"The case's {err.message.removeprefix('its ')}")
        logger.warning("case %s cannot be loaded: %s", w.case.reference, err.message,
                       extra={"case": w.case.reference})
        return False
    w.step(ctx.runtime.fire_timers)
    w.save()
    return True


def _fired(reference: str | None) -> None:
    """Logged once the timer's transaction has committed."""
    logger.info("timer fired for case %s", reference, extra={"case": reference})


def fire_due_timers(ctx: Context, limit: int = 500) -> int:
    """Wake up to ``limit`` cases whose timers are due, ``TIMER_BATCH`` cases per transaction.

    Reads only the indexed ``timer`` table, so the cost grows with due timers, not waiting cases.
    A timer is due once its instant has passed (strictly: SpiffWorkflow fires only after it).
    """
    now = ctx.clock.now()
    return sweeps.each_due_batch(
        ctx, lambda: select(Timer.case_id).where(Timer.due_at < now).order_by(Timer.due_at),
        lambda case_ids: _wake_batch(ctx, case_ids), limit, TIMER_BATCH)


def sweep_slas(ctx: Context) -> int:
    """Record due SLA warnings and breaches and run their escalations; then send notifications."""
    recorded = escalation.sweep(ctx, WORKER_ACTOR)
    notifications.dispatch(ctx)
    return recorded


def apply_retention(ctx: Context) -> int:
    """Remove personal data from closed cases past their retention period (daily; engine/governance/retention.py)."""
    return len(retention.run(ctx, WORKER_ACTOR, record_empty=False).cases)


@dataclass(frozen=True)
class Round:
    timers: int
    sla_events: int
    calls: int = 0
    updates: int = 0
    emails: int = 0
    no_shows: int = 0
    photos: int = 0


class Worker:
    def __init__(self, ctx: Context, interval_s: float = 5.0, sla_interval_s: float = 30.0,
                 poll_interval_s: float = 60.0) -> None:
        self.ctx, self.interval_s, self.sla_interval_s = ctx, interval_s, sla_interval_s
        self.poll_interval_s = poll_interval_s
        self.name, self.started_at = heartbeat.this_worker(), ctx.clock.now()

    def _logged(self, job: str, run: Callable[[], int]) -> Callable[[], int]:
        """``run`` with a log line per round (what it did, how long it took: no personal data); the
        timers' round also records this worker's heartbeat (readiness, the worker-lag metric)."""
        def logged() -> int:
            began = time.perf_counter()
            done = run()
            if job == "timers":
                heartbeat.beat(self.ctx, self.name, self.started_at)
            took = time.perf_counter() - began
            logger.info("worker %s round: %d done in %.3fs", job, done, took,
                        extra={"job": job, "count": done, "duration_ms": round(took * 1000)})
            return done
        return logged

    def _jobs(self) -> dict[str, Callable[[], int]]:
        return {"timers": lambda: fire_due_timers(self.ctx), "sla": lambda: sweep_slas(self.ctx),
                "outbox": self.run_calls, "status-updates": self.poll, "mailboxes": self.read_mail,
                "no-shows": lambda: appointment_arrivals.mark_no_shows(self.ctx),
                "open311-photos": lambda: open311_media.fetch_pending(self.ctx)}

    def run_once(self) -> Round:
        done = {job: self._logged(job, run)() for job, run in self._jobs().items()}
        return Round(done["timers"], done["sla"], done["outbox"], done["status-updates"], done["mailboxes"],
                     done["no-shows"], done["open311-photos"])

    def run_calls(self) -> int:
        """Make due adapter calls from the outbox (none when no adapters are configured)."""
        return outbox.run_due_calls(self.ctx, self.ctx.adapters) if self.ctx.adapters is not None else 0

    def poll(self) -> int:
        """Turn back-office status updates (Open311) into messages to their cases, and refused
        batch rows (revenues) into incidents."""
        return polling.poll_status_updates(self.ctx) + polling.collect_batch_rejections(self.ctx)

    def read_mail(self) -> int:
        """Take new emails from the configured mailboxes into the triage inboxes (engine.email.mail_intake), then
        send the replies written on cases (engine.email.email_replies)."""
        taken = mail_intake.poll_mailboxes(self.ctx)
        email_replies.send_due(self.ctx)
        return taken

    def _schedule(self, scheduler: BaseScheduler) -> BaseScheduler:
        every = {"timers": self.interval_s, "sla": self.sla_interval_s, "outbox": self.interval_s,
                 "status-updates": self.poll_interval_s, "mailboxes": self.poll_interval_s,
                 "no-shows": self.sla_interval_s, "open311-photos": self.interval_s}
        for job, run in self._jobs().items():
            scheduler.add_job(self._logged(job, run), "interval", seconds=every[job], max_instances=1, coalesce=True,
                              id=job, name=job)
        scheduler.add_job(self._logged("retention", lambda: apply_retention(self.ctx)), "interval", hours=24,
                          max_instances=1, coalesce=True, id="retention", name="retention",
                          # A minute after start, then daily: a worker restarted nightly still runs it.
                          next_run_time=datetime.now(timezone.utc) + timedelta(minutes=1))
        return scheduler

    def run_forever(self) -> None:
        """``councilflow worker``: a process of its own (run several on PostgreSQL)."""
        logger.info("worker started")
        self._schedule(BlockingScheduler(timezone="UTC")).start()

    def start_embedded(self) -> BaseScheduler:
        """The single-machine mode: the same jobs on a thread of ``councilflow serve`` (once per
        server process, never per web worker or inside ``create_app``)."""
        scheduler = self._schedule(BackgroundScheduler(timezone="UTC", daemon=True))
        scheduler.start()
        logger.info("embedded worker started")
        return scheduler
