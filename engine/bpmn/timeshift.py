"""Makes SpiffWorkflow's timers read our injectable clock instead of the wall clock.

SpiffWorkflow 3.2 computes and checks timer instants with ``datetime.now(timezone.utc)`` inside
``SpiffWorkflow.bpmn.specs.event_definitions.timer``. We give that module a ``datetime`` whose
``now()`` asks the clock bound to the current context (falling back to the wall clock), so the
engine, the worker and tests agree on what time it is.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from ..clock import Clock

_CURRENT: ContextVar[Clock | None] = ContextVar("councilflow_clock", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a plain datetime, not Self
        clock = _CURRENT.get()
        if clock is None:
            return datetime.now(tz)
        instant = clock.now()
        return instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime


@contextmanager
def using(clock: Clock) -> Iterator[None]:
    token = _CURRENT.set(clock)
    try:
        yield
    finally:
        _CURRENT.reset(token)
