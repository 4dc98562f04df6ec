"""Workers say they are alive: each writes its heartbeat after every round of due timers, and readiness
and the worker-lag metric read the newest one."""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..context import Context
from ..persistence.tables import WorkerHeartbeat

# A stopped worker's row is pruned once it is this old, by whichever worker beats next.
FORGET_AFTER = timedelta(days=1)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(ctx: Context, worker: str, started_at: datetime) -> None:
    """Record that ``worker`` (started at ``started_at``) has just finished a round."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = session.get(WorkerHeartbeat, worker)
        if row is None:
            session.add(WorkerHeartbeat(worker=worker, started_at=started_at, beat_at=now))
        else:
            row.beat_at = now
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))


def newest(ctx: Context) -> datetime | None:
    """When some worker last finished a round (None: no worker ever has)."""
    with ctx.db.transaction(readonly=True) as session:
        return session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
