"""Loads the demo into the database named by COUNCILFLOW_DATABASE_URL: teams and users (idempotent),
then SLA policies, customers and cases in every state (``examples/demo/``), once; and an Open311
partner key, printed the first time only.

Run it after ``councilflow init`` and ``councilflow deploy processes/ forms/``, with the fake back
office running (``make demo`` does all three). Run again, it adds no cases: a database that has
cases already is left as it is, and it says so. Demo passwords are for a local trial only.
"""
from __future__ import annotations

from demo import councillor
from demo.load import load_cases
from demo.partners import load_partner
from demo.staff import DEMO_PASSWORD, PEOPLE, TEAMS
from engine.people import routing, users
from engine.clock import FixedClock, SystemClock
from webui.composition import build_context


def main() -> None:
    # The stories set this clock back to when each case happened; the context's timers and SLA
    # clocks read it, so a case started "eight working days ago" is due as it would be.
    clock = FixedClock(SystemClock().now())
    ctx = build_context(clock=clock)
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        for team in TEAMS:
            routing.ensure_team(session, team, now)
            routing.ensure_mapping(session, team, now)
        for email, name, roles, teams in PEOPLE:
            if users.find_user(session, email) is None:
                users.add_user(session, email, name, roles, now, teams, DEMO_PASSWORD)
    print(f"Demo users ready (password '{DEMO_PASSWORD}'): " + ", ".join(p[0] for p in PEOPLE))
    loaded = load_cases(ctx, clock)
    if loaded.existing:
        print(f"Demo cases not loaded: the database already has {loaded.existing} case(s), "
              f"so it is left as it is (use a new database for a fresh demo)")
    else:
        print(f"Demo cases loaded: {len(loaded.cases)} cases ({loaded.cases[0]} to {loaded.cases[-1]}) "
              f"for {loaded.customers} customers, with {loaded.policies} SLA policies; {loaded.history} "
              f"(management information at /mi)")
    raised = councillor.prepare(ctx, fresh=not loaded.existing)
    print(f"Demo councillor ready: {councillor.COUNCILLOR} ({councillor.WARD} ward) at /councillor/"
          + (f", with enquiries {', '.join(raised)}" if raised else ""))
    print(load_partner(ctx))


if __name__ == "__main__":
    main()
