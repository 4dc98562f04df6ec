"""A partner's system reports a pothole over Open311 GeoReport v2 and follows it to closed.

The GET calls go through ``georeport``, a third-party Open311 client from PyPI, in JSON and in XML;
the POSTs are form-encoded as FixMyStreet sends them (``attribute[CODE]=VALUE``), with no CSRF token.
"""
from __future__ import annotations

import pytest
import requests
from georeport import GeoReport
from lxml import etree
from sqlalchemy import select

from engine.casework import cases
from engine.persistence.tables import Case, PartnerKey, Task
from engine.types import Role
from tests.conftest import FORMS, PROCESSES

from .conftest import CODE, PARTNER

FORMATS = ["json", "xml"]
ANSWERS = {"attribute[defect_location]": "Outside 4 Mill Lane, northbound", "attribute[location_type]": "carriageway",
           "attribute[road_responsibility]": "council", "attribute[immediate_danger]": "no"}


def report(open311, fmt: str = "json", **fields):
    """POST requests.{fmt} as FixMyStreet does: form-encoded, the key in the body."""
    body = {"api_key": open311.api_key, "service_code": CODE, "lat": "52.2566", "long": "-1.2380",
            "address_string": "4 Mill Lane, Anytown", "first_name": "Pat", "last_name": "Resident",
            "description": "A deep pothole by the bus stop", **ANSWERS, **fields}
    return requests.post(f"{open311.root}/requests.{fmt}", data={k: v for k, v in body.items() if v is not None},
                         timeout=10)


def error_descriptions(response) -> list[str]:
    if response.headers["Content-Type"].startswith("text/xml"):
        root = etree.fromstring(response.content)
        assert root.tag == "errors"
        assert {e.findtext("code") for e in root.iter("error")} == {str(response.status_code)}
        return [e.findtext("description") for e in root.iter("error")]
    assert {e["code"] for e in response.json()} == {response.status_code}
    return [e["description"] for e in response.json()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_lists_the_published_services_and_their_attributes_from_the_intake_form(open311, fmt):
    client = GeoReport(open311.root, output_format=fmt)
    services = client.get_service_list()
    service = services[0] if isinstance(services, list) else services  # one service in XML is no list
    assert (service["service_code"], service["service_name"], service["type"]) == (CODE, "Pothole", "realtime")
    assert service["keywords"] == "road, pavement"
    definition = client.get_service_definition(CODE)
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    by_code = {a["code"]: a for a in attributes}
    # The front office's "Record defect details" form, less the gazetteer address Open311 cannot carry.
    assert list(by_code) == ["defect_location", "location_type", "road_responsibility", "approximate_depth",
                             "immediate_danger", "vehicle_damaged"]
    location, kind = by_code["defect_location"], by_code["location_type"]
    assert (location["datatype"], str(location["required"]).lower()) == ("text", "true")
    assert (kind["datatype"], kind["description"]) == ("singlevaluelist", "Is it in the road or on the pavement?")
    values = kind["values"] if fmt == "json" else kind["values"]["value"]
    assert [(v["key"], v["name"]) for v in values][:2] == [("carriageway", "Road"), ("footway", "Pavement")]
    assert str(by_code["approximate_depth"]["required"]).lower() == "false"


def test_discovery_names_the_endpoint_and_both_formats(open311):
    found = requests.get(f"{open311.root}/discovery.json", timeout=10).json()
    (endpoint,) = found["endpoints"]
    assert endpoint["url"] == open311.root
    assert endpoint["formats"] == ["application/json", "text/xml"]


def test_a_fixmystreet_report_becomes_a_case_with_the_team_and_follows_it_to_closed(open311, make_user):
    posted = report(open311, email=None)  # no contact: the map's acknowledgement branch has nothing to send
    assert posted.status_code == 201, posted.text
    (created,) = posted.json()
    reference = created["service_request_id"]
    with open311.ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert (case.channel, case.created_by) == ("partner", PARTNER)
        assert case.data["open311"]["partner"] == PARTNER and case.data["customer_name"] == "Pat Resident"
        (task,) = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
        # The intake task was answered from the attributes: the case went straight to Highways.
        assert (task.bpmn_id, task.team.name) == ("inspect_defect", "Highways")
        task_id = task.id

    for fmt in FORMATS:
        client = GeoReport(open311.root, output_format=fmt)
        followed = client.get_service_request(reference)
        assert (followed["status"], followed["agency_responsible"]) == ("open", "Highways")
        assert followed["status_notes"] == "With Highways: an inspector will look at it"  # the map's publicStatus
        assert (followed["service_code"], followed["description"]) == (CODE, "A deep pothole by the bus stop")
        assert followed["address"] == "4 Mill Lane, Anytown"
        listed = client.get_service_requests(service_code=CODE, status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [reference]

    officer = make_user("hwy@example.gov.uk", Role.BACK_OFFICE, teams=("Highways",))
    cases.complete_task(open311.ctx, task_id, {"inspection_date": "2026-12-07",
                                               "defect_category": "below_intervention_level"}, actor=officer)
    for fmt in FORMATS:
        client = GeoReport(open311.root, output_format=fmt)
        closed = client.get_service_request(reference)
        assert (closed["status"], closed["status_notes"]) == ("closed", "Closed: inspected, below the level at which we repair")
        listed = client.get_service_requests(status="closed")
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [reference]
    assert requests.get(f"{open311.root}/requests.json?status=open", timeout=10).json() == []

    updates = requests.get(f"{open311.root}/servicerequestupdates.xml", params={"api_key": open311.api_key},
                           timeout=10)
    root = etree.fromstring(updates.content)
    assert root.tag == "service_requests_updates"
    seen = [(u.findtext("service_request_id"), u.findtext("status"), u.findtext("description"))
            for u in root.iter("request_update")]
    assert seen == [(reference, "in_progress", "With Highways: an inspector will look at it"),
                    (reference, "closed", "Closed: inspected, below the level at which we repair")]


def test_xml_answers_follow_the_format_asked_for_and_the_reporters_details_stay_inside(open311):
    posted = report(open311, "xml", email="pat@example.com", phone="07700900123")
    assert posted.status_code == 201
    root = etree.fromstring(posted.content)
    reference = root.findtext("request/service_request_id")
    assert reference.startswith("CF-")
    for fmt in FORMATS:
        body = requests.get(f"{open311.root}/requests/{reference}.{fmt}", timeout=10).text
        assert "pat@example.com" not in body and "07700900123" not in body and "Resident" not in body


def test_xml_looking_input_is_kept_as_text_and_comes_back_escaped(open311):
    hostile = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               '<x>&e;</x><script>alert(1)</script>')
    posted = report(open311, description=hostile, **{"attribute[defect_location]": "</defect_location><b>"})
    assert posted.status_code == 201, posted.text
    reference = posted.json()[0]["service_request_id"]
    shown = GeoReport(open311.root, output_format="xml").get_service_request(reference)
    assert shown["description"] == hostile  # parsed back by the client as text: nothing was expanded
    raw = requests.get(f"{open311.root}/requests/{reference}.xml", timeout=10).text
    assert "<script>" not in raw and "&lt;script&gt;" in raw


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_requests_get_the_specs_errors_and_codes(open311, fmt):
    def refused(status: int, response) -> list[str]:
        assert response.status_code == status, response.text
        return error_descriptions(response)

    assert refused(403, report(open311, fmt, api_key="o311_not-a-key")) == ["The api_key is not valid"]
    assert refused(403, report(open311, fmt, api_key=None)) == ["The api_key is not valid"]
    assert refused(404, report(open311, fmt, service_code="NOPE")) == ["There is no service with service_code 'NOPE'"]
    missing = refused(400, report(open311, fmt, **{"attribute[immediate_danger]": None}))
    assert missing == ["attribute[immediate_danger]: Select whether it is an immediate danger"]
    assert refused(400, report(open311, fmt, description="x" * 4001)) == [
        "description must be 4,000 characters or fewer"]
    assert refused(400, report(open311, fmt, **{"attribute[location_type]": "sky"}))[0].startswith(
        "attribute[location_type] must be one of: carriageway")
    assert refused(400, report(open311, fmt, **{"attribute[colour]": "red"})) == [
        "attribute[colour]: The service POT has no attribute 'colour'"]
    assert refused(400, report(open311, fmt, description="bell\x07")) == [
        "description holds a control character or a lone surrogate, which cannot be accepted"]
    assert refused(400, report(open311, fmt, lat="91", long="0")) == ["lat must be a number from -90 to 90"]
    assert refused(400, report(open311, fmt, lat=None, long=None, address_string=None)) == [
        "address_string: Send where the problem is: lat and long, or address_string"]
    assert refused(413, report(open311, fmt, description="x" * 70_000))
    assert refused(404, requests.get(f"{open311.root}/services/NOPE.{fmt}", timeout=10))
    assert refused(404, requests.get(f"{open311.root}/requests/CF-999999.{fmt}", timeout=10))
    assert refused(400, requests.get(f"{open311.root}/requests.{fmt}?status=lost", timeout=10))
    assert refused(400, requests.get(f"{open311.root}/requests.{fmt}?start_date=2026-01-01T00:00:00Z"
                                     f"&end_date=2026-06-01T00:00:00Z", timeout=10))
    assert refused(400, requests.get(f"{open311.root}/requests.{fmt}?start_date=yesterday", timeout=10))
    assert refused(405, requests.delete(f"{open311.root}/services.{fmt}", timeout=10))
    assert refused(404, requests.get(f"{open311.root}/nothing.{fmt}", timeout=10))
    assert refused(403, requests.get(f"{open311.root}/servicerequestupdates.{fmt}", timeout=10))
    with open311.ctx.db.transaction(readonly=True) as session:  # none of it made a case
        assert session.scalars(select(Case)).all() == []


def test_partners_keys_are_stored_hashed_listed_without_the_key_and_revoked(open311, cli):
    with open311.ctx.db.transaction(readonly=True) as session:
        (row,) = session.scalars(select(PartnerKey))
        assert open311.api_key not in row.key_hash and len(row.key_hash) == 64
    assert report(open311).status_code == 201
    (listed,) = cli("partners", "list", "--json").json()
    assert (listed["partner"], listed["live_keys"], listed["revoked_keys"]) == (PARTNER, 1, 0)
    assert listed["last_used_at"] is not None and open311.api_key not in cli("partners", "list").stdout
    assert cli("partners", "revoke", PARTNER, "--json").json()["revoked_keys"] == 1
    assert report(open311).status_code == 403
    unknown = cli("partners", "revoke", "Nobody")
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, "Error: There is no partner 'Nobody'")


def test_requests_are_filtered_by_id_and_date_window_the_last_90_days_by_default(open311):
    first = report(open311).json()[0]["service_request_id"]
    second = report(open311).json()[0]["service_request_id"]

    def ids(**params) -> list[str]:
        found = requests.get(f"{open311.root}/requests.json", params=params, timeout=10)
        assert found.status_code == 200, found.text
        return [r["service_request_id"] for r in found.json()]

    assert ids() == [second, first]  # newest first
    assert ids(service_request_id=f"{first},CF-999999") == [first]
    assert ids(start_date="2099-01-01T00:00:00Z") == []
    assert ids(end_date="2020-01-01T00:00:00Z") == []
    backwards = requests.get(f"{open311.root}/requests.json", timeout=10,
                             params={"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"})
    assert error_descriptions(backwards) == ["start_date must be before end_date"]


def test_a_list_of_choices_is_a_multivaluelist_posted_as_repeated_attributes(open311, cli):
    assert cli("deploy", str(PROCESSES / "fly_tipping_report.bpmn"), str(FORMS), "--json").exit_code == 0
    assert cli("services", "publish", "fly_tipping_report", "--channel", "open311", "--open311-code", "FLY",
               "--json").exit_code == 0
    assert [s["service_code"] for s in GeoReport(open311.root).get_service_list()] == ["FLY", CODE]
    definition = GeoReport(open311.root, output_format="xml").get_service_definition("FLY")
    waste = next(a for a in definition["attributes"]["attribute"] if a["code"] == "waste_types")
    assert (waste["datatype"], waste["required"]) == ("multivaluelist", "true")
    assert [v["key"] for v in waste["values"]["value"]][:2] == ["household_bags", "furniture"]

    fly_tip = {"service_code": "FLY", "attribute[location_description]": "Lay-by on the A361",
               "attribute[land_type]": "public_highway", "attribute[waste_quantity]": "car_boot",
               "attribute[blocking_highway]": "no", "attribute[evidence_available]": "no"}
    none_chosen = report(open311, **{**{k: None for k in ANSWERS}, **fly_tip})
    assert none_chosen.status_code == 400 and error_descriptions(none_chosen)[0].startswith("attribute[waste_types]")
    body = {"api_key": open311.api_key, "lat": "52.25", "long": "-1.23", "description": "Sofa and bags",
            **fly_tip, "attribute[waste_types][]": ["furniture", "household_bags"]}
    posted = requests.post(f"{open311.root}/requests.json", data=body, timeout=10)
    assert posted.status_code == 201, posted.text
    with open311.ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == posted.json()[0]["service_request_id"]))
        assert case.data["waste_types"] == ["furniture", "household_bags"]
        opened = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == "open"))
        assert "Customer Hub" not in {t.team.name for t in opened}  # the intake was answered by the request
