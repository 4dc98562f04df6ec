"""The customer pages find the address by postcode in the gazetteer (no JavaScript: "Find address"
goes to the server), save it with its UPRN, and a case started for the customer carries it."""
from __future__ import annotations

import pytest

from engine.casework import cases, customers
from engine.places import gazetteer
from engine.casework.customers import CustomerQuery
from tests.browser.pagecheck import assert_good_page
from tests.engine.test_gazetteer import ROOT
from tests.webui.test_front_office import advisor, page, post  # noqa: F401  (the advisor fixture)


@pytest.fixture
def mill_lane(ctx):
    gazetteer.import_file(ctx, ROOT / "examples" / "demo_gazetteer.csv")
    [fourteen] = [a for a in gazetteer.lookup(ctx, "AN1 2BC") if a.address == "14 Mill Lane, Anytown"]
    return fourteen


def test_advisor_picks_the_customers_address_and_their_case_carries_its_uprn(advisor, ctx, mill_lane):
    form = page(advisor, "/customers/new")
    assert 'value="find:address"' in form and 'href="#address">Enter the address manually</a>' in form
    found = post(advisor, "/customers/new", {"name": "Robin Gazetteer", "postcode": "an1 2bc",
                                             "address-action": "find:address"}, form)
    body = found.get_data(as_text=True)
    assert found.status_code == 200 and "There is a problem" not in body
    assert_good_page(body)
    assert "20 addresses found" in body and f'<option value="{mill_lane.uprn}">14 Mill Lane, Anytown</option>' in body
    assert 'value="Robin Gazetteer"' in body  # what was typed stays
    saved = post(advisor, "/customers/new", {"name": "Robin Gazetteer", "postcode": "an1 2bc",
                                             "address-uprn": str(mill_lane.uprn)}, body)
    assert saved.status_code == 302
    [robin] = customers.find_customers(ctx, CustomerQuery(name="Robin Gazetteer"))
    assert (robin.address, robin.postcode, robin.uprn) == ("14 Mill Lane, Anytown", "AN1 2BC", mill_lane.uprn)
    edit = page(advisor, f"/customers/{robin.id}/edit")
    assert f'<option value="{mill_lane.uprn}" selected>14 Mill Lane, Anytown</option>' in edit
    view = cases.start_case(ctx, "missed_bin_collection", customer_id=robin.id)
    assert cases.show_case(ctx, view.reference).data["customer_address"] == mill_lane.to_dict()


def test_an_address_typed_by_hand_has_no_uprn_and_an_unknown_postcode_says_so(advisor, ctx, mill_lane):
    form = page(advisor, "/customers/new")
    none = post(advisor, "/customers/new", {"name": "Sam Manual", "postcode": "ZZ9 9ZZ", "address-action": "find:address"},
                form).get_data(as_text=True)
    assert "No addresses found for ZZ9 9ZZ." in none
    wrong = post(advisor, "/customers/new", {"name": "Sam Manual", "postcode": "nowhere", "address-action": "find:address"},
                 form).get_data(as_text=True)
    assert "Enter a real postcode, like AN1 2BC" in wrong
    assert post(advisor, "/customers/new", {"name": "Sam Manual", "postcode": "ZZ9 9ZZ", "address": "Plot 7, New Estate"},
                form).status_code == 302
    [sam] = customers.find_customers(ctx, CustomerQuery(name="Sam Manual"))
    assert (sam.address, sam.uprn) == ("Plot 7, New Estate", None)
    view = cases.start_case(ctx, "missed_bin_collection", customer_id=sam.id)
    assert "customer_address" not in cases.show_case(ctx, view.reference).data
