"""``councilflow case find TEXT --json``: the operator (or, with ``--user``, one person's view) finds
cases by reference or the customer's details, as a list of reference, process, status, team, customer."""
from __future__ import annotations

import pytest

from tests.engine.test_case_search import OFFICER, OUTSIDER, seed


@pytest.fixture
def world(ctx):
    return seed(ctx)


def test_case_find_lists_exactly_the_documented_keys(cli, world):
    result = cli("case", "find", "pat", "--json")
    assert result.exit_code == 0, result.output
    assert result.json() == [{"reference": world.bin, "process": "missed_bin_collection", "status": "open",
                              "team": "Waste Services", "customer": "Pat O'Brien-Smith"}]


def test_case_find_searches_by_each_detail(cli, world):
    for typed, expected in ((world.bin.lower().replace("-", ""), [world.bin]), ("07700900123", [world.bin]),
                            ("pat.smith@example.com", [world.bin]), ("AN1 2BC", [world.bin]),
                            ("mill lane", [world.bin]), ("Sam Jones", [world.cancelled, world.pothole])):
        result = cli("case", "find", typed, "--json")
        assert [row["reference"] for row in result.json()] == expected, typed


def test_case_find_as_a_person_applies_their_visibility_and_filters(cli, world):
    assert cli("case", "find", "zz9", "--user", OFFICER, "--json").json() == []
    assert cli("case", "find", "pat", "--user", OUTSIDER, "--json").json() == []
    assert [r["reference"] for r in cli("case", "find", "sam", "--status", "open", "--json").json()] == [world.pothole]


def test_case_find_says_so_when_nothing_matches_and_refuses_an_unknown_user(cli, world):
    assert cli("case", "find", "nobody at all").stdout.strip() == "no cases found"
    refused = cli("case", "find", "pat", "--user", "ghost@example.gov.uk")
    assert refused.exit_code == 2 and "ghost@example.gov.uk" in refused.stderr
