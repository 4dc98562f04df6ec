"""Loads the demo's cases once: a database that already has cases is left alone, so ``make demo``
run again (or on a council's real database) adds nothing and says why."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from engine.casework import customers
from engine.clock import FixedClock
from engine.context import Context
from engine.persistence.tables import Case

from .customers import CUSTOMERS
from .history import History
from .player import Player
from .slas import set_policies
from .stories import STORIES


@dataclass(frozen=True)
class Loaded:
    policies: int
    customers: int
    cases: list[str]
    existing: int  # cases the database had already (then nothing was loaded)
    history: str = ""  # what the weeks of everyday demand cover (examples/demo/history.py)


def existing_cases(ctx: Context) -> int:
    with ctx.db.transaction(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def load_cases(ctx: Context, clock: FixedClock) -> Loaded:
    """Set the SLA policies, record the customers and play every story; ``clock`` is the context's,
    and is back at the real time when this returns (where the last worker round runs)."""
    existing = existing_cases(ctx)
    if existing:
        return Loaded(0, 0, [], existing)
    now = clock.now()
    policies = set_policies(ctx)
    clock.set(now - timedelta(days=30))  # residents known to the council before their cases began
    ids = {key: customers.create_customer(ctx, details).id for key, details in CUSTOMERS.items()}
    player = Player(ctx, clock, now)
    references, slots = [], Counter[int]()
    for story in sorted(STORIES, key=lambda s: -s.working_days_ago):  # oldest first, as references go
        references.append(player.play(story, ids[story.customer], slots[story.working_days_ago]))
        slots[story.working_days_ago] += 1
    demand = History(ctx, clock, now)
    first, holiday = demand.play()
    player.catch_up(now)
    story = (f"{demand.played} everyday contacts since {first}" +
             (f", busiest after the {holiday} bank holiday" if holiday else ""))
    return Loaded(policies, len(ids), references, 0, story)
