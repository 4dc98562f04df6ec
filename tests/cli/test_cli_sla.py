"""Admins configure SLAs, the calendar and closures, and deliver messages, with the CLI alone."""
from __future__ import annotations

import json

from tests.engine.helpers import deploy_library
from tests.engine.test_messages import WAIT_FOR_REPLY


def test_due_date_calculator_knows_easter_scotland_and_the_clock_change(cli):
    def due(*args: str) -> str:
        result = cli("sla", "due", *args, "--json")
        assert result.exit_code == 0, result.output
        return result.json()["due"]

    assert due("--start", "2026-04-02T10:00", "--working-days", "10") == "2026-04-20T17:00:00+01:00"
    assert due("--start", "2026-04-02T10:00", "--working-days", "10", "--nation", "scotland") == \
        "2026-04-17T17:00:00+01:00"
    assert due("--start", "2026-10-23T15:00:00Z", "--working-hours", "2") == "2026-10-26T09:30:00+00:00"
    assert due("--start", "2026-03-28T12:00", "--days", "2") == "2026-03-30T12:00:00+01:00"
    text = cli("sla", "due", "--start", "2026-04-02T10:00", "--working-days", "10")
    assert text.stdout.strip() == "Monday 20 April 2026 17:00 BST"


def test_a_due_date_near_the_end_of_the_bank_holiday_data_comes_with_a_warning(cli):
    quiet = cli("sla", "due", "--start", "2026-04-02T10:00", "--working-days", "10", "--json")
    assert "warning" not in quiet.json() and quiet.stderr == ""
    late = cli("sla", "due", "--start", "2028-06-01T10:00", "--working-days", "10", "--json")
    assert late.exit_code == 0 and late.json()["due"] == "2028-06-15T17:00:00+01:00"
    assert late.json()["warning"].startswith("The bank holidays councilflow knows for england-and-wales end on ")
    assert "within 12 months of the due date 15 June 2028" in late.json()["warning"]
    assert late.stderr.startswith("Warning: The bank holidays councilflow knows")


def test_calculator_refuses_unclear_input_with_exit_code_2(cli):
    both = cli("sla", "due", "--start", "2026-04-02", "--working-days", "1", "--days", "1", "--json")
    assert both.exit_code == 2 and "exactly one of" in both.json()["error"]
    bad = cli("sla", "due", "--start", "next tuesday", "--days", "1", "--json")
    assert bad.exit_code == 2 and "not an ISO 8601" in bad.json()["error"]


def test_closures_and_calendar_change_the_calculation(cli):
    added = cli("closures", "add", "2026-12-29", "2026-12-30", "2026-12-31", "--label", "Christmas closure", "--json")
    assert added.exit_code == 0 and len(added.json()) == 3
    assert [c["label"] for c in cli("closures", "list", "--json").json()] == ["Christmas closure"] * 3
    assert cli("sla", "due", "--start", "2026-12-23T12:00", "--working-days", "3", "--json").json()["due"] == \
        "2027-01-05T17:00:00+00:00"
    assert cli("closures", "remove", "2026-12-31", "--json").exit_code == 0
    assert cli("closures", "remove", "2026-12-31", "--json").exit_code == 2
    hours = cli("calendar", "set", "--day-start", "09:00", "--day-end", "16:00", "--json")
    assert hours.json()["day_end"] == "16:00"
    assert cli("calendar", "show", "--json").json()["nation"] == "england-and-wales"
    assert cli("sla", "due", "--start", "2026-03-02T10:00", "--working-days", "1", "--json").json()["due"] == \
        "2026-03-03T16:00:00+00:00"
    assert cli("calendar", "set", "--day-start", "9am", "--json").exit_code == 2


def test_admin_sets_lists_and_removes_slas(cli, ctx):
    deploy_library(ctx)  # the shipped maps, as an analyst deployed them
    result = cli("sla", "set", "member_enquiry", "--working-days", "10", "--warn-at", "75",
                 "--escalate", "notify-team-lead", "--escalate", "warning:notify-team-lead", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["escalations"] == ["breach:notify-team-lead", "warning:notify-team-lead"]
    cli("sla", "set", "missed_bin_collection", "arrange_recollection", "--working-days", "2", "--json")
    listed = cli("sla", "list", "--json").json()
    assert [(p["process"], p["task"], p["amount"]) for p in listed] == [
        ("member_enquiry", None, 10), ("missed_bin_collection", "arrange_recollection", 2)]
    assert "member_enquiry (whole case): 10 working days, warn at 75%" in cli("sla", "list").stdout
    assert cli("sla", "set", "member_enquiry", "--working-days", "10", "--escalate", "shout", "--json").exit_code == 2
    assert cli("sla", "set", "nothing_here", "--days", "1", "--json").exit_code == 2
    assert cli("sla", "remove", "missed_bin_collection", "arrange_recollection", "--json").exit_code == 0
    assert len(cli("sla", "list", "--json").json()) == 1


def test_pause_show_and_resume_a_case_clock(cli, ctx):
    deploy_library(ctx)
    cli("sla", "set", "member_enquiry", "--working-days", "10", "--json")
    case = cli("case", "start", "member_enquiry", "--channel", "councillor", "--json").json()
    assert case["sla_state"] == "on_track" and case["due_at"]
    shown = cli("sla", "show", case["reference"], "--json").json()
    assert shown[0]["state"] == "on_track" and shown[0]["task"] is None
    paused = cli("sla", "pause", case["reference"], "--reason", "awaiting information", "--json")
    assert paused.exit_code == 0 and paused.json()[0]["state"] == "paused"
    assert cli("sla", "pause", case["reference"], "--json").exit_code == 2
    assert cli("sla", "resume", case["reference"], "--json").json()[0]["state"] == "on_track"
    longer = cli("sla", "set", "member_enquiry", "--working-days", "12", "--recalculate", "--json")
    assert longer.json()["recalculated"] == 1
    kinds = [e["kind"] for e in cli("case", "show", case["reference"], "--json").json()["history"]]
    assert {"sla_paused", "sla_resumed", "sla_recalculated"} <= set(kinds)
    worker = cli("worker", "--once")
    assert worker.exit_code == 0 and "recorded 0 SLA warnings/breaches" in worker.stdout


def test_an_admin_makes_urgent_enquiries_due_sooner_with_when(cli, ctx):
    deploy_library(ctx)
    result = cli("sla", "set", "member_enquiry", "--working-days", "10", "--when", 'priority == "urgent"=2', "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["rules"] == [{"when": 'priority == "urgent"', "amount": 2}]
    assert 'member_enquiry (whole case): 2 working days if priority == "urgent", otherwise 10 working days' in \
        cli("sla", "list").stdout
    for priority, target in (("urgent", "2 working days"), ("routine", "10 working days")):
        case = cli("case", "start", "member_enquiry", "--channel", "councillor", "--data",
                   f'{{"priority": "{priority}"}}', "--json").json()
        [clock] = cli("sla", "show", case["reference"], "--json").json()
        assert clock["sla"].startswith(target)
    broken = cli("sla", "set", "member_enquiry", "--working-days", "10", "--when", 'priority == "urgent=2', "--json")
    assert broken.exit_code == 2 and broken.json()["error"].startswith(
        "The condition 'priority == \"urgent' cannot be used: ")
    unclear = cli("sla", "set", "member_enquiry", "--working-days", "10", "--when", "urgent", "--json")
    assert unclear.exit_code == 2 and "write CONDITION=N" in unclear.json()["error"]
    assert cli("sla", "list", "--json").json()[0]["rules"] == [{"when": 'priority == "urgent"', "amount": 2}]


def test_case_message_is_delivered_or_refused_and_kept(cli, tmp_path):
    (tmp_path / "reply.bpmn").write_text(WAIT_FOR_REPLY)
    cli("deploy", str(tmp_path / "reply.bpmn"), "--json")
    case = cli("case", "start", "reply", "--json").json()
    early = cli("case", "message", case["reference"], "resident_reply", "--data", '{"answer": "yes"}', "--json")
    assert early.exit_code == 2
    assert early.json()["error"] == f"Case {case['reference']} is not waiting for the message 'resident_reply'"
    cli("task", "complete", str(case["tasks"][0]["id"]), "--data", "{}", "--json")
    delivered = cli("case", "message", case["reference"], "resident_reply", "--data", json.dumps({"answer": "yes"}),
                    "--json")
    assert delivered.exit_code == 0, delivered.output
    assert [t["bpmn_id"] for t in delivered.json()["tasks"]] == ["review"]
    assert cli("case", "message", case["reference"], "x", "--data", "[1]", "--json").exit_code == 2


def test_the_web_app_never_starts_the_worker_and_serve_embeds_it_once(ctx):
    import threading

    from engine.background.worker import Worker
    from webui.app import create_app

    def schedulers() -> int:
        return sum(t.name == "APScheduler" for t in threading.enumerate())

    before = schedulers()
    create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True})
    assert schedulers() == before
    embedded = Worker(ctx).start_embedded()
    try:
        assert {"timers", "sla"} <= {job.id for job in embedded.get_jobs()}
        assert schedulers() == before + 1
    finally:
        embedded.shutdown(wait=True)
