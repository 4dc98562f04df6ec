"""Admin pages: teams, users and their roles, lane and candidate group mapping, API tokens."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import people as people_wing
from engine.errors import TeamNotFound, UserError
from engine.types import Role

from ..current import context

bp = Blueprint("admin_people", __name__, url_prefix="/admin")

ROLE_NAMES = {Role.ANALYST: "Process analyst", Role.FRONT_OFFICE: "Front office", Role.BACK_OFFICE: "Back office",
              Role.TEAM_LEAD: "Team lead", Role.ADMIN: "Admin", Role.COUNCILLOR: "Councillor"}


def _page(template: str, title: str, errors: dict[str, str] | None = None, problem: str | None = None,
          status: int | None = None, **values: Any) -> Any:
    """Render an admin page; ``errors`` maps a field's id to its message (linked from the summary)."""
    errors = errors or {}
    error_list = [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
    html = render_template(f"admin/people/{template}", title=title, errors=errors, error_list=error_list,
                           problem=problem, role_names=ROLE_NAMES, role_text=_role_text, **values)
    return html, status or (400 if errors or problem else 200)


def _role_text(roles: list[str]) -> str:
    return ", ".join(ROLE_NAMES[Role(r)] for r in roles)


def _team_names() -> list[str]:
    return [t.name for t in people_wing.team_summaries(context())]


def _person_form() -> tuple[dict[str, Any], dict[str, str]]:
    """The name, roles and teams a user form posted, and what is missing from them."""
    values = {"name": request.form.get("name", "").strip(), "roles": request.form.getlist("roles"),
              "teams": request.form.getlist("teams")}
    errors = {}
    if not values["name"]:
        errors["name"] = "Enter the person's name"
    if not values["roles"]:
        errors["roles"] = "Select at least one role"
    return values, errors


# -- users ---------------------------------------------------------------------------------------

@bp.get("/users")
def user_list() -> Any:
    role = request.args.get("role") or None
    team = request.args.get("team") or None
    people = people_wing.list_staff(context(), role=role, team=team)
    return _page("users.html", "Users", people=people, role=role, team=team, team_names=_team_names())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Any:
    values: dict[str, Any] = {"email": "", "name": "", "roles": [], "teams": []}
    errors: dict[str, str] = {}
    problem = None
    if request.method == "POST":
        values, errors = _person_form()
        values["email"] = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if "@" not in values["email"]:
            errors = {"email": "Enter an email address in the correct format, like name@example.gov.uk", **errors}
        if password:
            try:
                people_wing.check_password(password, values["email"])
            except UserError as err:
                errors["password"] = err.message
        if not errors:
            try:
                made = people_wing.create_staff(context(), values["email"], values["name"], values["roles"], values["teams"],
                                                password or None, actor=g.user.email)
            except UserError as err:
                problem = err.message
            else:
                flash(f"{made.name} ({made.email}) can now use councilflow")
                return redirect(url_for(".user_edit", user_id=made.id))
    return _page("user_new.html", "Add a user", errors, problem, values=values, team_names=_team_names())


def _user_page(user_id: int, errors: dict[str, str] | None = None, problem: str | None = None,
               values: dict[str, Any] | None = None) -> Any:
    """A user's page; ``values`` are what the details form posted (else what is stored)."""
    person = people_wing.staff_member(context(), user_id)
    return _page("user.html", person.name, errors, problem, person=person, team_names=_team_names(),
                 values=values or {"name": person.name, "roles": person.roles, "teams": person.teams})


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Any:
    if request.method == "GET":
        return _user_page(user_id)
    values, errors = _person_form()
    if errors:
        return _user_page(user_id, errors, values=values)
    try:
        person = people_wing.update_staff(context(), user_id, values["name"], values["roles"], values["teams"],
                                     actor=g.user.email)
    except UserError as err:
        return _user_page(user_id, problem=err.message, values=values)
    flash(f"Saved the changes to {person.email}")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int) -> Any:
    active = request.form.get("active") == "yes"
    try:
        person = people_wing.set_active(context(), user_id, active, actor=g.user.email)
    except UserError as err:
        return _user_page(user_id, problem=err.message)
    # Either way set_active ended every session they had (reactivating does not revive an old one).
    flash(f"{person.email} can sign in again" if active else f"{person.email} can no longer sign in, and is signed out")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Any:
    try:
        people_wing.set_password(context(), user_id, request.form.get("new_password", ""), actor=g.user.email)
    except UserError as err:
        return _user_page(user_id, {"new_password": err.message})
    flash("The new password is set and the person is signed out everywhere. Give it to them in a safe way")
    return redirect(url_for(".user_edit", user_id=user_id))


# -- teams and lanes -----------------------------------------------------------------------------

@bp.route("/teams", methods=["GET", "POST"])
def team_list() -> Any:
    errors = {}
    if request.method == "POST":
        try:
            name = people_wing.add_team(context(), request.form.get("team_name", ""), actor=g.user.email)
        except UserError as err:
            errors["team_name"] = err.message
        else:
            flash(f"Added the team {name}")
            return redirect(url_for(".team_list"))
    return _page("teams.html", "Teams", errors, teams=people_wing.team_summaries(context()),
                 team_name=request.form.get("team_name", ""))


@bp.route("/teams/<int:team_id>/rename", methods=["GET", "POST"])
def team_rename(team_id: int) -> Any:
    team = next((t for t in people_wing.team_summaries(context()) if t.id == team_id), None)
    if team is None:
        raise TeamNotFound(f"There is no team with id {team_id}")
    errors = {}
    if request.method == "POST":
        try:
            name = people_wing.rename(context(), team_id, request.form.get("team_name", ""), actor=g.user.email)
        except UserError as err:
            errors["team_name"] = err.message
        else:
            flash(f"{team.name} is now called {name}")
            return redirect(url_for(".team_list"))
    return _page("team_rename.html", f"Rename {team.name}", errors, team=team,
                 team_name=request.form.get("team_name", team.name))


@bp.route("/lanes", methods=["GET", "POST"])
def lanes() -> Any:
    found = people_wing.lanes(context())
    problem = None
    if request.method == "POST":
        wanted = {lane.source: request.form[f"lane-{i}"] for i, lane in enumerate(found, 1)
                  if request.form.get(f"lane-{i}") and request.form[f"lane-{i}"] != lane.team}
        try:
            changed, moved = people_wing.map_lanes(context(), wanted, request.form.get("move_open") == "yes",
                                              actor=g.user.email)
        except UserError as err:
            problem = err.message
        else:
            if changed:
                flash(f"Saved: new tasks from {', '.join(changed)} now go to the team chosen"
                      + (f". {moved} open task(s) moved" if request.form.get("move_open") == "yes" else ""))
            else:
                flash("Nothing changed")
            return redirect(url_for(".lanes"))
    return _page("lanes.html", "Lanes and teams", problem=problem, lanes=found, team_names=_team_names())


# -- API tokens ----------------------------------------------------------------------------------

@bp.route("/tokens", methods=["GET", "POST"])
def token_list() -> Any:
    errors, new_token, owner = {}, None, request.form.get("owner", "")
    if request.method == "POST":
        if not owner:
            errors["owner"] = "Select whose token it is"
        if not request.form.get("label", "").strip():
            errors["label"] = "Enter what the token is for"
        if not errors:
            try:
                new_token = people_wing.issue_token(context(), owner, request.form["label"], actor=g.user.email)
            except UserError as err:
                errors["owner"] = err.message
    people = [p for p in people_wing.list_staff(context()) if p.active]
    html, status = _page("tokens.html", "API tokens", errors, people=people, owner=owner, new_token=new_token,
                         label="" if new_token else request.form.get("label", ""),
                         token_rows=people_wing.list_tokens(context()))
    # The token is in this page only: keep it out of every cache.
    return html, status, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Any:
    revoked = people_wing.revoke_token(context(), token_id, actor=g.user.email)
    flash(f"Revoked the token '{revoked.label}' of {revoked.email}")
    return redirect(url_for(".token_list"))
