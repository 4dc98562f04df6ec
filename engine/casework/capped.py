"""Counts that stop at a cap, for inboxes over very large tables.

An exact ``count(*)`` reads every matching row, so an admin's "tasks in all teams" costs a second at a
million open tasks. People read "10,000 or more" as well as "1,234,567", so each count reads at most
``cap + 1`` rows (``LIMIT`` inside the count) and the caller says "or more" when it reached the cap.
Many counts go to the database together, as one ``UNION ALL`` statement per batch.

A caller that asks the same counts again and again (the inbox tabs: 150 counts on every page) can
``prepare`` them once and ``run`` them each time: building 150 ``select()``s and their cache key costs
the client more than the database takes to count them.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Executable, Select, func, literal, select, union_all
from sqlalchemy.orm import Session

K = TypeVar("K", bound=Hashable)
BATCH = 100  # counts per statement: well under SQLite's 500 terms in a compound SELECT


@dataclass(frozen=True)
class Prepared(Generic[K]):
    """Built counting statements: immutable, so one may be run by many threads and many times."""

    keys: tuple[K, ...]
    statements: tuple[Executable, ...]


def prepare(queries: Mapping[K, Select[Any]], cap: int) -> Prepared[K]:
    """The statements that count each query's rows no further than ``cap + 1``. The queries' columns
    do not matter; only their rows are counted."""
    keys = tuple(queries)
    statements = []
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        terms = [select(literal(n).label("n"), func.count().label("rows"))
                 .select_from(queries[key].limit(cap + 1).subquery()) for n, key in enumerate(batch, start)]
        statements.append(union_all(*terms) if len(terms) > 1 else terms[0])
    return Prepared(keys, tuple(statements))


def run(session: Session, prepared: Prepared[K]) -> dict[K, int]:
    """How many rows each prepared query returns (``> cap`` means "more than ``cap``")."""
    counted: dict[K, int] = {}
    for statement in prepared.statements:
        for n, rows in session.execute(statement):
            counted[prepared.keys[n]] = int(rows)
    return counted


def capped_counts(session: Session, queries: Mapping[K, Select[Any]], cap: int) -> dict[K, int]:
    """How many rows each query returns, counting no further than ``cap + 1`` (so ``> cap`` means
    "more than ``cap``"). The queries' columns do not matter; only their rows are counted."""
    return run(session, prepare(queries, cap))
