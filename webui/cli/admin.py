"""``users`` and ``teams`` commands for admins."""
from __future__ import annotations

import sys

import click

from engine import people
from engine.types import Role, TokenScope

from . import Output, context, json_option, main


@main.group("users")
def users_group() -> None:
    """Manage the people who use councilflow."""


def _role_names(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Roles as the council says them ("front office", "front-office") or as stored ("front_office")."""
    known = {r.value for r in Role}
    names = tuple(v.strip().lower().replace(" ", "_").replace("-", "_") for v in values)
    for value, name in zip(values, names):
        if name not in known:
            raise click.BadParameter(f"'{value}' is not a role (choose from {', '.join(sorted(known))})")
    return names


@users_group.command("add")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part of the email before @).")
@click.option("--role", "roles", multiple=True, required=True, callback=_role_names,
              help=f"Role (repeatable): {', '.join(r.value for r in Role)}.")
@click.option("--team", "teams", multiple=True, help="Team the user works in (repeatable; created if new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (first line).")
@json_option
def add(email: str, name: str | None, roles: tuple[str, ...], teams: tuple[str, ...], password_stdin: bool,
        out: Output) -> None:
    """Add a user. Without --password-stdin they can sign in only with single sign-on."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin:
        people.check_password(password or "", email)
    stored, shown, granted = people.register(context(), email, name or email.split("@")[0],
                                             [Role(r) for r in roles], list(teams), password)
    payload = {"email": stored, "name": shown, "roles": granted, "teams": list(teams)}
    out.result(payload, f"Added {payload['email']}")


@main.group("teams")
def teams_group() -> None:
    """List teams and map BPMN lanes / candidate groups to them."""


@teams_group.command("list")
@json_option
def list_teams(out: Output) -> None:
    rows = [{"id": id_, "name": name} for id_, name in people.team_names(context())]
    out.result(rows, lambda r: "\n".join(t["name"] for t in r))


@teams_group.command("map")
@click.argument("lane")
@click.argument("team")
@json_option
def map_lane(lane: str, team: str, out: Output) -> None:
    """Send tasks from LANE (a lane name or candidate group) to TEAM."""
    people.send_lane_to(context(), lane, team)
    out.result({"lane": lane, "team": team}, f"Tasks from '{lane}' now go to '{team}'")


@teams_group.command("add")
@click.argument("name")
@json_option
def add_team(name: str, out: Output) -> None:
    team_id, team_name = people.ready_team(context(), name)
    payload = {"id": team_id, "name": team_name}
    out.result(payload, f"Team '{name}' ready")


@teams_group.command("rename")
@click.argument("old")
@click.argument("new")
@json_option
def rename(old: str, new: str, out: Output) -> None:
    people.rename_named(context(), old, new)
    out.result({"old": old, "new": new}, f"Team '{old}' is now '{new}'")


@main.group("tokens")
def tokens_group() -> None:
    """API tokens for scripts and integrations."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--label", default="api", help="What the token is for.")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), default=None,
              help="Limit the token: 'worker' may only fetch and finish external tasks.")
@json_option
def create_token(email: str, label: str, scope: str | None, out: Output) -> None:
    """Create an API token for EMAIL and print it (it is shown only this once)."""
    token = people.issue_token(context(), email, label, TokenScope(scope) if scope else None)
    out.result({"email": email.lower(), "token": token, "scope": scope}, token)


@tokens_group.command("revoke")
@click.argument("email")
@json_option
def revoke_tokens(email: str, out: Output) -> None:
    """Revoke every API token of EMAIL."""
    count = people.revoke_all(context(), email)
    out.result({"email": email.lower(), "revoked": count}, f"Revoked {count} token(s)")
