"""Contacts about directory services through the API: POST /directory/<key>/contacts records the
entry's action as a case (resolved or signposted, handed off with the short form, referred) and
answers 201 with the reference, status and outcome; mistakes are JSON field errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.casework import cases, customers
from engine.catalogue import directory_files
from engine.types import Role
from tests.engine.helpers import deploy_library
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)

DIRECTORY = Path(__file__).resolve().parents[2] / "examples" / "directory.json"
DOG_MESS = {"what": "Dog mess on the path by the school gates", "where": "Mill Lane", "urgency": "urgent"}


@pytest.fixture
def advisor(ctx, api_as):
    deploy_library(ctx)
    directory_files.import_directory(ctx, directory_files.read(DIRECTORY.read_text(), "json"), "admin@example.gov.uk")
    return api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))


def test_a_hand_off_through_the_api_lands_in_the_teams_inbox(advisor, ctx):
    pat = customers.create_customer(ctx, {"name": "Pat Smith", "phone": "07700 900123"})
    made = advisor.post("/directory/dog_fouling/contacts",
                        json={"channel": "web", "customer_id": pat.id, "details": DOG_MESS})
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["status"], body["outcome"], body["service"], body["process"]) == (
        "open", "handed_off", "dog_fouling", "directory_hand_off")
    assert [(t["name"], t["team"]) for t in body["tasks"]] == [("Deal with the hand-off", "Street Scene")]
    assert made.headers["Location"] == f"/api/v1/cases/{body['reference']}"
    detail = cases.show_case(ctx, body["reference"])
    assert detail.case.channel == "web" and detail.data["customer_name"] == "Pat Smith"
    assert detail.data["urgency"] == "urgent" and detail.data["who"] is None


def test_resolved_signposted_and_referred_contacts_say_their_outcome(advisor):
    resolved = advisor.post("/directory/bin_collection_day/contacts", json={"channel": "phone"})
    assert resolved.status_code == 201 and resolved.json["outcome"] == "resolved_first_contact"
    assert resolved.json["status"] == "completed" and resolved.json["tasks"] == []
    signposted = advisor.post("/directory/bin_collection_day/contacts", json={"channel": "phone", "outcome": "signposted"})
    assert signposted.status_code == 201 and signposted.json["outcome"] == "signposted"
    referred = advisor.post("/directory/money_advice/contacts", json={"channel": "email", "details": DOG_MESS})
    assert referred.status_code == 201 and referred.json["outcome"] == "referred"
    assert referred.json["status"] == "open"  # the outbox sends the partner's email


def test_mistakes_are_field_errors_and_nothing_is_recorded(advisor, ctx):
    gaps = advisor.post("/directory/dog_fouling/contacts", json={"channel": "phone", "details": {"where": "Mill Lane"}})
    assert gaps.status_code == 422 and set(gaps.json["errors"]) == {"what", "urgency"}
    wrong = advisor.post("/directory/bin_collection_day/contacts", json={"channel": "owl", "outcome": "shrugged"})
    assert wrong.status_code == 422 and set(wrong.json["errors"]) == {"channel", "outcome"}
    start = advisor.post("/directory/pothole_report/contacts", json={"channel": "phone"})
    assert start.status_code == 409 and "starts its own process" in start.json["message"]
    missing = advisor.post("/directory/no_such_service/contacts", json={"channel": "phone"})
    assert missing.status_code == 404
    assert cases.list_tasks(ctx, team="Street Scene") == []


def test_only_the_front_office_takes_contacts(advisor, api_as):
    officer = api_as(Role.BACK_OFFICE, teams=("Street Scene",))
    refused = officer.post("/directory/dog_fouling/contacts", json={"channel": "phone", "details": DOG_MESS})
    assert refused.status_code == 403
