"""The service directory: advisors find the right process from the caller's own words, and see
every service A to Z. Searched over the shipped library."""
from __future__ import annotations

from sqlalchemy import update

from engine.bpmn import registry
from engine.catalogue import directory
from engine.persistence.tables import Process
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import deploy_library, deploy_text


def keys(ctx, query: str) -> list[str]:
    return [s.key for s in directory.search(ctx, query)]


def test_plural_words_find_the_service_by_its_name(ctx):
    deploy_library(ctx)
    assert keys(ctx, "bins") == ["missed_bin_collection"]
    assert keys(ctx, "Potholes") == ["pothole_report"]
    assert keys(ctx, "report a pothole") == ["pothole_report"]


def test_council_tax_finds_both_council_tax_services_name_matches_first(ctx):
    deploy_library(ctx)
    assert keys(ctx, "council tax") == ["council_tax_change_of_address", "single_person_discount"]
    assert keys(ctx, "COUNCIL   TAX") == keys(ctx, "council tax")


def test_the_service_matching_most_words_comes_first_and_nonsense_finds_nothing(ctx):
    deploy_library(ctx)
    # A caller's whole sentence: the words that name a service win over the rest.
    found = keys(ctx, "council tax pothole")
    assert found[0] == "council_tax_change_of_address" and {"single_person_discount", "pothole_report"} <= set(found)
    assert keys(ctx, "zzzz") == []
    assert keys(ctx, "") == [] and keys(ctx, "the a of") == []


def test_words_from_the_description_find_a_service(ctx):
    deploy_library(ctx)
    # "crew" and "in-cab" appear only in the missed bin map's documentation.
    assert keys(ctx, "in-cab crew") == ["missed_bin_collection"]
    assert keys(ctx, "fly tipping") == ["fly_tipping_report"]


def test_the_description_is_the_process_documentation(ctx):
    deploy_library(ctx)
    service = directory.get_service(ctx, "missed_bin_collection")
    assert service.name == "Missed bin collection"
    assert service.description.startswith("A resident reports a bin that was not emptied")


def test_a_service_deployed_before_descriptions_is_found_by_name_and_gets_one_when_redeployed(ctx):
    files = registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS])
    registry.deploy(ctx, files)
    with ctx.db.transaction() as session:
        session.execute(update(Process).values(description=None))
    assert keys(ctx, "bins") == ["missed_bin_collection"]
    assert keys(ctx, "in-cab") == []
    assert registry.deploy(ctx, files).deployed[0].changed is False
    assert keys(ctx, "in-cab") == ["missed_bin_collection"]


def test_a_process_without_documentation_has_no_description(ctx):
    deploy_text(ctx, "tiny.bpmn", TINY)
    assert directory.get_service(ctx, "street_light").description is None
    assert keys(ctx, "street lights") == ["street_light"]
    assert keys(ctx, "street_light") == ["street_light"]


def test_a_to_z_groups_every_service_by_first_letter(ctx):
    deploy_library(ctx)
    groups = dict(directory.a_to_z(directory.all_services(ctx)))
    assert [s.name for s in groups["M"]] == ["Member enquiry", "Missed bin collection"]
    assert [s.key for s in groups["C"]] == ["council_tax_change_of_address"]
    assert list(groups) == sorted(groups)
    # Every shipped map but the directory's generic ones, which stand for entries (engine.catalogue.directory_actions).
    assert sum(len(g) for g in groups.values()) == len(list(PROCESSES.glob("*.bpmn"))) - len(directory.ACTION_MAPS)
    assert not {s.key for g in groups.values() for s in g} & set(directory.ACTION_MAPS.values())


TINY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="street_light" name="Street light fault" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
