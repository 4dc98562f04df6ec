"""Taking a contact about any directory service records a real case against the entry, with its
channel and outcome: resolved or signposted at first contact, handed off to the entry's team's inbox
(with the desk's short form), or referred to the partner (emailed by the outbox)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.casework import cases, casesearch, customers
from engine.catalogue import directory_actions, directory_entries, directory_files
from engine.deadlines import sla
from engine.people import users
from engine.catalogue.directory_entries import Entry
from engine.deadlines.sla import SlaTerms
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.catalogue.directory_actions import WrongAction
from engine.errors import FormInvalid, UserError
from engine.persistence.db import Database
from engine.persistence.tables import Case, OutboxCall
from engine.types import DirectoryAction, Role, SlaUnit
from tests.conftest import FORMS
from tests.engine.helpers import deploy_library

DIRECTORY = Path(__file__).resolve().parents[2] / "examples" / "directory.json"
DOG_MESS = {"what": "Dog mess on the path by the school gates", "who": "Children walking to school",
            "where": "Mill Lane", "urgency": "soon"}


@pytest.fixture
def council(database_url):
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2027, 1, 11, 10, tzinfo=timezone.utc)),
                  settings=Settings(forms_dir=FORMS))
    deploy_library(ctx)
    directory_files.import_directory(ctx, directory_files.read(DIRECTORY.read_text(), "json"), "admin@example.gov.uk")
    yield ctx
    ctx.db.dispose()


def _case(ctx, reference):
    with ctx.db.transaction(readonly=True) as session:
        row = session.scalars(select(Case).where(Case.reference == reference)).one()
        return row.service_key, row.channel, row.process_key


def test_information_given_is_recorded_as_resolved_at_first_contact(council):
    view = directory_actions.take_contact(council, "bin_collection_day", DirectoryAction.RESOLVE, "phone").case
    assert view.status == "completed" and view.tasks == []
    assert _case(council, view.reference) == ("bin_collection_day", "phone", "directory_resolve")
    assert cases.show_case(council, view.reference).data["outcome"] == "resolved_first_contact"
    result = customers.contact_outcome(council, view.reference, "Customer Hub")
    assert result.resolved_at_first_contact and result.service == "Bin collection days"
    assert result.outcome_code == "resolved_first_contact"


def test_a_signposted_caller_is_resolved_too_but_counted_as_signposted(council):
    view = directory_actions.take_contact(council, "bin_collection_day", "resolve", "email", resolution="signposted").case
    assert cases.show_case(council, view.reference).data["outcome"] == "signposted"
    result = customers.contact_outcome(council, view.reference, "Customer Hub")
    assert result.resolved_at_first_contact and result.outcome_code == "signposted"
    with pytest.raises(FormInvalid) as refused:
        directory_actions.take_contact(council, "bin_collection_day", "resolve", "phone", resolution="shrugged")
    assert "outcome" in refused.value.errors


def test_a_hand_off_lands_in_the_entrys_team_inbox_with_the_short_form(council):
    pat = customers.create_customer(council, {"name": "Pat Smith", "phone": "07700 900123"})
    view = directory_actions.take_contact(council, "dog_fouling", "hand_off", "phone", pat.id, details=DOG_MESS).case
    [task] = view.tasks
    assert (task.team, task.name, view.status) == ("Street Scene", "Deal with the hand-off", "open")
    data = cases.show_case(council, view.reference).data
    assert data["outcome"] == "handed_off" and data["what"] == DOG_MESS["what"] and data["customer_name"] == "Pat Smith"
    assert _case(council, view.reference) == ("dog_fouling", "phone", "directory_hand_off")
    result = customers.contact_outcome(council, view.reference, "Customer Hub")
    assert not result.resolved_at_first_contact and result.teams_now == ["Street Scene"]
    assert result.service == "Dog fouling" and result.customer_name == "Pat Smith"
    assert [t.case for t in cases.list_tasks(council, team="Street Scene")] == [view.reference]
    # The customer's earlier cases and case search name the service as the directory does, not the generic map.
    assert [(h.service, h.outcome) for h in customers.customer_history(council, pat.id)] == [("Dog fouling", "Handed off")]
    with council.db.transaction() as session:
        users.add_user(session, "hub@example.gov.uk", "Hub", [Role.FRONT_OFFICE], council.clock.now(), ["Customer Hub"])
    [hit] = casesearch.find_cases(council, casesearch.CaseSearch(view.reference), "hub@example.gov.uk").items
    assert hit.service == "Dog fouling"
    [recorded] = [e for e in cases.show_case(council, view.reference).history if e.kind == "contact_outcome"]
    assert recorded.detail == {"service": "dog_fouling", "service_name": "Dog fouling", "outcome": "handed_off",
                               "team": "Street Scene", "partner": None}


def test_a_hand_off_carries_the_task_sla_set_for_the_generic_map(council):
    sla.set_policy(council, "directory_hand_off", "deal_with_hand_off", SlaTerms(SlaUnit.WORKING_DAYS, 2), "admin")
    view = directory_actions.take_contact(council, "dog_fouling", "hand_off", "phone", details=DOG_MESS).case
    [task] = view.tasks
    assert task.due_at is not None and task.due_at.startswith("2027-01-13")


def test_the_short_form_is_checked_field_by_field_before_anything_is_recorded(council):
    with pytest.raises(FormInvalid) as refused:
        directory_actions.take_contact(council, "dog_fouling", "hand_off", "phone", details={"urgency": "whenever"})
    assert set(refused.value.errors) == {"what", "urgency"}
    with pytest.raises(FormInvalid) as foreign:
        directory_actions.take_contact(council, "dog_fouling", "hand_off", "phone",
                                       details={**DOG_MESS, "customer_name": "Someone else"})
    assert "customer_name" in foreign.value.errors
    with council.db.transaction(readonly=True) as session:
        assert session.scalars(select(Case)).all() == []


def test_a_referral_records_referred_and_queues_one_email_to_the_partner(council):
    view = directory_actions.take_contact(council, "money_advice", "refer", "face-to-face", details=DOG_MESS).case
    assert view.status == "open" and view.tasks == []  # waiting for the outbox to send the email
    data = cases.show_case(council, view.reference).data
    assert data["outcome"] == "referred" and data["partner_name"] == "Citizens Advice Anytown"
    assert data["referral_text"].startswith("What: Dog mess") and "Customer: anonymous" in data["referral_text"]
    with council.db.transaction(readonly=True) as session:
        [call] = session.scalars(select(OutboxCall)).all()
        assert call.operation == "notify/send_email"
    result = customers.contact_outcome(council, view.reference, "Customer Hub")
    assert not result.resolved_at_first_contact and result.partner == "Citizens Advice Anytown"


def test_the_action_asked_for_must_be_the_entrys(council):
    with pytest.raises(WrongAction, match="Dog fouling is a service to hand off, not to refer"):
        directory_actions.take_contact(council, "dog_fouling", "refer", "phone", details=DOG_MESS)
    with pytest.raises(WrongAction, match="starts its own process"):
        directory_actions.take_contact(council, "pothole_report", "start", "phone")


def test_the_entry_page_has_the_partner_related_services_and_stale_guidance(council):
    page = directory_actions.entry_page(council, "money_advice")
    assert page.partner is not None and page.partner.email
    assert [k for k, _ in page.related] == ["cost_of_living", "council_tax_dispute"]
    assert page.form is not None and "urgency" in page.form.schema
    assert not page.guidance_stale
    assert directory_actions.entry_page(council, "council_tax_direct_debit").guidance_stale  # review was 2026-10-31
    assert directory_actions.entry_page(council, "bin_collection_day").form is None


def test_without_the_generic_maps_the_page_shows_and_taking_the_contact_says_what_is_missing(ctx):
    directory_entries.save_entry(ctx, Entry("graffiti", "Graffiti", "hand_off", team="Street Scene"), "admin")
    assert directory_actions.entry_page(ctx, "graffiti").form is None
    with pytest.raises(UserError, match="not deployed"):
        directory_actions.take_contact(ctx, "graffiti", "hand_off", "phone", details=DOG_MESS)
