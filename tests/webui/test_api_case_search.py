"""The API finds cases (``GET /api/v1/cases``) with the pages' visibility rule, and logs and lists a
case's repeat contacts (``/api/v1/cases/{reference}/contacts``), with clear 422s for mistakes."""
from __future__ import annotations

import pytest

from engine.people import tokens
from tests.engine.test_case_search import ADVISOR, OFFICER, OUTSIDER, seed
from tests.webui.test_api import Api


@pytest.fixture
def world(ctx):
    return seed(ctx)


@pytest.fixture
def api(app, ctx, world):
    def for_user(email: str) -> Api:
        with ctx.db.transaction() as session:
            token = tokens.create_token(session, email, ctx.clock.now())
        return Api(app.test_client(), token, email)
    return for_user


def refs(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["reference"] for item in response.get_json()["items"]]


def test_cases_are_found_by_each_detail_through_the_api(api, world):
    advisor = api(ADVISOR)
    for typed, expected in ((world.bin, [world.bin]), (world.bin.replace("-", "").lower(), [world.bin]),
                            ("pat o'brien", [world.bin]), ("+44 7700 900123", [world.bin]),
                            ("PAT.SMITH@EXAMPLE.COM", [world.bin]), ("an1 2bc", [world.bin]),
                            ("14 mill lane", [world.bin]), ("Othertown", [world.cancelled, world.pothole])):
        assert refs(advisor.get("/cases", query_string={"q": typed})) == expected, typed


def test_a_page_of_cases_says_what_each_is_and_how_many_there_are(api, world):
    found = api(ADVISOR).get("/cases", query_string={"q": "sam", "page_size": 1, "page": 2}).get_json()
    assert found == {"items": [{"reference": world.pothole, "process": "pothole_report", "service": "Pothole report",
                                "status": "open", "team": "Customer Hub", "customer": "Sam Jones", "due_at": None,
                                "sla_state": None, "created_at": found["items"][0]["created_at"]}],
                     "page": 2, "page_size": 1, "total": 2}


def test_filters_narrow_the_cases(api, world):
    advisor = api(ADVISOR)
    assert refs(advisor.get("/cases?q=sam&status=cancelled")) == [world.cancelled]
    assert refs(advisor.get("/cases?service=missed_bin_collection")) == [world.bin]
    assert refs(advisor.get("/cases?team=Waste%20Services")) == [world.bin]
    assert refs(advisor.get("/cases")) == []


def test_the_api_finds_only_cases_the_caller_may_see(api, world):
    assert refs(api(OFFICER).get("/cases?q=zz9")) == []
    assert refs(api(OFFICER).get("/cases?q=an1")) == [world.bin]
    assert refs(api(OUTSIDER).get(f"/cases?q={world.bin}")) == []


def test_wrong_search_parameters_are_422_naming_the_field(api, world):
    answer = api(ADVISOR).get("/cases", query_string={"q": "x" * 201, "status": "lost", "page": "0"})
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"q", "status", "page"}


def test_a_repeat_contact_is_logged_and_listed_through_the_api(api, world):
    advisor = api(ADVISOR)
    answer = advisor.post(f"/cases/{world.bin}/contacts",
                          json={"channel": "web", "kind": "adding_information", "text": "Sent a photo of the bin"})
    assert answer.status_code == 201
    logged = answer.get_json()
    assert {k: logged[k] for k in ("case", "channel", "kind", "text", "logged_by")} == {
        "case": world.bin, "channel": "web", "kind": "adding_information", "text": "Sent a photo of the bin",
        "logged_by": ADVISOR}
    assert api(OFFICER).get(f"/cases/{world.bin}/contacts").get_json() == [logged]
    history = advisor.get(f"/cases/{world.bin}/history").get_json()["history"]
    assert history[-1]["kind"] == "contact_logged" and history[-1]["actor"] == ADVISOR


def test_a_contact_with_empty_text_or_an_unknown_kind_is_422(api, world):
    advisor = api(ADVISOR)
    answer = advisor.post(f"/cases/{world.bin}/contacts", json={"channel": "phone", "kind": "gossip", "text": " "})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert set(errors) == {"kind", "text"} and errors["text"] == "Enter what the customer said"
    missing = advisor.post(f"/cases/{world.bin}/contacts", json={"channel": "phone", "kind": "other"})
    assert missing.status_code == 422 and "text" in missing.get_json()["errors"]
    assert advisor.get(f"/cases/{world.bin}/contacts").get_json() == []


def test_contacts_on_a_case_the_caller_may_not_see_are_404(api, world):
    outsider = api(OUTSIDER)
    assert outsider.get(f"/cases/{world.bin}/contacts").status_code == 404
    answer = outsider.post(f"/cases/{world.bin}/contacts", json={"channel": "phone", "kind": "other", "text": "Hi"})
    assert answer.status_code == 404
