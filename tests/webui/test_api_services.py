"""Publishing through the API: an analyst offers a deployed process on exactly the channels given, in
public words; the same checks as the CLI, and only analysts and admins may."""
from __future__ import annotations

from engine.types import Role
from tests.webui.test_api import api_as, library  # noqa: F401  (the fixtures)


def test_an_analyst_publishes_changes_and_withdraws_a_service(api_as, library):
    analyst = api_as(Role.ANALYST)
    put = analyst.open("PUT", "/services/missed_bin_collection",
                       json={"channels": ["web", "open311"], "title": "Report a missed bin", "lgsl": 524,
                             "open311_code": "missed-bin", "keywords": ["bin"]})
    assert put.status_code == 200, put.json
    assert put.json == {"process": "missed_bin_collection", "title": "Report a missed bin",
                        "description": put.json["description"], "channels": ["open311", "web"], "lgsl": 524,
                        "open311_code": "missed-bin", "keywords": ["bin"], "translations": {}, "updates": False}
    narrowed = analyst.open("PUT", "/services/missed_bin_collection",
                            json={"channels": ["web"], "translations": {"cy": {"title": "Rhoi gwybod am fin"}}})
    assert narrowed.json["channels"] == ["web"] and narrowed.json["title"] == "Report a missed bin"
    assert narrowed.json["translations"] == {"cy": {"title": "Rhoi gwybod am fin"}}
    welsh_off = analyst.open("PUT", "/services/missed_bin_collection",
                             json={"channels": ["web"], "translations": {"cy": {"title": ""}}})
    assert welsh_off.json["translations"] == {}  # an empty text takes the Welsh away
    assert [s["process"] for s in analyst.get("/services?channel=web").json] == ["missed_bin_collection"]
    assert analyst.get("/services?channel=open311").json == []
    assert analyst.get("/services/missed_bin_collection").json["lgsl"] == 524
    withdrawn = analyst.open("PUT", "/services/missed_bin_collection", json={"channels": []})
    assert withdrawn.status_code == 200 and withdrawn.json["channels"] == []
    assert analyst.get("/services/missed_bin_collection").status_code == 404


def test_mistakes_and_roles(api_as, library):
    analyst = api_as(Role.ANALYST)
    bad = analyst.open("PUT", "/services/missed_bin_collection", json={"channels": ["open311"]})
    assert bad.status_code == 422 and "open311_code" in bad.json["errors"]
    assert analyst.open("PUT", "/services/nope", json={"channels": ["web"]}).status_code == 404
    assert analyst.open("PUT", "/services/missed_bin_collection", json={"channels": ["fax"]}).status_code == 422
    french = analyst.open("PUT", "/services/missed_bin_collection",
                          json={"channels": ["web"], "translations": {"fr": {"title": "Poubelle"}}})
    assert french.status_code == 422
    advisor = api_as(Role.FRONT_OFFICE)
    assert advisor.get("/services").status_code == 403
    assert api_as(Role.ADMIN).get("/services").status_code == 200
