"""The CLI alone drives a case from deployment to completion."""
from __future__ import annotations

import json
import re

from alembic.script import ScriptDirectory

from engine.persistence.schema import MIGRATIONS
from tests.conftest import FORMS, PROCESSES

MISSED_BIN = {"bin_type": "recycling", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "not_sure",
              "bin_location": "kerbside", "crew_report": "not_presented"}


def newest_migration() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_init_reports_schema_revision(cli):
    result = cli("init", "--json")
    assert result.exit_code == 0
    assert result.json()["revision"] == newest_migration()


def test_deploy_reports_versions_and_identical_redeploy_is_a_no_op(cli):
    first = cli("deploy", str(PROCESSES / "missed_bin_collection.bpmn"), str(FORMS), "--json")
    assert first.exit_code == 0, first.output
    assert first.json()["deployed"] == [{"process": "missed_bin_collection", "version": 1,
                                         "name": "Missed bin collection", "changed": True}]
    again = cli("deploy", str(PROCESSES / "missed_bin_collection.bpmn"), "--json")
    assert again.json()["deployed"][0] == {"process": "missed_bin_collection", "version": 1,
                                           "name": "Missed bin collection", "changed": False}


def test_advisor_resolves_missed_bin_at_first_contact_with_the_cli_alone(cli):
    cli("deploy", str(PROCESSES), "--json")
    started = cli("case", "start", "missed_bin_collection", "--channel", "phone", "--json")
    assert started.exit_code == 0, started.output
    case = started.json()
    assert case["reference"].startswith("CF-") and case["status"] == "open"
    assert case["tasks"][0]["team"] == "Customer Hub"
    listed = cli("tasks", "--case", case["reference"], "--json").json()
    assert [t["id"] for t in listed] == [case["tasks"][0]["id"]]
    assert set(listed[0]) >= {"id", "case", "name", "team", "assignee", "created_at"}

    after = cli("task", "complete", str(listed[0]["id"]), "--data", json.dumps(MISSED_BIN), "--json").json()
    explain = after["tasks"][0]
    assert explain["bpmn_id"] == "explain_crew_report"
    done = cli("task", "complete", str(explain["id"]), "--json",
               "--data", json.dumps({"advice_given": ["presentation_time"], "resident_response": "accepts"}))
    assert done.json()["status"] == "completed" and done.json()["tasks"] == []

    shown = cli("case", "show", case["reference"], "--json").json()
    assert shown["data"]["outcome"] == "resolved_first_contact"
    kinds = [e["kind"] for e in shown["history"]]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert kinds.count("task_completed") == 2


def test_invalid_form_data_is_refused_per_field_with_exit_code_2(cli):
    cli("deploy", str(PROCESSES), "--json")
    task = cli("case", "start", "missed_bin_collection", "--json").json()["tasks"][0]
    result = cli("task", "complete", str(task["id"]), "--data", "{}", "--json")
    assert result.exit_code == 2
    errors = result.json()["errors"]
    assert errors["scheduled_collection_date"] == "Enter the scheduled collection date"
    assert cli("tasks", "--json").json()[0]["id"] == task["id"]  # nothing lost


def test_user_errors_exit_2_with_a_clear_message(cli):
    assert cli("case", "start", "no_such_process", "--json").json()["error"] == \
        "There is no process 'no_such_process' deployed"
    assert cli("case", "start", "no_such_process").exit_code == 2
    bad_json = cli("case", "start", "x", "--data", "{not json", "--json")
    assert bad_json.exit_code == 2 and "not valid JSON" in bad_json.json()["error"]
    assert cli("task", "claim", "999", "--user", "nobody@example.gov.uk", "--json").exit_code == 2
    assert cli("case", "show", "CF-999999", "--json").json()["error"] == "There is no case CF-999999"


def test_unknown_user_cannot_claim(cli):
    cli("deploy", str(PROCESSES), "--json")
    task = cli("case", "start", "missed_bin_collection", "--json").json()["tasks"][0]
    result = cli("task", "claim", str(task["id"]), "--user", "ghost@example.gov.uk", "--json")
    assert result.exit_code == 2
    assert "no active user" in result.json()["error"]


def test_claim_then_someone_else_cannot_complete(cli):
    cli("deploy", str(PROCESSES), "--json")
    cli("users", "add", "a@example.gov.uk", "--role", "front_office", "--team", "Customer Hub", "--json")
    cli("users", "add", "b@example.gov.uk", "--role", "front_office", "--team", "Customer Hub", "--json")
    task = cli("case", "start", "missed_bin_collection", "--json").json()["tasks"][0]
    assert cli("task", "claim", str(task["id"]), "--user", "a@example.gov.uk", "--json").exit_code == 0
    other = cli("task", "complete", str(task["id"]), "--user", "b@example.gov.uk",
                "--data", json.dumps(MISSED_BIN), "--json")
    assert other.exit_code == 2 and "claimed by a@example.gov.uk" in other.json()["error"]
    mine = cli("task", "complete", str(task["id"]), "--user", "a@example.gov.uk",
               "--data", json.dumps(MISSED_BIN), "--json")
    assert mine.exit_code == 0


def test_check_reports_file_line_element_and_reason(cli, tmp_path):
    broken = re.sub(r"(<bpmn:conditionExpression[^>]*>)[^<]*", r"\1__import__('os').system('id')",
                    (PROCESSES / "missed_bin_collection.bpmn").read_text(), count=1)
    (tmp_path / "broken.bpmn").write_text(broken)
    result = cli("check", str(tmp_path / "broken.bpmn"), "--json")
    assert result.exit_code == 2
    payload = result.json()
    assert payload["errors"], payload
    error = payload["errors"][0]
    assert error["file"] == "broken.bpmn" and error["line"] > 1 and error["element"].startswith("Flow")
    assert "underscore" in error["message"]


def test_process_model_tests_run_from_the_cli(cli):
    result = cli("test", str(PROCESSES), "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["failed"] == 0 and result.json()["passed"] >= 20


def test_admin_creates_users_and_api_tokens_from_the_cli(cli, ctx):
    added = cli("users", "add", "officer@example.gov.uk", "--role", "back_office", "--team", "Waste Services",
                "--password-stdin", "--json", input="s3cret-passphrase\n")
    assert added.exit_code == 0 and added.json()["roles"] == ["back_office"]
    created = cli("tokens", "create", "officer@example.gov.uk", "--json")
    token = created.json()["token"]
    assert token.startswith("cf_") and len(token) > 30
    from engine.people import tokens
    with ctx.db.transaction() as session:
        assert tokens.user_for_token(session, token, ctx.clock.now()).email == "officer@example.gov.uk"
    assert cli("tokens", "create", "ghost@example.gov.uk", "--json").exit_code == 2
    assert cli("users", "add", "officer@example.gov.uk", "--role", "admin", "--json").exit_code == 2
