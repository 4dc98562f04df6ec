"""How often a partner's key may call the Open311 server: ``COUNCILFLOW_OPEN311_RATE_LIMIT`` calls a
minute per key (default 120, docs/open311.md). Counted in the database (``open311_rate``, one row per
key and minute, incremented by an upsert), so every ``serve`` process shares one count; a call over
the limit is refused with how long to wait until the next minute.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..errors import UserError
from ..persistence.tables import Open311Rate

KEEP = timedelta(minutes=5)  # older minutes are deleted as the key is used


class RateLimited(UserError):
    """Too many calls with this key this minute; ``retry_after`` seconds until the next."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"Too many calls with this api_key: at most {limit} a minute; try again in "
                         f"{retry_after} seconds")
        self.retry_after = retry_after


def count_call(session: Session, key_id: int, limit: int, now: datetime) -> None:
    """Count one call of key ``key_id`` in this minute; RateLimited when it is over ``limit``."""
    minute = now.replace(second=0, microsecond=0)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Open311Rate).values(key_id=key_id, minute=minute, calls=1)
    session.execute(stmt.on_conflict_do_update(index_elements=["key_id", "minute"],
                                               set_={"calls": Open311Rate.calls + 1}))
    calls = session.scalar(select(Open311Rate.calls).where(Open311Rate.key_id == key_id, Open311Rate.minute == minute))
    session.execute(delete(Open311Rate).where(Open311Rate.key_id == key_id, Open311Rate.minute < minute - KEEP))
    if (calls or 0) > limit:
        raise RateLimited(limit, max(1, math.ceil((minute + timedelta(minutes=1) - now).total_seconds())))
