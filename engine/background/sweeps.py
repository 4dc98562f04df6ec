"""The loop every worker job shares: find cases with something due through an indexed column, then
handle each case at most once per sweep: in a transaction of its own (``each_due_case``), or a batch
of them at a time (``each_due_batch``, for a job whose cases can share one).

A case another worker (or a person) holds right now is skipped, not waited for: it is tried again
on the next sweep, so one slow case never holds up the rest.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select

from ..context import Context

BATCH = 50


def each_due_case(ctx: Context, due_cases: Callable[[], Select[int]], handle: Callable[[int], int],
                  limit: int) -> int:
    """Call ``handle(case_id)`` for up to ``limit`` distinct cases from ``due_cases()`` (a query of
    case ids, most urgent first); returns the sum of what ``handle`` returned."""
    return each_due_batch(ctx, due_cases, lambda case_ids: sum(handle(case_id) for case_id in case_ids), limit)


def each_due_batch(ctx: Context, due_cases: Callable[[], Select[int]], handle: Callable[[list[int]], int],
                   limit: int, size: int = BATCH) -> int:
    """``each_due_case`` handing the cases over ``size`` at a time: ``handle(case_ids)``."""
    tried: set[int] = set()
    total = 0
    while len(tried) < limit:
        query = due_cases()
        if tried:
            query = query.where(query.selected_columns[0].not_in(tried))
        with ctx.db.transaction(readonly=True) as session:
            batch = list(dict.fromkeys(session.scalars(query.limit(BATCH))))
        if not batch:
            break
        batch = batch[:limit - len(tried)]
        tried.update(batch)
        for start in range(0, len(batch), size):
            total += handle(batch[start:start + size])
    return total
