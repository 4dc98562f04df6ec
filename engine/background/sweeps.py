"""The loop every worker job shares: find cases with something due through an indexed column, then
handle each case in a transaction of its own, at most once per sweep.

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
        for case_id in batch[:limit - len(tried)]:
            tried.add(case_id)
            total += handle(case_id)
    return total
