"""The background worker: wakes cases whose timers are due (outbox and SLA jobs join it later).

Safe to run as several processes on PostgreSQL: each case is taken with ``FOR UPDATE SKIP LOCKED``
so two workers never fire the same timer. Never started from inside the web app.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import delete, select

from . import registry
from .context import Context
from .persistence.tables import Case, CaseState, Timer
from .projection import Projector
from .runtime import StepFailure
from .types import CaseStatus

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"


def _wake(ctx: Context, case_id: int) -> bool:
    """Fire one case's due timers. Locks the case first (as every other writer does, so no
    deadlock) and skips it if another worker or a person holds it right now."""
    with ctx.db.transaction() as session:
        case = session.scalar(select(Case).where(Case.id == case_id).with_for_update(skip_locked=True)
                              .execution_options(populate_existing=True))
        if case is None:
            return False
        due = session.scalar(select(Timer.id).where(Timer.case_id == case_id, Timer.due_at <= ctx.clock.now())
                             .limit(1))
        if due is None:  # fired by another worker, or the task finished, since we looked
            return False
        if case.status != CaseStatus.OPEN:
            session.execute(delete(Timer).where(Timer.case_id == case_id))
            return False
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
        return True


def fire_due_timers(ctx: Context, limit: int = 500) -> int:
    """Wake up to ``limit`` cases whose timers are due, one transaction per case.

    Reads only the indexed ``timer`` table, so the cost grows with due timers, not waiting cases.
    """
    woken: set[int] = set()
    tried: set[int] = set()
    while len(tried) < limit:
        with ctx.db.transaction(readonly=True) as session:
            query = select(Timer.case_id).where(Timer.due_at <= ctx.clock.now()).order_by(Timer.due_at)
            if tried:
                query = query.where(Timer.case_id.not_in(tried))
            batch = list(dict.fromkeys(session.scalars(query.limit(50))))
        if not batch:
            break
        for case_id in batch:
            tried.add(case_id)
            if _wake(ctx, case_id):
                woken.add(case_id)
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
