"""Loads demo teams and users into the database named by COUNCILFLOW_DATABASE_URL (idempotent).

Demo passwords are for a local trial only; `make run` prints them.
"""
from __future__ import annotations

from engine import routing, users
from engine.types import Role
from webui.composition import build_context

TEAMS = ["Customer Hub", "Waste Services", "Highways", "Revenues", "Housing Repairs", "Complaints",
         "Member Services", "Blue Badge Team", "Street Scene Enforcement", "Parking Services"]

PEOPLE = [
    ("admin@example.gov.uk", "Alex Admin", [Role.ADMIN], []),
    ("analyst@example.gov.uk", "Priya Analyst", [Role.ANALYST], []),
    ("advisor@example.gov.uk", "Sam Advisor", [Role.FRONT_OFFICE], ["Customer Hub"]),
    ("waste.officer@example.gov.uk", "Wes Waste", [Role.BACK_OFFICE], ["Waste Services"]),
    ("waste.lead@example.gov.uk", "Lee Lead", [Role.BACK_OFFICE, Role.TEAM_LEAD], ["Waste Services"]),
    ("highways.officer@example.gov.uk", "Hana Highways", [Role.BACK_OFFICE], ["Highways"]),
    ("revenues.officer@example.gov.uk", "Raj Revenues", [Role.BACK_OFFICE], ["Revenues"]),
    ("repairs.officer@example.gov.uk", "Rory Repairs", [Role.BACK_OFFICE], ["Housing Repairs"]),
    ("complaints.officer@example.gov.uk", "Cat Complaints", [Role.BACK_OFFICE], ["Complaints"]),
    ("member.services@example.gov.uk", "Morgan Members", [Role.BACK_OFFICE], ["Member Services"]),
    ("blue.badge@example.gov.uk", "Bea Badge", [Role.BACK_OFFICE], ["Blue Badge Team"]),
    ("enforcement.officer@example.gov.uk", "Evan Enforcement", [Role.BACK_OFFICE], ["Street Scene Enforcement"]),
    ("parking.officer@example.gov.uk", "Pat Parking", [Role.BACK_OFFICE], ["Parking Services"]),
]
DEMO_PASSWORD = "demo-password-change-me"


def main() -> None:
    ctx = build_context()
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        for team in TEAMS:
            routing.ensure_team(session, team, now)
            routing.ensure_mapping(session, team, now)
        for email, name, roles, teams in PEOPLE:
            if users.find_user(session, email) is None:
                users.add_user(session, email, name, roles, now, teams, DEMO_PASSWORD)
    print(f"Demo users ready (password '{DEMO_PASSWORD}'): " + ", ".join(p[0] for p in PEOPLE))


if __name__ == "__main__":
    main()
