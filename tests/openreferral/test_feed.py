"""The directory as an Open Referral UK feed, read over HTTP as another council's service finder
would: anonymous, from another site, checked against the standard's shapes (tests/openreferral/schemas)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from engine.catalogue import directory_files as files
from engine.catalogue.directory_feed import FeedIds
from engine.types import Role

from .conftest import ADMIN, PUBLISHED, SECRETS

SITE = {"Origin": "https://finder.example.org"}


def _all_services(client, **query) -> list[dict]:
    answer = client.get("/openreferral/services", query_string={"per_page": 500, **query}, headers=SITE)
    assert answer.status_code == 200
    return answer.json["contents"]


def test_the_root_says_which_standard_the_feed_follows(app, conforms):
    answer = app.test_client().get("/openreferral/", headers=SITE)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    conforms(answer.json, "info.json")
    assert answer.json["version"] == "3.0"


def test_a_service_finder_pages_through_every_published_service(app, directory, conforms):
    client = app.test_client()
    seen, page = [], 1
    while True:
        answer = client.get(f"/openreferral/services?page={page}&per_page=3", headers=SITE).json
        conforms(answer, "page.json", contents="service_summary.json")
        assert (answer["total_items"], answer["total_pages"], answer["page_number"]) == (4, 2, page)
        assert answer["first_page"] == (page == 1) and answer["size"] == len(answer["contents"])
        seen += answer["contents"]
        if answer["last_page"]:
            break
        page += 1
    assert [s["name"] for s in seen] == PUBLISHED
    assert len({s["id"] for s in seen}) == 4
    beyond = client.get("/openreferral/services?page=9&per_page=3").json
    conforms(beyond, "page.json")
    assert beyond["empty"] and beyond["contents"] == [] and beyond["last_page"] and beyond["total_items"] == 4


def test_each_service_in_full_names_who_delivers_it_and_its_lgsl_type(app, directory, conforms):
    client = app.test_client()
    by_name = {s["name"]: s for s in _all_services(client)}
    repairs = client.get(f"/openreferral/services/{by_name['Council housing repairs']['id']}", headers=SITE).json
    conforms(repairs, "service.json")
    assert repairs["organization"] == {
        "id": repairs["organization_id"], "name": "Anytown Homes", "email": "repairs@anytownhomes.org.uk",
        "website": "https://www.anytownhomes.org.uk",
        "description": "An organisation outside Anytown Borough Council that runs services residents are referred to."}
    assert repairs["phones"][0]["number"] == "01632 960000"
    dogs = client.get(f"/openreferral/services/{by_name['Dog fouling']['id']}").json
    conforms(dogs, "service.json")
    assert dogs["organization"]["name"] == "Anytown Borough Council"
    assert dogs["description"] == ("Report dog mess on a street or in a park.\n\n"
                                   "We clear it within 2 working days. See our map (https://anytown.example/map).")
    (lgsl,) = dogs["attributes"]
    assert lgsl["taxonomy_term"]["term_uri"] == "http://id.esd.org.uk/service/524"
    assert lgsl["taxonomy_term"]["taxonomy"] == "esdServiceTypes"
    parking = client.get(f"/openreferral/services/{by_name['Parking permits']['id']}").json
    conforms(parking, "service.json")
    assert "description" not in parking and "attributes" not in parking  # no value: left out, not sent empty


def test_advisor_guidance_teams_and_restricted_services_never_leave_the_council(app, directory):
    client = app.test_client()
    services = _all_services(client)
    every_answer = [client.get(url).get_data(as_text=True) for url in (
        "/openreferral/", "/openreferral/services?per_page=500", "/openreferral/taxonomies",
        "/openreferral/taxonomy_terms?per_page=500", *(f"/openreferral/services/{s['id']}" for s in services),
        *(f"/openreferral/taxonomy_terms/{t['id']}"
          for t in client.get("/openreferral/taxonomy_terms").json["contents"]),
        *(f"/openreferral/taxonomies/{t['id']}" for t in client.get("/openreferral/taxonomies").json["contents"]),
        "/openreferral/services?search=walrus", "/openreferral/services?text=zebra")]
    for secret in SECRETS.values():
        assert not any(secret.lower() in text.lower() for text in every_answer), secret
    assert '"total_items": 0' in every_answer[-1] and '"total_items": 0' in every_answer[-2]
    # The restricted entry has no page, and its LGSL type (only it has one) is no term of the feed.
    hidden = FeedIds("Anytown Borough Council").service("adult_safeguarding")
    assert client.get(f"/openreferral/services/{hidden}").status_code == 404
    terms = client.get("/openreferral/taxonomy_terms").json["contents"]
    assert [t["term"] for t in terms] == ["1", "524"]


@pytest.mark.parametrize(("query", "found"), [
    ({"search": "dog poo"}, ["Dog fouling"]),  # an advisor's synonym finds it, as in the service search
    ({"search": "PARK"}, ["Dog fouling", "Parking permits"]),  # name or description, any case
    ({"search": "working days"}, ["Dog fouling"]),  # the public information
    ({"text": "repairs homes"}, ["Council housing repairs"]),  # ORUK 1.0's name for it; every word must match
    ({"search": "100%"}, ["Bulky waste collection"]),  # a % is a character, not a wildcard
    ({"search": "_"}, []),
    ({"search": "kangaroo"}, []),
])
def test_text_search(app, directory, conforms, query, found):
    answer = app.test_client().get("/openreferral/services", query_string=query).json
    conforms(answer, "page.json", contents="service_summary.json")
    assert [s["name"] for s in answer["contents"]] == found and answer["total_items"] == len(found)
    assert answer["empty"] == (not found)


def test_services_are_found_by_their_lgsl_type(app, directory):
    client = app.test_client()
    terms = {t["term"]: t for t in client.get("/openreferral/taxonomy_terms").json["contents"]}
    by_term = [s["name"] for s in _all_services(client, taxonomy_term_id=terms["524"]["id"])]
    by_address = [s["name"] for s in _all_services(client, taxonomy_term_id="http://id.esd.org.uk/service/524")]
    assert by_term == by_address == ["Bulky waste collection", "Dog fouling"]
    taxonomy = client.get("/openreferral/taxonomies").json["contents"][0]["id"]
    assert len(_all_services(client, taxonomy_id=taxonomy)) == 3
    assert _all_services(client, taxonomy_id="00000000-0000-4000-8000-000000000000") == []
    assert _all_services(client, taxonomy_term_id=FeedIds("Anytown Borough Council").lgsl_term(30)) == []


def test_taxonomies_and_terms_have_the_standards_shapes(app, directory, conforms):
    client = app.test_client()
    taxonomies = client.get("/openreferral/taxonomies/", headers=SITE).json  # ORUK 1.0 clients add a slash
    conforms(taxonomies, "page.json", contents="taxonomy.json")
    assert taxonomies["contents"][0]["name"] == "esdServiceTypes"
    whole = client.get(f"/openreferral/taxonomies/{taxonomies['contents'][0]['id']}").json
    conforms(whole, "taxonomy.json")
    assert [t["term"] for t in whole["taxonomy_terms"]] == ["1", "524"]
    terms = client.get("/openreferral/taxonomy_terms?per_page=1&page=2").json
    conforms(terms, "page.json", contents="taxonomy_term.json")
    assert terms["total_items"] == 2 and [t["term"] for t in terms["contents"]] == ["524"] and terms["last_page"]
    conforms(client.get(f"/openreferral/taxonomy_terms/{terms['contents'][0]['id']}").json, "taxonomy_term.json")


@pytest.mark.parametrize("url", ["/openreferral/services/no-such-service", "/openreferral/taxonomies/x",
                                 "/openreferral/taxonomy_terms/x", "/openreferral/no-such-endpoint"])
def test_an_unknown_id_is_a_json_404_a_browser_app_can_read(app, directory, conforms, url):
    answer = app.test_client().get(url, headers=SITE)
    assert answer.status_code == 404 and answer.headers["Access-Control-Allow-Origin"] == "*"
    conforms(answer.json, "error.json")


@pytest.mark.parametrize("query", ["page=0", "page=two", "per_page=-5"])
def test_paging_that_makes_no_sense_is_refused_as_json(app, conforms, query):
    answer = app.test_client().get(f"/openreferral/services?{query}")
    assert answer.status_code == 400
    conforms(answer.json, "error.json")


def test_a_huge_page_is_served_as_the_largest_page(app, directory):
    answer = app.test_client().get("/openreferral/services?per_page=100000").json
    assert answer["size"] == 4 and answer["total_pages"] == 1


def test_any_site_may_read_the_feed_and_its_preflights_are_answered(app, directory):
    client = app.test_client()
    for url in ("/openreferral/", "/openreferral/services", "/openreferral/taxonomies", "/openreferral/taxonomy_terms"):
        got = client.get(url, headers=SITE)
        assert got.status_code == 200 and got.headers["Access-Control-Allow-Origin"] == "*", url
        preflight = client.options(url, headers={**SITE, "Access-Control-Request-Method": "GET",
                                                 "Access-Control-Request-Headers": "Accept"})
        assert preflight.status_code == 200, url
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
        assert "Accept" in preflight.headers["Access-Control-Allow-Headers"]
        assert "Access-Control-Allow-Credentials" not in preflight.headers  # nothing depends on who asks


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_feed_is_read_only(app, directory, conforms, method):
    answer = getattr(app.test_client(), method)("/openreferral/services", json={"name": "Mine"})
    assert answer.status_code == 405 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    conforms(answer.json, "error.json")
    assert len(_all_services(app.test_client())) == 4


def test_anyone_may_read_the_feed_while_staff_pages_still_need_signing_in(app, directory, signed_in):
    anonymous = app.test_client()
    assert anonymous.get("/openreferral/services").status_code == 200
    assert anonymous.get("/").status_code == 302 and "/sign-in" in anonymous.get("/").headers["Location"]
    assert anonymous.get("/api/v1/processes").status_code == 401
    assert "Access-Control-Allow-Origin" not in anonymous.get("/sign-in").headers  # only the feed is shared
    staff = signed_in(Role.FRONT_OFFICE)
    assert staff.get("/openreferral/services").json == anonymous.get("/openreferral/services").json


def test_ids_stay_the_same_when_the_directory_is_exported_and_imported_again(app, directory):
    before = {s["name"]: (s["id"], s["organization_id"]) for s in _all_services(app.test_client())}
    again = files.export_json(directory)
    files.import_directory(directory, files.read(again, "json"), ADMIN)
    after = {s["name"]: (s["id"], s["organization_id"]) for s in _all_services(app.test_client())}
    assert after == before
    # Another council publishing the same keys gets other ids, so a finder merging feeds keeps both.
    app.config["COUNCIL_NAME"] = "Othertown District Council"
    other = {s["name"]: s["id"] for s in _all_services(app.test_client())}
    assert not set(other.values()) & {ids[0] for ids in before.values()}


def test_a_page_of_services_is_two_queries_however_large(app, directory):
    big = {"services": [{"key": f"service_{n:04d}", "name": f"Service {n:04d}", "action": "resolve", "lgsl": n,
                         "description": "A service.", "synonyms": [f"word{n}"]} for n in range(1, 121)]}
    files.import_directory(directory, files.read(json.dumps(big), "json"), ADMIN)
    selects: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)
    client = app.test_client()
    event.listen(directory.db.engine, "before_cursor_execute", record)
    try:
        counts = []
        for per_page in (1, 100):
            selects.clear()
            assert client.get(f"/openreferral/services?per_page={per_page}&search=service").json["size"] == per_page
            counts.append(len(selects))
    finally:
        event.remove(directory.db.engine, "before_cursor_execute", record)
    assert counts == [2, 2]
