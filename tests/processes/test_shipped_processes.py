"""Every shipped map deploys cleanly and runs end to end through the persistent engine (database,
projections, outbox, worker, status polling) against the fake back office: each path in
processes/test_*.json, and the hand-offs told as stories. Nothing is keyed twice: the fakes hold
exactly the records each path should leave, each carrying our case reference."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from adapters.registry import AdapterRegistry
from engine.bpmn import registry
from engine.casework import cases
from engine.residents import publishing, web_reports
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.background.worker import Worker, fire_due_timers
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import complete, deploy_library
from tests.processes.backoffice import BackOffice, offline_config
from tests.processes.pathrun import (FROM_THE_BACK_OFFICE, PathRun, asset_system_closes, data_of, load_demo_calendar,
                                     view_of)

PATHS = [(f.stem.removeprefix("test_"), name, case)
         for f in sorted(PROCESSES.glob("test_*.json"))
         for name, case in json.loads(f.read_text()).items()]
RESIDENT = {"customer_name": "Pat Smith", "customer_email": "pat.smith@example.com",
            "customer_phone": "07700 900123", "address": "14 Mill Lane, Anytown", "postcode": "AN1 2BC"}
TEXT_ONLY = {**RESIDENT, "customer_email": None}


@pytest.fixture
def backoffice():
    with BackOffice() as running:
        yield running


@pytest.fixture
def council(database_url, backoffice):
    """The council's engine with the library deployed and the adapters pointing at the fakes."""
    adapters = AdapterRegistry.from_config(backoffice.config(), backoffice.env())
    # The test clock starts at the real time: the fakes stamp their records with it, and status
    # polling looks back from the engine's clock.
    ctx = Context(Database(database_url), clock=FixedClock(datetime.now(timezone.utc)),
                  settings=Settings(forms_dir=FORMS), adapters=adapters)
    deploy_library(ctx)
    load_demo_calendar(ctx)
    yield ctx
    ctx.db.dispose()


def work(ctx: Context) -> None:
    """What the worker does between people's steps: make every due adapter call."""
    worker = Worker(ctx)
    while worker.run_calls():
        pass


# -- the library ------------------------------------------------------------------------------------

def test_library_has_at_least_nine_maps_each_with_note_and_tests():
    maps = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
    assert len(maps) >= 9
    for key in maps:
        assert (PROCESSES / f"{key}.md").is_file(), key
        assert (PROCESSES / f"test_{key}.json").is_file(), key


def test_every_shipped_map_deploys_without_errors_or_warnings_with_the_library_adapters(database_url):
    adapters = AdapterRegistry.from_config(offline_config(), {})
    ctx = Context(Database(database_url), settings=Settings(forms_dir=FORMS), adapters=adapters)
    bundle = registry.check(ctx, registry.read_paths([PROCESSES, FORMS]))
    assert bundle.errors == []
    assert bundle.warnings == []
    assert {c.key for c in bundle.candidates} == {p.stem for p in PROCESSES.glob("*.bpmn")}
    ctx.db.dispose()


def test_without_the_adapters_the_library_is_refused_naming_the_missing_operation(database_url):
    ctx = Context(Database(database_url), settings=Settings(forms_dir=FORMS), operations=set())
    bundle = registry.check(ctx, registry.read_paths([PROCESSES / "pothole_report.bpmn", FORMS]))
    assert any("'assets/create_request', which is not a registered adapter operation" in p.message
               for p in bundle.errors)
    ctx.db.dispose()


# -- every path of every model test, for real -------------------------------------------------------

@pytest.mark.parametrize("key,name,path", PATHS, ids=[f"{k}-{n}" for k, n, _ in PATHS])
def test_each_path_runs_end_to_end_against_the_back_office(council, backoffice, key, name, path):
    run = PathRun(council, backoffice, path)
    view = run.run(key)
    assert view.status == "completed", view
    assert not any(run.messages.values()) and not run.timers, "the path left messages or timers unused"
    data = data_of(council, view.reference)
    expected = json.loads(json.dumps(path["expected_output_json"]).replace("CF-TEST", view.reference))
    for field, value in expected.items():
        if field not in FROM_THE_BACK_OFFICE:
            assert data.get(field) == value, field
    # Exactly the records the path's calls should leave, each with our reference: nothing re-keyed.
    assert len(backoffice.open311.records) == run.succeeded["assets/create_request"]
    for record in backoffice.open311.records.values():
        assert f"Our reference: {view.reference}:" in record["description"]
    assert len(backoffice.revenues.changes) == run.succeeded["revenues/post_change_of_circumstances"]
    assert len(backoffice.documents(view.reference)) == run.succeeded["edrms/upload_document"]
    assert Counter(name for name, _, _ in backoffice.notifications()) == run.templates
    for _, _, personalisation in backoffice.notifications():
        assert personalisation["reference"] == view.reference


# -- the hand-offs, as stories ----------------------------------------------------------------------

POTHOLE = {"defect_location": "Mill Road, outside number 22, eastbound lane", "location_type": "carriageway",
           "road_responsibility": "council", "approximate_depth": "over_100mm", "immediate_danger": "yes"}
CATEGORY_1 = {"inspection_date": "2026-01-05", "measured_depth_mm": 120, "defect_category": "category_1",
              "made_safe": "yes"}


def test_pothole_raises_one_works_order_and_closes_when_the_asset_system_reports_it_done(council, backoffice):
    view = cases.start_case(council, "pothole_report", dict(RESIDENT))
    work(council)
    [ack] = backoffice.notifications()
    assert ack == ("resident_acknowledgement", "pat.smith@example.com",
                   {"name": "Pat Smith", "service": "pothole report", "reference": view.reference})
    view = complete(council, view, "record_pothole", POTHOLE)
    view = complete(council, view, "inspect_defect", CATEGORY_1)
    assert view.tasks == []  # the works order is the asset system's job now
    work(council)
    work(council)  # a second round sends nothing twice
    [job] = backoffice.open311.records.values()
    assert job["service_code"] == "POT" and job["attributes"] == {"depth": "120"}
    assert job["address"] == POTHOLE["defect_location"]
    assert job["description"].startswith("Pothole, category 1, at Mill Road")
    assert data_of(council, view.reference)["asset_request"]["service_request_id"] == job["service_request_id"]
    assert view_of(council, view.reference).status == "open"

    assert asset_system_closes(council, backoffice, view.reference, "Permanent repair, gang 3") == 1
    work(council)
    assert view_of(council, view.reference).status == "completed"
    data = data_of(council, view.reference)
    assert data["outcome"] == "repaired" and data["asset_update"]["status_notes"] == "Permanent repair, gang 3"
    assert [n[0] for n in backoffice.notifications()] == ["resident_acknowledgement", "resident_closure"]
    assert backoffice.notifications()[1][2]["outcome"] == "The defect has been repaired."
    assert len(backoffice.open311.records) == 1


def test_a_works_order_not_closed_in_time_comes_back_to_highways_to_chase(council, backoffice):
    view = complete(council, cases.start_case(council, "pothole_report"), "record_pothole", POTHOLE)
    view = complete(council, view, "inspect_defect", CATEGORY_1)
    work(council)
    council.clock.advance(days=2, seconds=1)  # Category 1 is chased after 2 days
    assert fire_due_timers(council) == 1
    view = view_of(council, view.reference)
    assert [(t.bpmn_id, t.team) for t in view.tasks] == [("repair_defect", "Highways")]
    done = complete(council, view, "repair_defect", {"repair_type": "temporary", "repair_date": "2026-01-08"})
    work(council)
    assert done.status == "completed" and data_of(council, view.reference)["outcome"] == "repaired"
    assert backoffice.notifications() == []  # no contact details were captured: nothing to send


def test_fly_tip_clearance_goes_to_the_waste_system_and_a_texted_resident_hears_the_outcome(council, backoffice):
    view = cases.start_case(council, "fly_tipping_report", dict(TEXT_ONLY))
    view = complete(council, view, "record_fly_tip", {
        "location_description": "Rear alley behind 12-20 High Street", "land_type": "public_highway",
        "waste_types": ["household_bags", "furniture"], "waste_quantity": "car_boot", "blocking_highway": "yes",
        "evidence_available": "no"})
    work(council)
    [job] = backoffice.open311.records.values()
    assert job["service_code"] == "FLY" and "It is blocking the road or pavement." in job["description"]
    assert asset_system_closes(council, backoffice, view.reference, "Cleared by crew 4") == 1
    work(council)
    data = data_of(council, view.reference)
    assert view_of(council, view.reference).status == "completed"
    assert (data["outcome"], data["clearance_result"]) == ("cleared", "cleared")
    assert data["crew_notes"] == "Cleared by crew 4"
    assert [(n[0], n[1]) for n in backoffice.notifications()] == [
        ("resident_acknowledgement_sms", "07700 900123"), ("resident_closure_sms", "07700 900123")]


def test_member_enquiry_response_is_filed_in_the_edrms_folder_named_after_the_case(council, backoffice):
    view = cases.start_case(council, "member_enquiry", {"customer_name": "Cllr Jones"}, channel="councillor")
    view = complete(council, view, "log_member_enquiry", {
        "ward": "Riverside", "enquiry_type": "ward_issue", "resident_consent": "yes",
        "enquiry_summary": "Street light out on the school crossing", "service_area": "highways",
        "priority": "urgent", "answer_route": "refer_to_service"})
    view = complete(council, view, "prepare_response_highways", {
        "response_status": "draft_ready", "responding_officer": "H Highways",
        "draft_response": "Repaired on Monday.", "action_taken": ["job_raised"]})
    view = complete(council, view, "review_and_send", {
        "final_response": "Dear Councillor, the light was repaired on Monday.", "response_sent_date": "2026-01-07",
        "response_method": "email", "quality_checked": True})
    work(council)
    assert view_of(council, view.reference).status == "completed"
    [document] = backoffice.documents(view.reference)
    assert document["props"]["cmis:name"] == f"{view.reference}-member-enquiry-response.txt"
    assert document["props"]["cmis:description"].startswith(f"{view.reference}:")  # our key: found, not resent
    text = document["content"].decode()
    assert "Councillor: Cllr Jones (Riverside ward)" in text and text.endswith("the light was repaired on Monday.")
    assert data_of(council, view.reference)["edrms_record"]["object_id"] == document["props"]["cmis:objectId"]
    assert backoffice.notifications() == []  # councillors hear from Member Services, not from Notify


MOVE = {"move_type": "within_area", "move_date": "2026-01-02", "previous_address": "12 Mill Lane, Anytown",
        "new_address": "Flat 3, 8 Church Street, Anytown", "tenure": "private_tenant",
        "landlord_details": "Anytown Lettings", "adults_at_new_address": 1, "old_property_status": "occupied",
        "hub_action": "refer_to_revenues"}


def test_change_of_address_is_posted_to_revenues_once_after_the_liability_decision(council, backoffice):
    view = complete(council, cases.start_case(council, "council_tax_change_of_address", dict(RESIDENT)),
                    "record_move", MOVE)
    work(council)
    assert backoffice.revenues.changes == {}  # nothing goes to revenues before Revenues decide
    view = complete(council, view, "assess_liability", {"liability_decision": "new_bill_issued",
                                                         "liability_start_date": "2026-01-02",
                                                         "new_account_reference": "CT-1001"})
    work(council)
    work(council)
    [change] = backoffice.revenues.changes.values()
    assert change["account_ref"] == "CT-1001" and change["effective_date"] == "2026-01-02"
    assert change["new_address"] == MOVE["new_address"] and change["case_reference"] == view.reference
    assert change["reference"].startswith(f"{view.reference}:")
    data = data_of(council, view.reference)
    assert view_of(council, view.reference).status == "completed"
    assert data["revenues_change"]["change_id"] == change["id"] and data["outcome"] == "completed"
    assert [n[0] for n in backoffice.notifications()] == ["resident_acknowledgement", "resident_closure"]


def test_a_change_revenues_refuses_goes_back_to_revenues_with_the_reason(council, backoffice):
    view = complete(council, cases.start_case(council, "council_tax_change_of_address"), "record_move", MOVE)
    view = complete(council, view, "assess_liability", {"liability_decision": "new_bill_issued",
                                                         "liability_start_date": "2026-01-02",
                                                         "new_account_reference": "CT-9999"})
    work(council)
    view = view_of(council, view.reference)
    assert [t.bpmn_id for t in view.tasks] == ["assess_liability"]
    assert data_of(council, view.reference)["revenues_post_error"] == {"error_code": "account_not_found",
                                                                       "error_message": "No account CT-9999"}
    complete(council, view, "assess_liability", {"liability_decision": "new_bill_issued",
                                                  "liability_start_date": "2026-01-02",
                                                  "new_account_reference": "CT-1001"})
    work(council)
    assert view_of(council, view.reference).status == "completed"
    assert [c["account_ref"] for c in backoffice.revenues.changes.values()] == ["CT-1001"]
    assert data_of(council, view.reference)["revenues_post_error"] is None


def test_a_resident_notify_refuses_to_email_still_gets_the_case_closed(council, backoffice):
    view = cases.start_case(council, "missed_bin_collection", {**RESIDENT, "customer_email": "not-an-address"})
    work(council)
    view = complete(council, view, "record_missed_collection", {
        "bin_type": "recycling", "scheduled_collection_date": "2026-01-05", "bin_out_by_7am": "yes",
        "bin_location": "kerbside", "crew_report": "not_presented"})
    view = complete(council, view, "explain_crew_report", {"advice_given": ["presentation_time"],
                                                           "resident_response": "accepts"})
    work(council)
    assert view_of(council, view.reference).status == "completed"
    data = data_of(council, view.reference)
    assert data["notification_error"]["error_code"] == "notify_rejected"
    assert "Not a valid email address" in data["notification_error"]["error_message"]
    assert backoffice.notifications() == []


def test_a_resident_who_reported_in_welsh_is_acknowledged_in_welsh(council, backoffice):
    publishing.publish(council, "missed_bin_collection", channels=["web"], actor="admin@example.gov.uk")
    answers = {"bin_type": "recycling", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
               "bin_location": "kerbside"}
    contact = {"name": "Siân Jones", "address": "1 Stryd Fawr", "postcode": "AN1 2BC", "email": "sian@example.org"}
    report = web_reports.submit(council, "missed_bin_collection", answers, contact, language="cy")
    work(council)
    [ack] = backoffice.notifications()
    assert ack == ("resident_acknowledgement_cy", "sian@example.org", {"name": "Siân Jones",
                                                                      "reference": report.reference})


def test_residents_are_told_each_new_public_status_once_in_their_language(council, backoffice):
    publishing.publish(council, "missed_bin_collection", channels=["web"], updates=True, actor="admin@example.gov.uk")
    answers = {"bin_type": "refuse", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
               "bin_location": "kerbside"}
    welsh = web_reports.submit(council, "missed_bin_collection", answers,
                               {"name": "Siân Jones", "address": "1 Stryd Fawr", "postcode": "AN1 2BC",
                                "email": "sian@example.org"}, language="cy")
    english = web_reports.submit(council, "missed_bin_collection", answers,
                                 {"name": "Sam Smith", "address": "2 High Street", "postcode": "AN1 2BC",
                                  "phone": "07700 900456"})
    work(council)
    assert sorted(n[0] for n in backoffice.notifications()) == ["resident_acknowledgement_cy",
                                                               "resident_acknowledgement_sms"]  # no update at start
    for report in (welsh, english):
        complete(council, cases.show_case(council, report.reference).case, "record_missed_collection",
                 {**answers, "crew_report": "none"})
    work(council)
    work(council)  # a second round sends nothing twice
    updates = [n for n in backoffice.notifications() if n[0].startswith("resident_update")]
    assert updates == [
        ("resident_update_cy", "sian@example.org",
         {"name": "Siân Jones", "reference": welsh.reference,
          "status": "Gyda’r Gwasanaethau Gwastraff: bydd criw yn dod yn ôl i gasglu eich bin"}),
        ("resident_update_sms", "07700 900456",
         {"reference": english.reference, "status": "With Waste Services: a crew will come back for your bin"})]
