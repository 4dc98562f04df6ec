"""The demo's teams and staff, one user per role and team, so every role's pages can be tried."""
from __future__ import annotations

from engine.types import Role

TEAMS = ["Customer Hub", "Waste Services", "Highways", "Revenues", "Housing Repairs", "Complaints",
         "Member Services", "Blue Badge Team", "Street Scene Enforcement", "Parking Services"]

ADMIN = "admin@example.gov.uk"
ADVISOR = "advisor@example.gov.uk"
WASTE_OFFICER = "waste.officer@example.gov.uk"
WASTE_LEAD = "waste.lead@example.gov.uk"
MEMBER_SERVICES = "member.services@example.gov.uk"
COUNCILLOR = "cllr.jones@example.gov.uk"  # an elected member: the councillors' area at /councillor/

PEOPLE = [
    (ADMIN, "Alex Admin", [Role.ADMIN], []),
    ("analyst@example.gov.uk", "Priya Analyst", [Role.ANALYST], []),
    (ADVISOR, "Sam Advisor", [Role.FRONT_OFFICE], ["Customer Hub"]),
    (WASTE_OFFICER, "Wes Waste", [Role.BACK_OFFICE], ["Waste Services"]),
    (WASTE_LEAD, "Lee Lead", [Role.BACK_OFFICE, Role.TEAM_LEAD], ["Waste Services"]),
    ("highways.officer@example.gov.uk", "Hana Highways", [Role.BACK_OFFICE], ["Highways"]),
    ("revenues.officer@example.gov.uk", "Raj Revenues", [Role.BACK_OFFICE], ["Revenues"]),
    ("repairs.officer@example.gov.uk", "Rory Repairs", [Role.BACK_OFFICE], ["Housing Repairs"]),
    ("complaints.officer@example.gov.uk", "Cat Complaints", [Role.BACK_OFFICE], ["Complaints"]),
    (MEMBER_SERVICES, "Morgan Members", [Role.BACK_OFFICE], ["Member Services"]),
    ("blue.badge@example.gov.uk", "Bea Badge", [Role.BACK_OFFICE], ["Blue Badge Team"]),
    ("enforcement.officer@example.gov.uk", "Evan Enforcement", [Role.BACK_OFFICE], ["Street Scene Enforcement"]),
    ("parking.officer@example.gov.uk", "Pat Parking", [Role.BACK_OFFICE], ["Parking Services"]),
    (COUNCILLOR, "Cllr Jo Jones", [Role.COUNCILLOR], []),
]
DEMO_PASSWORD = "demo-password-change-me"

# Who works each team's tasks in the demo stories: the first member listed above.
WORKER_OF = {team: email for email, _, _, teams in reversed(PEOPLE) for team in teams}
