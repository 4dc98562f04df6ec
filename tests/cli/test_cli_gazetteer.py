"""``councilflow gazetteer import FILE`` and ``councilflow gazetteer lookup POSTCODE --json``."""
from __future__ import annotations

from tests.engine.test_gazetteer import OURS, ROOT


def test_operator_imports_the_demo_gazetteer_and_looks_up_a_postcode(cli):
    loaded = cli("gazetteer", "import", str(ROOT / "examples" / "demo_gazetteer.csv"), "--json")
    assert loaded.exit_code == 0, loaded.output
    report = loaded.json()
    assert report["layout"] == "councilflow" and report["new"] == report["loaded"] >= 100 and report["bad"] == []
    found = cli("gazetteer", "lookup", "an1 2bc", "--json")
    assert found.exit_code == 0
    first = found.json()[0]
    assert set(first) == {"uprn", "address", "postcode", "lat", "long"}
    assert (first["address"], first["postcode"]) == ("1 Mill Lane, Anytown", "AN1 2BC")
    assert isinstance(first["uprn"], int) and 52 < first["lat"] < 53 and -2 < first["long"] < -1


def test_import_lists_bad_rows_by_line_and_loads_the_rest(cli, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text(OURS + "999,1 High Street,,,Anytown,AN2 4FG,453400,261800,,\nx,,,,,,,,,\n", encoding="utf-8")
    result = cli("gazetteer", "import", str(path))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Loaded 4 addresses (4 new, 0 updated) from a councilflow file in ")
    assert lines[1:] == ["1 rows not loaded:", "  line 6: UPRN 'x' is not a number of up to 12 digits"]


def test_a_missing_file_or_unknown_layout_is_one_line_and_exit_code_2(cli, tmp_path):
    missing = cli("gazetteer", "import", str(tmp_path / "absent.csv"))
    assert missing.exit_code == 2 and missing.stderr == f"Error: No such file: {tmp_path / 'absent.csv'}\n"
    wrong = tmp_path / "people.csv"
    wrong.write_text("name,street\nPat,Mill Lane\n", encoding="utf-8")
    unknown = cli("gazetteer", "import", str(wrong))
    assert unknown.exit_code == 2 and len(unknown.stderr.splitlines()) == 1 and "not a gazetteer layout" in unknown.stderr
    assert cli("gazetteer", "lookup", "ZZ9 9ZZ").stdout.strip() == "no addresses at ZZ9 9ZZ"
