"""Whether this process may take traffic: the database answers and is at this release's newest migration,
and, where a worker is expected, one has finished a round recently (``/readyz``)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..background import heartbeat
from ..context import Context
from ..persistence.db import UNAVAILABLE, DatabaseUnavailable
from ..persistence.schema import head_revision, schema_problem


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)  # check -> "ok" or why not

    def to_dict(self) -> dict[str, object]:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks}


def readiness(ctx: Context) -> Readiness:
    """Each check's outcome; ready only when all are "ok"."""
    # Said without the database's address: probes and load balancers are not told where it lives.
    problem = schema_problem(ctx.db)
    if isinstance(problem, DatabaseUnavailable):
        return Readiness(False, {"database": "unavailable", "schema": "unknown"})
    checks = {"database": "ok", "schema": "ok" if problem is None else
              f"not at this release's migration {head_revision()}: run `councilflow init`"}
    if problem is None and ctx.settings.expect_worker:
        try:
            beat = heartbeat.newest(ctx)
        except UNAVAILABLE as err:
            checks["worker"] = f"the heartbeat cannot be read: {type(err).__name__}"
        else:
            age = None if beat is None else (ctx.clock.now() - beat).total_seconds()
            stale = ctx.settings.worker_stale_s
            checks["worker"] = ("no worker has reported yet" if age is None else "ok" if age <= stale else
                                f"the newest worker heartbeat is {age:.0f}s old (more than {stale:.0f}s)")
    return Readiness(all(v == "ok" for v in checks.values()), checks)
