"""Tables the operators' tooling reads: each worker's heartbeat (``engine.background.heartbeat``), for ``/readyz`` and
the worker-lag metric."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class WorkerHeartbeat(Base):
    """The last time one worker process (``host:pid``) finished a round of due timers. A worker that
    stopped leaves its row behind, so readiness reads the newest beat, and old rows are pruned by the
    beating workers."""

    __tablename__ = "worker_heartbeat"
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime] = mapped_column(index=True)
