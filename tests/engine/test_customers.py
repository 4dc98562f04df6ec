"""Customers: the advisor finds the caller however they give their details, records a new caller
once with checked details, and sees their earlier cases so nobody repeats their story."""
from __future__ import annotations

import pytest

from engine.bpmn import registry
from engine.casework import cases, customers
from engine.casework.customers import CustomerQuery
from engine.errors import FormInvalid
from engine.types import Channel
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete

PAT = {"name": "Pat Smith", "email": "Pat.Smith@example.com", "phone": "07700 900123",
       "address": "14 Mill Lane, Anytown", "postcode": "an1 2bc"}
GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}
NOT_OUT = {**GENUINE_MISS, "crew_report": "not_presented"}


def names(ctx, query: CustomerQuery) -> list[str]:
    return [c.name for c in customers.find_customers(ctx, query)]


@pytest.fixture
def pat(ctx):
    customers.create_customer(ctx, {"name": "Sam Smithson", "phone": "+44 1632 960001", "postcode": "ZZ9 9ZZ"})
    return customers.create_customer(ctx, PAT)


def test_a_new_customer_is_recorded_with_a_tidy_postcode(ctx, pat):
    assert pat.postcode == "AN1 2BC" and pat.email == "Pat.Smith@example.com"
    assert customers.get_customer(ctx, pat.id) == pat


def test_customers_are_found_by_name_postcode_phone_or_email_however_typed(ctx, pat):
    assert names(ctx, CustomerQuery(name="smith")) == ["Pat Smith", "Sam Smithson"]
    assert names(ctx, CustomerQuery(name="pat smi")) == ["Pat Smith"]
    assert names(ctx, CustomerQuery(postcode="AN12BC")) == ["Pat Smith"]
    assert names(ctx, CustomerQuery(postcode="an1")) == ["Pat Smith"]
    assert names(ctx, CustomerQuery(phone="07700-900-123")) == ["Pat Smith"]
    assert names(ctx, CustomerQuery(phone="+447700900123")) == ["Pat Smith"]
    assert names(ctx, CustomerQuery(phone="01632 960001")) == ["Sam Smithson"]
    assert names(ctx, CustomerQuery(email="pat.smith@EXAMPLE.com")) == ["Pat Smith"]


def test_every_part_of_a_combined_search_must_match(ctx, pat):
    assert names(ctx, CustomerQuery(name="smith", postcode="ZZ9 9ZZ")) == ["Sam Smithson"]
    assert names(ctx, CustomerQuery(name="pat", phone="01632 960001")) == []
    assert names(ctx, CustomerQuery()) == []


def test_one_search_box_is_read_as_name_postcode_phone_and_email():
    assert CustomerQuery.parse("Pat Smith an1 2bc") == CustomerQuery(name="Pat Smith", postcode="an1 2bc")
    assert CustomerQuery.parse("07700 900123") == CustomerQuery(phone="07700 900123")
    assert CustomerQuery.parse("pat@example.com Smith") == CustomerQuery(name="Smith", email="pat@example.com")
    assert CustomerQuery.parse("  ").is_empty()


def test_search_text_is_not_a_pattern(ctx, pat):
    assert names(ctx, CustomerQuery(name="%")) == []
    assert names(ctx, CustomerQuery(name="_at")) == []


@pytest.mark.parametrize("details, field, message", [
    ({"name": " "}, "name", "Enter the customer's full name"),
    ({"name": "A", "email": "pat@"}, "email", "Enter an email address in the correct format"),
    ({"name": "A", "postcode": "12345"}, "postcode", "Enter a real postcode"),
    ({"name": "A", "phone": "call me"}, "phone", "Enter a telephone number"),
    ({"name": "A", "phone": "123"}, "phone", "Enter a telephone number"),
    ({"name": "A" * 201}, "name", "The name must be 200 characters or fewer"),
])
def test_bad_details_are_refused_with_a_clear_message_and_nothing_is_recorded(ctx, details, field, message):
    with pytest.raises(FormInvalid) as refused:
        customers.create_customer(ctx, details)
    assert refused.value.errors[field].startswith(message)
    assert names(ctx, CustomerQuery(name="A")) == []


def test_details_are_updated_with_the_same_checks(ctx, pat):
    changed = customers.update_customer(ctx, pat.id, {**PAT, "phone": "", "postcode": "AN3 4DE"})
    assert changed.phone is None and changed.postcode == "AN3 4DE"
    with pytest.raises(FormInvalid):
        customers.update_customer(ctx, pat.id, {**PAT, "email": "nope"})
    assert customers.get_customer(ctx, pat.id).postcode == "AN3 4DE"


def test_an_unknown_customer_is_not_found(ctx):
    with pytest.raises(customers.CustomerNotFound):
        customers.customer_history(ctx, 999)


def test_history_lists_the_customers_cases_newest_first_with_who_handles_them_now(ctx, pat):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    first = cases.start_case(ctx, "missed_bin_collection", channel=Channel.PHONE, customer_id=pat.id)
    first = complete(ctx, first, "record_missed_collection", NOT_OUT)
    complete(ctx, first, "explain_crew_report", {"resident_response": "accepts", "advice_given": []})
    second = cases.start_case(ctx, "missed_bin_collection", channel=Channel.EMAIL, customer_id=pat.id)
    complete(ctx, second, "record_missed_collection", GENUINE_MISS)
    cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Someone else"})

    history = customers.customer_history(ctx, pat.id)
    assert [h.reference for h in history] == [second.reference, first.reference]
    assert history[0].service == "Missed bin collection" and history[0].channel == "email"
    assert history[0].status == "open" and history[0].teams_now == ["Waste Services"]
    assert history[1].outcome == "Resolved first contact"  # open while Notify sends the acknowledgement
    assert history[1].teams_now == []
    assert cases.show_case(ctx, first.reference).data["postcode"] == "AN1 2BC"


def test_the_outcome_says_resolved_at_first_contact_or_which_team_has_it(ctx, pat):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    resolved = cases.start_case(ctx, "missed_bin_collection", customer_id=pat.id)
    resolved = complete(ctx, resolved, "record_missed_collection", NOT_OUT)
    complete(ctx, resolved, "explain_crew_report", {"resident_response": "accepts", "advice_given": []})
    handed = cases.start_case(ctx, "missed_bin_collection", customer_id=pat.id)
    complete(ctx, handed, "record_missed_collection", GENUINE_MISS)

    first = customers.contact_outcome(ctx, resolved.reference, "Customer Hub")
    assert first.resolved_at_first_contact and first.teams_now == []
    assert first.customer_id == pat.id and first.customer_name == "Pat Smith"
    later = customers.contact_outcome(ctx, handed.reference, "Customer Hub")
    assert not later.resolved_at_first_contact and later.teams_now == ["Waste Services"]
    assert later.service == "Missed bin collection"
