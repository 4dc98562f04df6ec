"""The directory of services: entries for each thing the front office can do, checked the same way
through every door, imported all or nothing from CSV or JSON, and exported so the file round-trips."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.catalogue import directory_entries as de
from engine.catalogue import directory_files as files
from engine.errors import FormInvalid, NotFound
from engine.persistence.tables import Case
from engine.types import DirectoryAction, Sensitivity
from tests.engine.helpers import deploy_library

ADMIN = "admin@example.gov.uk"
CSV = """key,name,synonyms,lgsl,description,public_info,guidance,guidance_owner,guidance_review_on,action,process,team,partner,partner_email,partner_phone,partner_website,sensitivity,related
dog_fouling,Dog fouling,dog mess; dog poo,371,Report dog fouling in a public place.,Bag it and bin it.,Ask where and when.,Street Scene lead,2027-03-31,hand_off,,Dog Wardens,,,,,normal,fly_tipping_entry
fly_tipping_entry,Fly-tipping,dumped rubbish,,Report rubbish dumped.,,,,,start,fly_tipping_report,,,,,,normal,
leisure_membership,Leisure centre membership,gym; swimming,,Memberships are run by our leisure trust.,,Give the trust's number.,,,refer,,,Anytown Leisure Trust,hello@leisure.example.org,01632 960900,https://leisure.example.org,normal,
safeguarding_adult,Adult safeguarding concern,abuse; neglect,,,,,,,hand_off,,Adult Social Care,,,,,restricted,
opening_hours,Council opening hours,,,,"Monday to Friday, 9am to 5pm.",,,,resolve,,,,,,,normal,
"""


@pytest.fixture
def imported(ctx):
    deploy_library(ctx)
    return files.import_directory(ctx, files.read(CSV, "csv"), ADMIN)


def test_a_csv_import_adds_every_service_partner_and_missing_team(ctx, imported):
    assert imported.to_dict() == {"created": 5, "updated": 0, "partners": 1,
                                  "teams_created": ["Dog Wardens", "Adult Social Care"]}
    dog = de.get_entry(ctx, "dog_fouling")
    assert (dog.name, dog.action, dog.team, dog.lgsl) == ("Dog fouling", DirectoryAction.HAND_OFF, "Dog Wardens", 371)
    assert dog.synonyms == ("dog mess", "dog poo") and dog.related == ("fly_tipping_entry",)
    assert dog.guidance_review_on == date(2027, 3, 31) and dog.guidance_stale(date(2027, 4, 1))
    assert not dog.guidance_stale(date(2027, 3, 31))
    leisure = de.get_entry(ctx, "leisure_membership")
    assert (leisure.action, leisure.partner) == (DirectoryAction.REFER, "Anytown Leisure Trust")
    assert de.get_entry(ctx, "safeguarding_adult").sensitivity == Sensitivity.RESTRICTED
    assert de.get_entry(ctx, "fly_tipping_entry").process == "fly_tipping_report"
    with ctx.db.transaction(readonly=True) as session:
        assert de.partners(session) == [de.PartnerInfo("Anytown Leisure Trust", "hello@leisure.example.org",
                                                       "01632 960900", "https://leisure.example.org")]


def test_export_then_import_gives_back_the_same_directory(ctx, imported):
    before = de.list_entries(ctx)
    for file_format, exported in (("json", files.export_json(ctx)), ("csv", files.export_csv(ctx))):
        for entry in before:
            de.remove_entry(ctx, entry.key)
        assert de.list_entries(ctx) == []
        result = files.import_directory(ctx, files.read(exported, file_format), ADMIN)
        assert sorted(result.created) == sorted(e.key for e in before)
        assert de.list_entries(ctx) == before, file_format


def test_importing_again_updates_instead_of_duplicating(ctx, imported):
    again = files.import_directory(ctx, files.read(CSV.replace("Dog fouling,", "Dog fouling and dog mess,"), "csv"),
                                   ADMIN)
    assert (len(again.created), len(again.updated), again.teams_created) == (0, 5, [])
    assert de.get_entry(ctx, "dog_fouling").name == "Dog fouling and dog mess"
    assert len(de.list_entries(ctx)) == 5


def test_one_bad_row_imports_nothing_and_every_problem_is_named_with_its_line(ctx):
    deploy_library(ctx)
    bad = CSV.replace("fly_tipping_report", "no_such_process").replace("371", "-4").replace(
        "Anytown Leisure Trust,hello", ",hello").replace("opening_hours,Council", "Opening Hours!,Council")
    with pytest.raises(files.DirectoryImportRefused) as refused:
        files.import_directory(ctx, files.read(bad, "csv"), ADMIN)
    assert refused.value.problems == [
        "line 2 (dog_fouling): lgsl: The LGSL id must be a whole number from 1 to 99999",
        "line 3 (fly_tipping_entry): process: There is no process 'no_such_process' deployed",
        "line 4 (leisure_membership): partner: Enter the partner the referral goes to",
        "line 6 (Opening Hours!): key: Enter a key of lower-case letters, digits and underscores, starting with a "
        "letter or digit",
    ]
    assert de.list_entries(ctx) == []


def test_unreadable_values_and_files_are_refused_clearly(ctx):
    with pytest.raises(files.DirectoryImportRefused, match="line 2: lgsl: a whole number is needed"):
        files.import_directory(ctx, files.read("key,name,action,lgsl\nx,X,resolve,many\n", "csv"), ADMIN)
    with pytest.raises(files.DirectoryImportRefused, match="guidance_review_on: a date as YYYY-MM-DD"):
        files.import_directory(ctx, files.read("key,name,action,guidance_review_on\nx,X,resolve,31/3/27\n", "csv"),
                               ADMIN)
    with pytest.raises(files.UserError, match="no action column"):
        files.read("key,name\nx,X\n", "csv")
    with pytest.raises(files.UserError, match="not valid JSON"):
        files.read("{", "json")
    with pytest.raises(files.UserError, match=".csv or .json"):
        files.read("", "xlsx")
    with pytest.raises(files.DirectoryImportRefused, match="key: the file has this key more than once"):
        files.import_directory(ctx, files.read("key,name,action\nx,X,resolve\nx,Y,resolve\n", "csv"), ADMIN)


def test_an_entry_is_checked_on_save_and_its_synonyms_are_its_search_keywords(ctx, imported):
    with pytest.raises(FormInvalid) as invalid:
        de.save_entry(ctx, de.Entry(key="x", name=" ", action="teleport"), ADMIN)
    assert invalid.value.errors == {"name": "Enter the service's name",
                                    "action": "Choose what the front office does: start, resolve, hand_off or refer"}
    with pytest.raises(FormInvalid, match="no service 'nowhere' in the directory"):
        de.save_entry(ctx, de.Entry(key="x", name="X", action="resolve", related=("nowhere",)), ADMIN)
    saved = de.save_entry(ctx, de.Entry(key="x", name="X", action="resolve", synonyms=("Ginnel", "snicket")), ADMIN)
    assert saved.synonyms == ("ginnel", "snicket") and saved.updated_by == ADMIN
    de.remove_entry(ctx, "x")
    with pytest.raises(NotFound):
        de.get_entry(ctx, "x")


def test_a_case_belongs_to_its_directory_service_and_keeps_its_sensitivity(ctx, imported):
    mapped = cases.start_case(ctx, "fly_tipping_report", {})
    unlisted = cases.start_case(ctx, "missed_bin_collection", {})
    restricted = cases.start_case(ctx, "member_enquiry", {}, service="safeguarding_adult")
    de.save_entry(ctx, de.Entry(key="safeguarding_adult", name="Adult safeguarding concern", action="hand_off",
                                team="Adult Social Care", sensitivity="normal"), ADMIN)
    with ctx.db.transaction(readonly=True) as session:
        found = {c.reference: (c.service_key, c.sensitivity) for c in session.scalars(select(Case))}
    assert found[mapped.reference] == ("fly_tipping_entry", "normal")
    assert found[unlisted.reference] == ("missed_bin_collection", "normal")
    assert found[restricted.reference] == ("safeguarding_adult", "restricted")  # as when it started
    with pytest.raises(NotFound, match="no service 'nope'"):
        cases.start_case(ctx, "member_enquiry", {}, service="nope")


def test_the_service_search_finds_entries_and_the_maps_no_entry_names(ctx, imported):
    from engine.catalogue import directory

    keys = [s.key for s in directory.all_services(ctx)]
    assert "fly_tipping_entry" in keys and "fly_tipping_report" not in keys  # the entry stands for its map
    assert "missed_bin_collection" in keys and "dog_fouling" in keys
    [dog] = [s for s in directory.search(ctx, "dog mess on the path")][:1]
    assert (dog.key, dog.action, dog.in_directory, dog.startable) == ("dog_fouling", DirectoryAction.HAND_OFF,
                                                                      True, False)
    fly = directory.get_service(ctx, "fly_tipping_entry")
    assert (fly.process, fly.startable, fly.description) == ("fly_tipping_report", True, "Report rubbish dumped.")
    assert directory.search(ctx, "safeguarding")[0].sensitivity == Sensitivity.RESTRICTED
