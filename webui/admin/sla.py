"""Admin page: SLA policies, working calendar and closure days (the engine functions the CLI's
``sla``, ``calendar`` and ``closures`` commands use)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from engine import deadlines
from engine.errors import UserError
from engine.types import Nation

from ..current import context
from ..dates import uk_date
from . import sla_form

bp = Blueprint("admin_sla", __name__, url_prefix="/admin")
FLASH = "admin_sla"
UNITS = sla_form.UNITS
NATIONS = {Nation.ENGLAND_AND_WALES.value: "England and Wales", Nation.SCOTLAND.value: "Scotland",
           Nation.NORTHERN_IRELAND.value: "Northern Ireland"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _index(problem: str | None = None, status: int = 200, **forms: Any) -> Any:
    ctx = context()
    seen = deadlines.overview(ctx)
    policies = deadlines.list_policies(ctx)
    return render_template("admin/sla/index.html", title="SLAs and working calendar", policies=policies,
                           late=seen.late, calendar=seen.calendar, closures=seen.closures, nations=NATIONS,
                           weekdays=WEEKDAYS, problem=problem, forms=forms, units=UNITS,
                           nation_options=_nation_options, in_words=sla_form.in_words,
                           holiday_warning=seen.holiday_warning), status


def _nation_options(chosen: str | None) -> list[dict[str, Any]]:
    return [{"value": value, "text": text, "selected": value == chosen} for value, text in NATIONS.items()]


@bp.get("/sla")
def index() -> Any:
    return _index()


def _done(message: str) -> Any:
    flash(message, FLASH)
    return redirect(url_for("admin_sla.index"))


@bp.route("/sla/policy", methods=["GET", "POST"])
def policy() -> Any:
    ctx = context()
    targets, teams = deadlines.targets(ctx), deadlines.team_choices(ctx)
    if request.method == "GET":
        wanted = f"{request.args.get('process', '')}:{request.args.get('task', '')}"
        existing = next((p for p in deadlines.list_policies(ctx, request.args.get("process"))
                         if f"{p.process}:{p.task or ''}" == wanted), None)
        form = sla_form.from_terms(existing.terms) if existing is not None else sla_form.blank()
        return _policy_page(targets, teams, {**form, "target": wanted}, editing=existing is not None)
    form = sla_form.read(request.form)
    errors = {} if form.get("target") in dict(targets) else {"target": "Select the process or task the SLA is for"}
    try:
        terms = sla_form.to_terms(form)
    except sla_form.FormProblems as problems:
        errors.update(problems.errors)
    if errors:
        return _policy_page(targets, teams, form, editing=form.get("editing") == "yes", errors=errors, status=400)
    process, _, task = form["target"].partition(":")
    try:
        deadlines.set_policy(ctx, process, task or None, terms, g.user.email)
        moved = deadlines.recalculate(ctx, process, task or None, g.user.email) if form.get("recalculate") else 0
    except UserError as err:  # found by the engine: a task or team that has gone since the page was shown
        return _policy_page(targets, teams, form, editing=form.get("editing") == "yes",
                            errors={"target": err.message}, status=400)
    what = dict(targets)[form["target"]]
    return _done(f"SLA saved for {what}: {terms.describe()}" + (f"; {moved} running clock(s) moved" if moved else ""))


def _policy_page(targets: list[tuple[str, str]], teams: list[str], form: dict[str, Any], editing: bool,
                 errors: dict[str, str] | None = None, status: int = 200) -> Any:
    errors = errors or {}
    return render_template("admin/sla/policy.html", title="Change an SLA" if editing else "Set an SLA",
                           targets=targets, teams=teams, form=form, units=sla_form.UNITS, triggers=sla_form.TRIGGERS,
                           actions=sla_form.ACTIONS, errors=errors, editing=editing,
                           error_list=[{"text": text, "href": f"#{field}"} for field, text in errors.items()]), status


@bp.post("/sla/policy/remove")
def remove_policy() -> Any:
    process, task = request.form.get("process", ""), request.form.get("task") or None
    deadlines.remove_policy(context(), process, task, g.user.email)  # NotFound: the error page says so
    return _done(f"SLA removed for {process}{' / ' + task if task else ''}; running clocks go on")


@bp.post("/sla/calendar")
def calendar() -> Any:
    ctx = context()
    weekdays = [int(d) for d in request.form.getlist("weekdays") if d.isdigit()]
    try:
        if not weekdays:
            raise UserError("Select at least one working day")
        deadlines.change(ctx, g.user.email, request.form.get("nation") or None,
                         request.form.get("day_start") or None, request.form.get("day_end") or None,
                         weekdays)
    except UserError as err:
        return _index(err.message, 400, calendar=request.form.to_dict())
    return _done("Working calendar saved. Running clocks keep their dates unless an SLA is recalculated")


@bp.post("/sla/closures")
def add_closure() -> Any:
    ctx = context()
    form = request.form.to_dict()
    try:
        day = deadlines.parse_day(form.get("day", "").strip())
        deadlines.close(ctx, [day], form.get("label", "").strip(), g.user.email, form.get("nation") or None)
    except UserError as err:
        return _index(err.message, 400, closure=form)
    return _done(f"The council is closed on {uk_date(day)}")


@bp.post("/sla/closures/remove")
def remove_closure() -> Any:
    ctx = context()
    day = deadlines.parse_day(request.form.get("day", ""))
    deadlines.reopen(ctx, day, g.user.email, request.form.get("nation") or None)
    return _done(f"{uk_date(day)} is a working day again")
