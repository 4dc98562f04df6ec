"""The background worker: wakes cases whose timers are due (outbox and SLA jobs join it later).

Safe to run as several processes on PostgreSQL: each case is taken with ``FOR UPDATE SKIP LOCKED``
so two workers never fire the same timer. Never started from inside the web app.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from . import registry
from .context import Context
from .persistence.tables import Case, CaseState, Timer
from .projection import Projector
from .runtime import StepFailure
from .types import CaseStatus

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"


def fire_due_timers(ctx: Context, limit: int = 500) -> int:
    """Fire up to ``limit`` cases' due timers, one transaction per case. Returns cases woken."""
    woken: set[int] = set()
    for _ in range(limit):
        with ctx.db.transaction() as session:
            query = (select(Timer).where(Timer.due_at <= ctx.clock.now()).order_by(Timer.due_at).limit(1)
                     .with_for_update(skip_locked=True))
            if woken:
                query = query.where(Timer.case_id.not_in(woken))
            timer = session.scalar(query)
            if timer is None:
                break
            woken.add(timer.case_id)
            case = session.get_one(Case, timer.case_id, with_for_update=True, populate_existing=True)
            if case.status != CaseStatus.OPEN:
                session.delete(timer)
                continue
            loaded = registry.loaded_spec(ctx, case.version)
            state = session.get_one(CaseState, case.id)
            workflow = ctx.runtime.load(loaded, state.state)
            failure: StepFailure | None = None
            try:
                ctx.runtime.fire_timers(workflow)
            except StepFailure as err:
                failure = err
            Projector(ctx, session, case, loaded, WORKER_ACTOR).save(workflow, failure, state_row=state)
            logger.info("timer fired for case %s", case.reference, extra={"case": case.reference})
    return len(woken)


class Worker:
    def __init__(self, ctx: Context, interval_s: float = 5.0) -> None:
        self.ctx, self.interval_s = ctx, interval_s

    def run_once(self) -> int:
        return fire_due_timers(self.ctx)

    def run_forever(self) -> None:
        scheduler = BlockingScheduler(timezone="UTC")
        scheduler.add_job(self.run_once, "interval", seconds=self.interval_s, max_instances=1, coalesce=True,
                          id="timers")
        logger.info("worker started")
        scheduler.start()
