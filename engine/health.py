"""Whether the database answers, for the health check."""
from __future__ import annotations

from sqlalchemy import text

from .context import Context
from .persistence.schema import current_revision


def database_revision(ctx: Context) -> str | None:
    """The schema revision the database is at, after a round trip to it; raises one of
    ``engine.persistence.db.UNAVAILABLE`` when it cannot be reached."""
    with ctx.db.transaction(readonly=True) as session:
        session.execute(text("SELECT 1"))
    return current_revision(ctx.db)
