"""The shortest interval a cycle timer (``R5/PT1H``) may repeat at.

``R100000/PT0.01S`` asks for a hundred firings a second. Each firing is a worker wake-up that
locks, loads, steps and saves the case and adds tasks to its saved state, and the worker only looks
for due timers every few seconds, so such a timer is never on time and keeps a worker (and, on
SQLite, the write lock) busy for as long as it repeats. Council reminders and chasers repeat hourly
or daily; a minute is far below any of them and well above what the worker can honour
(``Worker.interval_s`` is 5 seconds). The number of repeats is not limited: firings that fall due
while the worker is down are caught up one per wake-up, never in a burst.
"""
from __future__ import annotations

from datetime import timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

MIN_CYCLE_INTERVAL = timedelta(minutes=1)


def cycle_problem(expression: str) -> str | None:
    """Why a repeating interval may not be used, or None (also None if it is not a cycle at all:
    SpiffWorkflow's own parser reports that)."""
    try:
        _cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(expression.strip())
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises bare Exception, ValueError, AttributeError
        return None
    if interval < MIN_CYCLE_INTERVAL:
        return (f"the timer '{expression.strip()}' repeats every {interval.total_seconds():g} seconds; a "
                f"repeating timer may repeat at most once a minute")
    return None
