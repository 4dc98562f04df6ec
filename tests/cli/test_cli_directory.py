"""``councilflow directory import|export|list|show|remove``: an operator loads the council's
directory of services from a spreadsheet and takes it out again."""
from __future__ import annotations

import csv
import io

from tests.engine.helpers import deploy_library
from tests.engine.test_directory_entries import CSV


def test_import_list_show_export_and_remove(cli, ctx, tmp_path):
    deploy_library(ctx)
    source = tmp_path / "directory.csv"
    source.write_text(CSV, encoding="utf-8")
    imported = cli("directory", "import", str(source))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip() == ("5 services added, 0 updated, 1 partners; new teams: Dog Wardens, "
                                       "Adult Social Care")
    listed = cli("directory", "list", "--json").json()
    assert [r["key"] for r in listed] == ["safeguarding_adult", "opening_hours", "dog_fouling", "fly_tipping_entry",
                                          "leisure_membership"]
    assert listed[2] == {"key": "dog_fouling", "name": "Dog fouling", "action": "hand_off", "team": "Dog Wardens",
                         "partner": None, "process": None, "sensitivity": "normal"}
    shown = cli("directory", "show", "leisure_membership", "--json").json()
    assert shown["partner"] == "Anytown Leisure Trust" and shown["synonyms"] == ["gym", "swimming"]
    target = tmp_path / "out.csv"
    assert cli("directory", "export", "--format", "csv", "--output", str(target)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["key"] for r in rows] == [r["key"] for r in listed]
    assert rows[4]["partner_email"] == "hello@leisure.example.org" and rows[2]["synonyms"] == "dog mess; dog poo"
    assert '"services"' in cli("directory", "export").stdout
    assert cli("directory", "remove", "opening_hours").stdout.strip() == "opening_hours removed from the directory"
    assert len(cli("directory", "list", "--json").json()) == 4


def test_a_bad_file_fails_with_every_problem_and_exit_2(cli, ctx, tmp_path):
    source = tmp_path / "directory.csv"
    source.write_text("key,name,action\nBad Key,,resolve\n", encoding="utf-8")
    refused = cli("directory", "import", str(source))
    assert refused.exit_code == 2
    assert "line 2 (Bad Key): key:" in refused.stderr and "line 2 (Bad Key): name: Enter the service's name" in \
        refused.stderr
    missing = cli("directory", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "Cannot read" in missing.stderr and "Traceback" not in missing.output
    assert cli("directory", "show", "nope").exit_code == 2
