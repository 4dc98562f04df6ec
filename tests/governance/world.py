"""A council with one resident and two cases about her, for the information-governance tests."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from engine.bpmn import registry
from engine.casework import cases, customers, documents, notes
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context
from engine.persistence.tables import Email, EmailAttachment, Mailbox, Team
from engine.types import EmailStatus, Role
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete

ADMIN, ADVISOR, OFFICER = "admin@example.gov.uk", "advisor@example.gov.uk", "officer@example.gov.uk"
PASSWORD = "correct horse battery staple"
START = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
RESIDENT = {"name": "Philippa Quennell-Ashworth", "email": "philippa.qa@example.net", "phone": "07700 900461",
            "address": "17 Wisteria Gardens\nLongbridge", "postcode": "LB4 7QX"}
RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}


def clocked(ctx: Context, start: datetime = START) -> Context:
    """The test's database with a clock the test moves."""
    return Context(ctx.db, clock=FixedClock(start), settings=ctx.settings)


def council(ctx: Context) -> None:
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn",
                                              PROCESSES / "pothole_report.bpmn", FORMS]), ADMIN)
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        users.add_user(session, ADMIN, "Ada Admin", [Role.ADMIN], now, ["Customer Hub"], PASSWORD)
        users.add_user(session, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], now, ["Customer Hub"])
        users.add_user(session, OFFICER, "Olu Officer", [Role.BACK_OFFICE], now, ["Waste Services"])


def resident_with_cases(ctx: Context) -> tuple[int, str, str]:
    """The resident, her completed-then-closed missed bin (with a note naming her and a document) and an
    open pothole report. Returns her id and the two references."""
    person = customers.create_customer(ctx, dict(RESIDENT))
    view = cases.start_case(ctx, "missed_bin_collection", customer_id=person.id, actor=ADVISOR)
    view = complete(ctx, view, "record_missed_collection", RECORD, ADVISOR)
    notes.add_note(ctx, view.reference, f"Spoke to {RESIDENT['name']} on {RESIDENT['phone']}", ADVISOR)
    documents.add_document(ctx, view.reference, "letter.txt", f"Dear {RESIDENT['name']}, about your bin".encode(),
                           "text/plain", ADVISOR)
    cases.cancel_case(ctx, view.reference, ADVISOR, "Resolved by phone")
    pothole = cases.start_case(ctx, "pothole_report", {"location_description": "outside number 17"},
                               customer_id=person.id, actor=ADVISOR)
    return person.id, view.reference, pothole.reference


def an_email_from_her(ctx: Context, customer_id: int) -> None:
    """An email to the hub's mailbox that triage matched to her but to no case, with an attachment (as the
    mail intake would store it; reading a real mailbox is tests/engine/test_mail_intake.py's)."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        team_id = session.scalar(select(Team.id).where(Team.name == "Customer Hub"))
        box = Mailbox(name="hub", address="hub@council.example", channel="email", team_id=team_id,
                      host="127.0.0.1", port=993, username="hub", secret_env="HUB_PASSWORD", folder="INBOX",
                      created_at=now)
        session.add(box)
        session.flush()
        email = Email(mailbox_id=box.id, uidvalidity=1, uid=1, team_id=team_id, sender=RESIDENT["email"],
                      sender_name=RESIDENT["name"], subject="My bin again",
                      text=f"Hello, this is {RESIDENT['name']}, call me on {RESIDENT['phone']}", received_at=now,
                      status=EmailStatus.OPEN, customer_id=customer_id)
        session.add(email)
        session.flush()
        photo = f"Photo sent by {RESIDENT['email']}".encode()
        session.add(EmailAttachment(email_id=email.id, filename="bin.txt", content_type="text/plain",
                                    size=len(photo), sha256="0" * 64, content=photo))
