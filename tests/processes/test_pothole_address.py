"""A pothole reported at an address picked from the gazetteer reaches the asset system (Open311) with
that address's coordinates, text and UPRN, the fake asset system listening on 127.0.0.1."""
from __future__ import annotations

from engine.casework import cases
from engine.places import gazetteer
from tests.engine.helpers import complete
from tests.engine.test_gazetteer import ROOT
from tests.processes.test_shipped_processes import (CATEGORY_1, POTHOLE, RESIDENT, backoffice, council,  # noqa: F401
                                                    work)


def test_the_asset_system_receives_lat_long_address_and_uprn_of_the_picked_address(council, backoffice):
    gazetteer.import_file(council, ROOT / "examples" / "demo_gazetteer.csv")
    [picked] = [a for a in gazetteer.lookup(council, "AN1 2BC") if a.address == "14 Mill Lane, Anytown"]
    view = cases.start_case(council, "pothole_report", dict(RESIDENT))
    view = complete(council, view, "record_pothole", {**POTHOLE, "defect_address": picked.to_dict()})
    complete(council, view, "inspect_defect", CATEGORY_1)
    work(council)
    [job] = backoffice.open311.records.values()
    assert (float(job["lat"]), float(job["long"])) == (picked.lat, picked.long)
    assert job["address"] == "14 Mill Lane, Anytown, AN1 2BC"
    assert job["address_id"] == str(picked.uprn)
    assert job["description"].startswith(f"Pothole, category 1, at {POTHOLE['defect_location']}")
