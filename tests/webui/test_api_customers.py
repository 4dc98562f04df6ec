"""Customers through the REST API: a script searches by any mix of details a page at a time, records
a customer, and is told (409, with them) when the person may already be recorded."""
from __future__ import annotations

from engine.types import Role
from tests.webui.test_api import advisor, api_as  # noqa: F401  (fixtures)

PAT = {"name": "Pat Smith", "email": "pat.smith@example.com", "phone": "07700 900123", "postcode": "an1 2bc",
       "address": "14 Mill Lane, Anytown"}


def test_a_customer_is_recorded_once_and_a_duplicate_is_offered_first(advisor):  # noqa: F811
    created = advisor.post("/customers", PAT)
    assert created.status_code == 201, created.json
    assert {k: created.json[k] for k in ("name", "postcode", "phone")} == {
        "name": "Pat Smith", "postcode": "AN1 2BC", "phone": "07700 900123"}

    again = advisor.post("/customers", {"name": "Patricia Smith", "phone": "+44 7700 900 123"})
    assert again.status_code == 409
    assert again.json["message"] == "1 customer already recorded has the same name and postcode, email or phone number"
    assert [(d["id"], d["matched_on"]) for d in again.json["duplicates"]] == [(created.json["id"], ["phone"])]
    assert advisor.get("/customers?q=smith").json["total"] == 1  # nothing was added

    anyway = advisor.post("/customers", {"name": "Patricia Smith", "phone": "+44 7700 900 123",
                                         "allow_duplicate": True})
    assert anyway.status_code == 201 and anyway.json["id"] != created.json["id"]


def test_customers_are_found_by_any_mix_of_details_a_page_at_a_time(api_as, advisor):  # noqa: F811
    pat = advisor.post("/customers", PAT).json
    for n in range(3):
        advisor.post("/customers", {"name": f"Sam Smith{n}", "postcode": "AN1 9ZZ"})
    officer = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    for search in ("q=Pat%20AN1%202BC", "q=07700900123", "q=PAT.SMITH@example.com", "name=pat&postcode=an12bc"):
        found = officer.get(f"/customers?{search}").json
        assert [c["id"] for c in found["items"]] == [pat["id"]], search
    page = officer.get("/customers?postcode=AN1&page=2&page_size=3").json
    assert (page["total"], page["page"], [c["name"] for c in page["items"]]) == (4, 2, ["Sam Smith2"])
    assert officer.get("/customers").json == {"items": [], "page": 1, "page_size": 25, "total": 0}


def test_wrong_customer_calls_are_json_errors(api_as, advisor):  # noqa: F811
    invalid = advisor.post("/customers", {"name": "Pat", "postcode": "nowhere", "email": "not an email"})
    assert invalid.status_code == 422 and set(invalid.json["errors"]) == {"postcode", "email"}
    assert advisor.post("/customers", {"phone": "07700 900123"}).status_code == 422
    assert advisor.post("/customers", {"name": "Pat", "shoe_size": 9}).status_code == 422
    assert advisor.get("/customers?page_size=0").status_code == 422
    officer = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    assert officer.post("/customers", PAT).status_code == 403  # the front office records customers
    assert api_as(Role.ANALYST).get("/customers?q=smith").status_code == 403
