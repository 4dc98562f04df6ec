"""Issue 12, item 11: every command run against a database that was never set up, or that is behind this
release's newest migration, says so in one line and exits 2 (no traceback); ``check`` and ``test`` need
no database at all (``check`` then treats nothing as deployed)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from alembic import command
from click.testing import CliRunner

from engine.persistence.db import Database
from engine.persistence.schema import alembic_config
from tests.cli.test_cli_lifecycle import newest_migration
from tests.conftest import FORMS, PROCESSES, ROOT
from tests.processes.backoffice import write_offline_config
from webui.cli import main

NEED_NO_DATABASE = {"init", "check", "test"}
OLDER = "0003"
# Options some commands check before they need the database (an argument mistake is reported first).
VALID_OPTIONS = {("sla", "set"): ["--working-days", "1"], ("sla", "due"): ["--working-days", "1"],
                 ("users", "add"): ["--role", "admin"]}


def _value(param: click.Parameter) -> str:
    kind = param.type
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "1"
    return "x@example.gov.uk"


def _invocation(path: list[str], command: click.Command) -> list[str]:
    """The command with a plausible value for each required argument and option."""
    args = [*path, *VALID_OPTIONS.get(tuple(path), [])]
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append(_value(param))
        elif isinstance(param, click.Option) and param.required and param.opts[0] not in args:
            args += [param.opts[0], _value(param)]
    return args


def every_command(group: click.Group = main, path: tuple[str, ...] = ()) -> list[list[str]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
        elif name not in NEED_NO_DATABASE:
            found.append(_invocation([*path, name], command))
    return found


@pytest.fixture
def empty_sqlite(tmp_path) -> Path:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    return path


@pytest.fixture
def older_sqlite(tmp_path) -> Path:
    """A database migrated by the previous release only."""
    path = tmp_path / "older.sqlite3"
    db = Database(f"sqlite:///{path}")
    command.upgrade(alembic_config(db), OLDER)
    db.dispose()
    return path


def run(path: Path, *args: str, forms: Path = FORMS):
    # The shipped maps call back-office adapters: configure them (pointing nowhere) so they check cleanly.
    env = {"COUNCILFLOW_DATABASE_URL": f"sqlite:///{path}", "COUNCILFLOW_FORMS_DIR": str(forms),
           "COUNCILFLOW_ADAPTERS": str(write_offline_config(path.parent))}
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


def _says_in_one_line(result, message: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [message], result.stderr


def test_there_is_a_command_of_every_kind_to_try():
    tried = {tuple(args[:2]) for args in every_command()}
    assert len(tried) >= 35 and ("case", "start") in tried and ("worker", "1") not in tried


@pytest.mark.parametrize("args", every_command(), ids=" ".join)
def test_every_command_on_a_database_never_set_up_says_run_init(empty_sqlite, args):
    _says_in_one_line(run(empty_sqlite, *args),
                      f"Error: The database at {empty_sqlite} is not set up: run `councilflow init`")


@pytest.mark.parametrize("args", every_command(), ids=" ".join)
def test_every_command_on_an_older_database_says_run_init_to_upgrade(older_sqlite, args):
    _says_in_one_line(run(older_sqlite, *args),
                      f"Error: The database at {older_sqlite} is at migration {OLDER}, this councilflow needs "
                      f"{newest_migration()}: run `councilflow init` to upgrade")


def test_a_file_that_does_not_exist_is_not_set_up_and_is_not_created(tmp_path):
    missing = tmp_path / "typo.sqlite3"
    _says_in_one_line(run(missing, "tasks"),
                      f"Error: The database at {missing} is not set up: run `councilflow init`")
    assert not missing.exists()


def test_json_output_carries_the_same_message(empty_sqlite):
    result = run(empty_sqlite, "processes", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == \
        f"The database at {empty_sqlite} is not set up: run `councilflow init`"


def test_init_upgrades_the_older_database_and_then_commands_work(older_sqlite):
    assert run(older_sqlite, "init", "--json").exit_code == 0
    listed = run(older_sqlite, "processes", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []


def test_a_database_from_a_newer_release_is_not_touched_by_init(older_sqlite):
    with sqlite3.connect(older_sqlite) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    for args in (["tasks"], ["init"]):
        _says_in_one_line(run(older_sqlite, *args),
                          f"Error: The database at {older_sqlite} is at migration 9999, which this councilflow does "
                          f"not know (it needs {newest_migration()}): use the release that migrated it")


def test_check_works_without_any_database_as_if_nothing_were_deployed(tmp_path):
    missing = tmp_path / "none.sqlite3"
    result = run(missing, "check", str(PROCESSES / "missed_bin_collection.bpmn"), "--json")
    payload = json.loads(result.stdout)
    assert result.exit_code == 0 and payload["ok"], payload
    assert [p["process"] for p in payload["processes"]] == ["missed_bin_collection"]
    assert "Traceback" not in result.output and "as if nothing were deployed" in result.stderr
    assert not missing.exists()


def test_check_without_a_database_finds_forms_only_in_the_upload_or_the_forms_folder(tmp_path):
    no_forms = tmp_path / "no-forms"
    no_forms.mkdir()
    result = run(tmp_path / "none.sqlite3", "check", str(PROCESSES / "missed_bin_collection.bpmn"), "--json",
                 forms=no_forms)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "the form file 'missed-bin-details-schema.json' is neither in this upload nor deployed" in \
        [e["message"] for e in json.loads(result.stdout)["errors"]]


def test_the_real_command_prints_one_line_and_no_traceback(empty_sqlite):
    env = {**os.environ, "COUNCILFLOW_DATABASE_URL": f"sqlite:///{empty_sqlite}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", "from webui.cli import main; main()", "case", "show", "CF-000001"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"Error: The database at {empty_sqlite} is not set up: run `councilflow init`"
