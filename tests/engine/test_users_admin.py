"""What admins do to people, teams, lanes and tokens, through the engine and the CLI."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.casework import cases
from engine.people import routing, tokens, users
from engine.clock import FixedClock
from engine.errors import Conflict, NotFound, SignInFailed, TeamNotFound, UserError
from engine.types import Role
from tests.browser.maps import CAMUNDA_NOISE
from tests.engine.helpers import deploy_text

PASSWORD = "a long enough passphrase"


@pytest.fixture
def teams(ctx):
    for name in ("Customer Hub", "Waste Services"):
        routing.add_team(ctx, name)
    return ctx


def test_admin_creates_a_user_in_existing_teams_with_roles_in_one_order(teams):
    made = users.create_staff(teams, " Pat@Example.gov.uk ", "Pat Jones", ["team_lead", "back_office"],
                              ["Waste Services"], PASSWORD)
    assert (made.email, made.roles, made.teams, made.has_password) == (
        "pat@example.gov.uk", ["back_office", "team_lead"], ["Waste Services"], True)
    assert users.sign_in(teams, "pat@example.gov.uk", PASSWORD).user_id == made.id


def test_a_user_without_a_password_cannot_sign_in_with_one(teams):
    made = users.create_staff(teams, "sso@example.gov.uk", "Sam Sso", ["front_office"], [], None)
    assert not made.has_password
    with pytest.raises(SignInFailed):
        users.sign_in(teams, "sso@example.gov.uk", "")
    assert users.sign_in_by_claim(teams, "SSO@example.gov.uk").user_id == made.id


@pytest.mark.parametrize("roles, team_names, password, message", [
    ([], [], PASSWORD, "Select at least one role"),
    (["wizard"], [], PASSWORD, "There is no role called 'wizard'"),
    (["back_office"], ["Parks"], PASSWORD, "There is no team called 'Parks'"),
    (["back_office"], [], "short", "at least 10 characters"),
    (["back_office"], [], "new@example.gov.uk", "must not be the email address"),
])
def test_bad_user_details_are_refused_with_a_clear_reason_and_nothing_is_stored(teams, roles, team_names,
                                                                                 password, message):
    with pytest.raises(UserError, match=message):
        users.create_staff(teams, "new@example.gov.uk", "New Person", roles, team_names, password)
    assert [p.email for p in users.list_staff(teams)] == []


def test_admin_changes_name_roles_and_teams(teams):
    made = users.create_staff(teams, "kim@example.gov.uk", "Kim", ["front_office"], ["Customer Hub"], PASSWORD)
    changed = users.update_staff(teams, made.id, "Kim Lee", ["back_office", "front_office"],
                                 ["Waste Services", "Customer Hub"])
    assert (changed.name, changed.roles, changed.teams) == (
        "Kim Lee", ["front_office", "back_office"], ["Customer Hub", "Waste Services"])
    assert [p.email for p in users.list_staff(teams, team="Waste Services")] == ["kim@example.gov.uk"]
    assert [p.email for p in users.list_staff(teams, role="analyst")] == []
    with pytest.raises(TeamNotFound):
        users.update_staff(teams, made.id, "Kim Lee", ["back_office"], ["Nowhere"])
    assert users.staff_member(teams, made.id).teams == ["Customer Hub", "Waste Services"]  # unchanged


def test_the_last_active_admin_cannot_remove_their_admin_role_or_deactivate_themselves(teams):
    admin = users.create_staff(teams, "admin@example.gov.uk", "Ada", ["admin"], [], PASSWORD)
    with pytest.raises(Conflict, match="only active admin"):
        users.update_staff(teams, admin.id, "Ada", ["analyst"], [])
    with pytest.raises(Conflict, match="only active admin"):
        users.set_active(teams, admin.id, False)
    second = users.create_staff(teams, "admin2@example.gov.uk", "Bo", ["admin"], [], PASSWORD)
    assert users.update_staff(teams, admin.id, "Ada", ["analyst"], []).roles == ["analyst"]
    with pytest.raises(Conflict):
        users.set_active(teams, second.id, False)


def test_deactivated_users_cannot_sign_in_by_password_token_or_single_sign_on_until_reactivated(teams):
    made = users.create_staff(teams, "lee@example.gov.uk", "Lee", ["back_office"], [], PASSWORD)
    token = tokens.issue_token(teams, "lee@example.gov.uk", "scripts")
    assert not users.set_active(teams, made.id, False).active
    with pytest.raises(SignInFailed):
        users.sign_in(teams, "lee@example.gov.uk", PASSWORD)
    with pytest.raises(SignInFailed):
        users.sign_in_by_claim(teams, "lee@example.gov.uk")
    with pytest.raises(SignInFailed), teams.db.transaction() as session:
        tokens.user_for_token(session, token, teams.clock.now())
    users.set_active(teams, made.id, True)
    assert users.sign_in(teams, "lee@example.gov.uk", PASSWORD).user_id == made.id


def test_resetting_a_password_lifts_a_lock_out(teams):
    made = users.create_staff(teams, "max@example.gov.uk", "Max", ["back_office"], [], PASSWORD)
    for _ in range(users.MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInFailed):
            users.sign_in(teams, "max@example.gov.uk", "wrong")
    assert users.staff_member(teams, made.id).locked
    with pytest.raises(UserError):
        users.set_password(teams, made.id, "tiny")
    users.set_password(teams, made.id, "a brand new passphrase")
    assert users.sign_in(teams, "max@example.gov.uk", "a brand new passphrase").user_id == made.id
    with pytest.raises(NotFound):
        users.set_password(teams, 9999, "a brand new passphrase")


def test_teams_are_created_once_and_renamed_without_clashing(teams):
    with pytest.raises(Conflict, match="already a team called 'customer hub'"):
        routing.add_team(teams, "customer hub")
    with pytest.raises(UserError, match="Enter a team name"):
        routing.add_team(teams, "   ")
    waste = next(t for t in routing.team_summaries(teams) if t.name == "Waste Services")
    with pytest.raises(Conflict):
        routing.rename(teams, waste.id, "Customer Hub")
    assert routing.rename(teams, waste.id, "Waste  and  Recycling") == "Waste and Recycling"
    assert routing.rename(teams, waste.id, "waste and recycling") == "waste and recycling"


def test_lanes_of_deployed_maps_are_offered_and_a_new_mapping_routes_new_tasks(teams):
    deploy_text(teams, "noise.bpmn", CAMUNDA_NOISE)
    lane = next(lane for lane in routing.lanes(teams) if lane.source == "Environmental Health")
    assert (lane.team, lane.processes, lane.tasks) == ("Environmental Health", ["noise_complaint"],
                                                        [("noise_complaint", "log_noise")])
    before = cases.start_case(teams, "noise_complaint", {})
    routing.add_team(teams, "Pollution Control")
    assert routing.map_lanes(teams, {"Environmental Health": "Pollution Control"}) == (["Environmental Health"], 0)
    assert routing.map_lanes(teams, {"Environmental Health": "Pollution Control"}) == ([], 0)  # no change
    after = cases.start_case(teams, "noise_complaint", {})
    assert after.tasks[0].team == "Pollution Control"
    assert cases.show_case(teams, before.reference).case.tasks[0].team == "Environmental Health"  # left where it was
    with pytest.raises(TeamNotFound):
        routing.map_lanes(teams, {"Environmental Health": "Nowhere"})


def test_moving_open_tasks_with_a_mapping_unassigns_people_outside_the_new_team(teams):
    deploy_text(teams, "noise.bpmn", CAMUNDA_NOISE)
    users.create_staff(teams, "eho@example.gov.uk", "Eho", ["back_office"], ["Environmental Health"], PASSWORD)
    waiting = cases.start_case(teams, "noise_complaint", {})
    cases.claim_task(teams, waiting.tasks[0].id, "eho@example.gov.uk")
    moved = routing.map_lanes(teams, {"Environmental Health": "Waste Services"}, move_open_tasks=True,
                              actor="admin@example.gov.uk")
    assert moved == (["Environmental Health"], 1)
    shown = cases.show_case(teams, waiting.reference)
    task = shown.case.tasks[0]
    assert (task.team, task.assignee) == ("Waste Services", None)
    [event] = [e for e in shown.history if e.kind == "task_moved"]
    assert event.actor == "admin@example.gov.uk" and event.task_id == task.id
    assert event.detail == {"task_name": task.name, "from_team": "Environmental Health", "team": "Waste Services",
                            "unassigned": True}


def test_a_mapping_removed_falls_back_to_a_team_of_the_lanes_own_name(teams):
    deploy_text(teams, "noise.bpmn", CAMUNDA_NOISE)
    routing.map_lanes(teams, {"Environmental Health": "Waste Services"})
    with teams.db.transaction() as session:
        routing.remove_mapping(session, "Environmental Health")
        assert "Environmental Health" not in routing.list_mappings(session)
    with pytest.raises(UserError, match="not mapped"), teams.db.transaction() as session:
        routing.remove_mapping(session, "Environmental Health")
    assert not next(lane for lane in routing.lanes(teams) if lane.source == "Environmental Health").mapped
    assert cases.start_case(teams, "noise_complaint", {}).tasks[0].team == "Environmental Health"


def test_team_summaries_count_members_and_open_tasks(teams):
    deploy_text(teams, "noise.bpmn", CAMUNDA_NOISE)
    users.create_staff(teams, "eho@example.gov.uk", "Eho", ["back_office"], ["Environmental Health"], PASSWORD)
    cases.start_case(teams, "noise_complaint", {})
    summary = {t.name: (t.members, t.open_tasks) for t in routing.team_summaries(teams)}
    assert summary["Environmental Health"] == (1, 1) and summary["Customer Hub"] == (0, 0)


def test_tokens_are_listed_without_their_secret_and_revoked_one_at_a_time(teams):
    users.create_staff(teams, "bot@example.gov.uk", "Bot", ["back_office"], [], None)
    first = tokens.issue_token(teams, "bot@example.gov.uk", "nightly import")
    second = tokens.issue_token(teams, "bot@example.gov.uk", "reporting")
    listed = tokens.list_tokens(teams, "bot@example.gov.uk")
    assert [t.label for t in listed] == ["reporting", "nightly import"]
    assert all(first not in repr(t) and second not in repr(t) for t in listed)
    revoked = tokens.revoke_token(teams, listed[1].id)
    assert revoked.revoked_at is not None and tokens.revoke_token(teams, listed[1].id).revoked_at == revoked.revoked_at
    with teams.db.transaction() as session:
        with pytest.raises(SignInFailed):
            tokens.user_for_token(session, first, teams.clock.now())
        assert tokens.user_for_token(session, second, teams.clock.now()).email == "bot@example.gov.uk"
    with pytest.raises(UserError, match="what the token is for"):
        tokens.issue_token(teams, "bot@example.gov.uk", " ")
    with pytest.raises(NotFound):
        tokens.revoke_token(teams, 9999)


def test_last_used_is_written_at_most_every_five_minutes(teams):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    teams.clock = clock
    users.create_staff(teams, "bot@example.gov.uk", "Bot", ["back_office"], [], None)
    token = tokens.issue_token(teams, "bot@example.gov.uk", "scripts")

    def use() -> datetime | None:
        with teams.db.transaction() as session:
            tokens.user_for_token(session, token, clock.now())
        return tokens.list_tokens(teams, "bot@example.gov.uk")[0].last_used_at

    assert use() == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    clock.advance(minutes=4)
    assert use() == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    clock.advance(minutes=1)
    assert use() == datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)


def test_cli_adds_a_user_with_repeated_roles_and_teams_and_a_password_from_stdin(cli, ctx):
    added = cli("users", "add", "lead@example.gov.uk", "--role", "back office", "--role", "team_lead",
                "--team", "Waste Services", "--team", "Customer Hub", "--password-stdin", "--json",
                input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert (added.json()["roles"], added.json()["teams"]) == (["back_office", "team_lead"],
                                                              ["Waste Services", "Customer Hub"])
    assert users.sign_in(ctx, "lead@example.gov.uk", PASSWORD)
    member = users.list_staff(ctx)[0]
    assert member.teams == ["Customer Hub", "Waste Services"]
    short = cli("users", "add", "short@example.gov.uk", "--role", "back_office", "--password-stdin", input="abc\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.stderr
    assert cli("users", "add", "x@example.gov.uk", "--role", "wizard").exit_code == 2


def test_cli_creates_a_token_and_prints_it_once(cli, ctx):
    cli("users", "add", "bot@example.gov.uk", "--role", "back_office")
    printed = cli("tokens", "create", "bot@example.gov.uk")
    token = printed.stdout.strip()
    assert printed.exit_code == 0 and token.startswith(tokens.PREFIX)
    with ctx.db.transaction() as session:
        assert tokens.user_for_token(session, token, ctx.clock.now()).email == "bot@example.gov.uk"
    assert token not in repr(tokens.list_tokens(ctx))
