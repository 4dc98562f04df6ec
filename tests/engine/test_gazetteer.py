"""Loading the council's gazetteer (both CSV layouts, bad rows, re-imports) and finding addresses by postcode."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.places import gazetteer
from engine.errors import UserError

ROOT = Path(__file__).resolve().parent.parent.parent
OURS = """uprn,address_1,address_2,address_3,town,postcode,easting,northing,latitude,longitude
100000000010,10 Mill Lane,,,Anytown,an1 2bc,452190,262300,,
100000000002,2 Mill Lane,,,Anytown,AN12BC,,,52.25,-1.30
100000000003,Flat 1,3 Mill Lane,,Anytown,AN1 2BC,452127,262325,,
"""
ADDRESSBASE = """UPRN,SAO_START_NUMBER,SAO_START_SUFFIX,SAO_TEXT,PAO_START_NUMBER,PAO_START_SUFFIX,PAO_TEXT,STREET_DESCRIPTION,LOCALITY,TOWN_NAME,POSTCODE_LOCATOR,X_COORDINATE,Y_COORDINATE
200000000001,,,FLAT 2,,,ROSE COURT,CHURCH ROAD,,ANYTOWN,AN1 3DE,452600.00,262900.00
200000000002,,,,14,A,,CHURCH ROAD,OLD TOWN,ANYTOWN,AN1 3DE,452650.00,262910.00
"""


def _write(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_councilflow_layout_loads_with_grid_references_converted_and_given_coordinates_kept(ctx, tmp_path):
    report = gazetteer.import_file(ctx, _write(tmp_path, OURS))
    assert (report.layout, report.loaded, report.new, report.bad) == ("councilflow", 3, 3, [])
    found = [a.to_dict() for a in gazetteer.lookup(ctx, "an1 2bc")]
    assert [(a["uprn"], a["address"], a["postcode"]) for a in found] == [
        (100000000002, "2 Mill Lane, Anytown", "AN1 2BC"),
        (100000000010, "10 Mill Lane, Anytown", "AN1 2BC"),  # number order, not text order
        (100000000003, "Flat 1, 3 Mill Lane, Anytown", "AN1 2BC")]
    assert (found[0]["lat"], found[0]["long"]) == (52.25, -1.30)
    # 452190 E, 262300 N: 362.3 km north of 49 N, 52.2 km east of 2 W (68 km to a degree there).
    assert abs(found[1]["lat"] - 52.2564) < 0.001 and abs(found[1]["long"] + 1.2368) < 0.001


def test_addressbase_layout_builds_the_address_from_its_parts(ctx, tmp_path):
    report = gazetteer.import_file(ctx, _write(tmp_path, ADDRESSBASE))
    assert (report.layout, report.loaded) == ("addressbase", 2)
    assert [a.address for a in gazetteer.lookup(ctx, "AN1 3DE")] == [
        "14A CHURCH ROAD, OLD TOWN, ANYTOWN", "FLAT 2, ROSE COURT, CHURCH ROAD, ANYTOWN"]
    assert gazetteer.get_address(ctx, 200000000001).postcode == "AN1 3DE"


def test_bad_rows_are_reported_with_their_line_numbers_and_the_good_ones_load(ctx, tmp_path):
    text = OURS + "\n".join([
        "not-a-uprn,1 High Street,,,Anytown,AN2 4FG,453400,261800,,",
        "300000000001,1 High Street,,,Anytown,NOT A POSTCODE,453400,261800,,",
        "300000000002,,,,,AN2 4FG,453400,261800,,",
        "300000000003,3 High Street,,,Anytown,AN2 4FG,,,,",
        "300000000004,4 High Street,,,Anytown,AN2 4FG,east,261800,,",
        "300000000005,5 High Street,,,Anytown,AN2 4FG,453400",
        "300000000006,6 High Street,,,Anytown,AN2 4FG,953400,261800,,",
        "300000000007,7 High Street,,,Anytown,AN2 4FG,453400,261800,,"]) + "\n"
    report = gazetteer.import_file(ctx, _write(tmp_path, text))
    assert report.loaded == 4 and report.bad_count == 7
    assert report.bad == [
        (5, "UPRN 'not-a-uprn' is not a number of up to 12 digits"),
        (6, "postcode 'NOT A POSTCODE' is not a UK postcode"),
        (7, "it has no address lines"),
        (8, "it has neither an easting and northing nor a latitude and longitude"),
        (9, "easting 'east' is not a number"),
        (10, "it has 7 columns, the header 10"),
        (11, "easting 953400 is outside Great Britain")]
    assert [a.uprn for a in gazetteer.lookup(ctx, "AN2 4FG")] == [300000000007]


def test_re_import_updates_an_address_by_its_uprn_and_never_duplicates_it(ctx, tmp_path):
    gazetteer.import_file(ctx, _write(tmp_path, OURS))
    newer = OURS.replace("10 Mill Lane", "10 Mill Lane (The Old Mill)") + \
        "100000000004,4 Mill Lane,,,Anytown,AN1 2BC,452136,262300,,\n"
    report = gazetteer.import_file(ctx, _write(tmp_path, newer, "newer.csv"))
    assert (report.loaded, report.new, report.to_dict()["updated"]) == (4, 1, 3)
    assert [a.address for a in gazetteer.lookup(ctx, "AN1 2BC")] == [
        "2 Mill Lane, Anytown", "4 Mill Lane, Anytown", "10 Mill Lane (The Old Mill), Anytown",
        "Flat 1, 3 Mill Lane, Anytown"]


def test_a_uprn_twice_in_one_file_keeps_its_last_row(ctx, tmp_path):
    report = gazetteer.import_file(ctx, _write(tmp_path, OURS + OURS.splitlines()[1].replace("10 Mill", "Ten Mill")
                                               + "\n"))
    assert report.new == 3
    assert gazetteer.get_address(ctx, 100000000010).address == "Ten Mill Lane, Anytown"


def test_a_missing_file_an_unknown_layout_and_a_wrong_postcode_are_the_callers_errors(ctx, tmp_path):
    with pytest.raises(UserError, match="No such file"):
        gazetteer.import_file(ctx, tmp_path / "absent.csv")
    with pytest.raises(UserError, match="not a gazetteer layout"):
        gazetteer.import_file(ctx, _write(tmp_path, "name,street\nPat,Mill Lane\n"))
    with pytest.raises(UserError, match="not a UK postcode"):
        gazetteer.lookup(ctx, "Mill Lane")
    assert gazetteer.lookup(ctx, "ZZ9 9ZZ") == []


def test_the_demo_gazetteer_loads_whole_and_covers_the_demo_postcodes(ctx):
    report = gazetteer.import_file(ctx, ROOT / "examples" / "demo_gazetteer.csv")
    assert report.bad == [] and report.loaded >= 100
    assert len(gazetteer.lookup(ctx, "AN1 2BC")) == 20
