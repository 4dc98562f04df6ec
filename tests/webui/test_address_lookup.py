"""The address lookup on a task form marked ``"ui:widget": "address"`` (the pothole report), without
JavaScript: postcode, "Find address", pick one, and the case keeps the gazetteer's UPRN, address and
coordinates; or enter the address by hand."""
from __future__ import annotations

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.places import gazetteer
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS, PROCESSES
from tests.engine.test_gazetteer import ROOT
from tests.webui.test_task_pages import post, text, token

POTHOLE = {"defect_location": "Outside number 14", "location_type": "carriageway", "road_responsibility": "council",
           "immediate_danger": "no"}


@pytest.fixture
def task_url(ctx):
    gazetteer.import_file(ctx, ROOT / "examples" / "demo_gazetteer.csv")
    registry.deploy(ctx, registry.read_paths([PROCESSES / "pothole_report.bpmn", FORMS]))
    view = cases.start_case(ctx, "pothole_report", {"customer_name": "Pat Smith"})
    return f"/tasks/{view.tasks[0].id}", view.reference


@pytest.fixture
def advisor(signed_in):
    return signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))


def test_advisor_finds_the_address_by_postcode_and_the_case_keeps_its_uprn(advisor, task_url, ctx):
    url, reference = task_url
    page = text(advisor.get(url))
    assert_good_page(page)
    assert 'id="defect_address-postcode"' in page and 'value="find:defect_address"' in page
    assert "Enter the address manually" in page
    found = post(advisor, url, page, {**POTHOLE, "defect_address-postcode": "an1 2bc",
                                      "address-action": "find:defect_address"})
    page = text(found)
    assert found.status_code == 200 and "There is a problem" not in page
    assert_good_page(page)
    assert "20 addresses found" in page and ">14 Mill Lane, Anytown</option>" in page
    assert ">Outside number 14</textarea>" in page  # what was typed elsewhere on the page stays
    [picked] = [a for a in gazetteer.lookup(ctx, "AN1 2BC") if a.address == "14 Mill Lane, Anytown"]
    check = post(advisor, url, page, {**POTHOLE, "defect_address-postcode": "AN1 2BC",
                                      "defect_address-uprn": str(picked.uprn)})
    page = text(check)
    assert check.status_code == 200 and "Check your answers" in page
    assert f"14 Mill Lane, Anytown<br>AN1 2BC<br>UPRN {picked.uprn}" in page
    done = post(advisor, f"{url}/check", page, {"answers": token(page)})
    assert done.status_code == 302
    assert cases.show_case(ctx, reference).data["defect_address"] == picked.to_dict()


def test_a_postcode_that_is_not_one_or_has_no_addresses_says_so(advisor, task_url):
    url, _ = task_url
    page = text(advisor.get(url))
    wrong = text(post(advisor, url, page, {"defect_address-postcode": "mill lane", "address-action": "find:defect_address"}))
    assert "Enter a real postcode, like AN1 2BC" in wrong
    none = text(post(advisor, url, page, {"defect_address-postcode": "ZZ9 9ZZ", "address-action": "find:defect_address"}))
    assert "No addresses found for ZZ9 9ZZ." in none


def test_advisor_enters_an_address_the_gazetteer_lacks_by_hand(advisor, task_url, ctx):
    url, reference = task_url
    page = text(post(advisor, url, text(advisor.get(url)), {**POTHOLE, "address-action": "manual:defect_address"}))
    assert 'name="defect_address-address"' in page and "Find the address by postcode instead" in page
    assert_good_page(page)
    check = text(post(advisor, url, page, {**POTHOLE, "defect_address-mode": "manual",
                                            "defect_address-address": "Plot 7, New Estate", "defect_address-postcode": "AN9 1ZZ"}))
    assert "Check your answers" in check
    post(advisor, f"{url}/check", check, {"answers": token(check)})
    assert cases.show_case(ctx, reference).data["defect_address"] == {"address": "Plot 7, New Estate",
                                                                     "postcode": "AN9 1ZZ"}


def test_analysts_preview_of_the_form_looks_addresses_up_too(ctx, signed_in):
    gazetteer.import_file(ctx, ROOT / "examples" / "demo_gazetteer.csv")
    analyst = signed_in(Role.ANALYST)
    page = text(analyst.get("/forms/pothole-details"))
    assert_good_page(page)
    found = text(post(analyst, "/forms/pothole-details", page, {"defect_address-postcode": "AN2 4FG",
                                                                 "address-action": "find:defect_address"}))
    assert "24 addresses found" in found and ">Flat 2, 3 High Street, Anytown</option>" in found
