"""``councilflow synonyms`` and ``councilflow keywords``: an operator scripts the council's search words."""
from __future__ import annotations

from engine.catalogue import directory
from tests.engine.helpers import deploy_library


def test_synonyms_set_list_remove_and_restore(cli, ctx):
    deploy_library(ctx)
    made = cli("synonyms", "set", "Settee", "fly tipping", "--user", "admin@example.gov.uk", "--json")
    assert made.exit_code == 0, made.output
    assert {k: made.json()[k] for k in ("said", "meant", "origin")} == {"said": "settee", "meant": "fly tipping",
                                                                        "origin": "council"}
    assert [s.key for s in directory.search(ctx, "settee")][:1] == ["fly_tipping_report"]
    assert cli("synonyms", "remove", "mattress", "--json").json() == {"said": "mattress", "result": "turned off"}
    council = cli("synonyms", "list", "--council-only", "--json").json()
    assert [(s["said"], s["origin"]) for s in council] == [("mattress", "turned off"), ("settee", "council")]
    assert "mattress -> (turned off)  [turned off]" in cli("synonyms", "list").stdout
    assert cli("synonyms", "restore", "mattress").stdout.strip() == "mattress -> fly tipping  [shipped]"
    assert cli("synonyms", "remove", "settee").stdout.strip() == "'settee' removed"
    assert cli("synonyms", "list", "--council-only", "--json").json() == []


def test_keywords_set_and_list(cli, ctx):
    deploy_library(ctx)
    assert cli("keywords", "set", "pothole_report", "snicket, ginnel", "--json").json() == {
        "service": "pothole_report", "keywords": "snicket, ginnel"}
    assert cli("keywords", "list", "--json").json() == {"pothole_report": "snicket, ginnel"}
    assert cli("keywords", "list").stdout.strip() == "pothole_report: snicket, ginnel"


def test_bad_words_and_unknown_services_fail_in_one_line_with_exit_2(cli, ctx):
    refused = cli("synonyms", "set", "settee", "  ")
    assert refused.exit_code == 2 and refused.stderr.strip() == "Error: Enter the words the service uses"
    unknown = cli("keywords", "set", "no_such_service", "words")
    assert unknown.exit_code == 2 and "There is no service 'no_such_service'" in unknown.stderr
