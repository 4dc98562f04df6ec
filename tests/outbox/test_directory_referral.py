"""A referral from the front door reaches the partner once: the outbox emails the desk's details and
the customer's contact details through GOV.UK Notify (a fake on 127.0.0.1 that checks the client's
JWT), and a second round of the worker sends nothing again."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.casework import cases, customers
from engine.catalogue import directory_actions, directory_entries, directory_files
from engine.catalogue.directory_entries import PartnerInfo
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.background.worker import Worker
from tests.conftest import FORMS
from tests.engine.helpers import deploy_library
from tests.processes.backoffice import BackOffice

DIRECTORY = Path(__file__).resolve().parents[2] / "examples" / "directory.json"
DETAILS = {"what": "Wants help with rent arrears and a court letter", "who": "The caller and her son",
           "urgency": "urgent"}


@pytest.fixture
def council(database_url):
    with BackOffice() as backoffice:
        # The real time: the fake Notify checks the client's token against its own clock.
        ctx = Context(Database(database_url), clock=FixedClock(datetime.now(timezone.utc)),
                      settings=Settings(forms_dir=FORMS),
                      adapters=AdapterRegistry.from_config(backoffice.config(), backoffice.env()))
        deploy_library(ctx)
        directory_files.import_directory(ctx, directory_files.read(DIRECTORY.read_text(), "json"), "admin@example.gov.uk")
        yield ctx, backoffice
        ctx.db.dispose()


def test_the_partner_gets_one_email_with_the_details_and_the_case_completes_as_referred(council):
    ctx, backoffice = council
    pat = customers.create_customer(ctx, {"name": "Pat Smith", "phone": "07700 900123", "email": "pat@example.com"})
    view = directory_actions.take_contact(ctx, "money_advice", "refer", "phone", pat.id, details=DETAILS).case
    assert backoffice.notifications() == []  # nothing is sent inside the advisor's transaction
    worker = Worker(ctx)
    while worker.run_calls():
        pass
    worker.run_calls()  # a second round sends nothing twice
    [(template, to, personalisation)] = backoffice.notifications()
    assert (template, to) == ("partner_referral", "advice@cab.example.org")
    assert personalisation["partner"] == "Citizens Advice Anytown" and personalisation["reference"] == view.reference
    assert personalisation["service"] == "Debt and money advice"
    assert personalisation["details"] == ("What: Wants help with rent arrears and a court letter\n"
                                          "Who: The caller and her son\nWhere: not given\nHow urgent: urgent: today\n"
                                          "Customer: Pat Smith, 07700 900123, pat@example.com")
    [(_, sent)] = backoffice.notify.sent.items()
    assert sent["reference"].startswith(f"{view.reference}:")  # our idempotency key, which Notify is asked about first
    detail = cases.show_case(ctx, view.reference)
    assert detail.case.status == "completed" and detail.data["outcome"] == "referred"
    assert detail.data["referral"]["notification_id"]


def test_a_partner_without_an_email_address_leaves_the_referral_recorded_and_an_incident_to_deal_with(council):
    ctx, backoffice = council
    with ctx.db.transaction() as session:
        directory_entries.save_partner(session, PartnerInfo("Citizens Advice Anytown", phone="01632 960930"),
                                       "admin@example.gov.uk", ctx.clock.now())
    view = directory_actions.take_contact(ctx, "money_advice", "refer", "phone", details=DETAILS).case
    worker = Worker(ctx)
    while worker.run_calls():
        pass
    assert backoffice.notifications() == []
    [incident] = incidents.list_incidents(ctx)
    assert incident.case == view.reference and "no email address" in incident.message
    assert cases.show_case(ctx, view.reference).data["outcome"] == "referred"
