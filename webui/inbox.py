"""Back office: team inboxes and my tasks, claim, unclaim, assign, bulk assign, hand back and answer questions.

Who may see and act on a task is the engine's rule (members of the task's team, and admins), and so is
who may assign (``permissions.require_may_assign``, as in the API): anyone in the team claims a task for
themselves; team leads and admins give tasks to others. A refusal is shown in the banner. Row and bulk actions are POST-redirect-GET, each
result shown in a notification banner on the page the person came from.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import casework, people
from engine.errors import Conflict, Forbidden, UserError
from engine.types import TaskStatus
from engine.casework import TaskView

from .auth import is_local_path
from .current import context
from .dates import uk_datetime
from .names import person, remember

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 25
SORTS = {"oldest": ("created_at", False, "Oldest first"), "newest": ("created_at", True, "Newest first"),
         "due": ("due_at", False, "Due soonest")}
STATUSES: dict[str, tuple[str, Any]] = {
    "active": ("Open or handed back", casework.ACTIVE), "open": ("Open", TaskStatus.OPEN),
    "handed_back": ("Handed back to the front office", TaskStatus.HANDED_BACK),
    "completed": ("Completed", TaskStatus.COMPLETED), "cancelled": ("Cancelled", TaskStatus.CANCELLED)}
SLA_TAGS = {"on_track": ("On track", "govuk-tag--green"), "at_risk": ("At risk", "govuk-tag--yellow"),
            "breached": ("Breached", "govuk-tag--red"), "paused": ("Paused", "govuk-tag--grey"),
            "met": ("Met", "govuk-tag--blue"), "stopped": ("Stopped", "govuk-tag--grey")}
SUCCESS, PROBLEM = "inbox_success", "inbox_problem"  # flash categories the banners partial shows


def sla_tag(state: str | None) -> dict[str, str] | None:
    """govukTag parameters for an SLA state (None: the task has no SLA)."""
    if not state:
        return None
    text, classes = SLA_TAGS.get(state, (state.replace("_", " ").capitalize(), "govuk-tag--grey"))
    return {"text": text, "classes": classes}


def age_text(created_at: str | None, now: datetime) -> str:
    """How long ago, in the largest whole unit: "3 days", "5 hours", "under an hour"."""
    if not created_at:
        return ""
    seconds = (now - datetime.fromisoformat(created_at)).total_seconds()
    for size, unit in ((86400, "day"), (3600, "hour")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under an hour"


def back_to(default: str) -> str:
    """Where to go after an action: the form's ``next`` if it is a path on this site."""
    target = request.form.get("next") or request.args.get("next") or ""
    return target if is_local_path(target) else default


def _choice(name: str, options: dict[str, Any], default: str) -> str:
    value = request.args.get(name, default)
    return value if value in options else default


def page_number() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 100_000)) if value.isdigit() else 1


def process_choices() -> list[dict[str, str]]:
    return [{"value": p.process, "text": p.name or p.process} for p in casework.processes(context())]


def _listing(title: str, base: dict[str, Any], heading_team: str | None) -> Any:
    """One inbox page: the filter form, the tab counts, one page of tasks and the pagination."""
    status, sort = _choice("status", STATUSES, "active"), _choice("sort", SORTS, "oldest")
    process, task = request.args.get("process", "").strip(), request.args.get("task", "").strip()
    column, descending, _ = SORTS[sort]
    wanted = casework.TaskFilter(process=process or None, task=task or None, status=STATUSES[status][1],
                                 sort=column, descending=descending, **base)
    page = casework.task_page(context(), wanted, g.user.email, page_number(), PAGE_SIZE)
    now = context().clock.now()
    remaining = casework.sla_remaining(context(), [t.id for t in page.items])
    processes = process_choices()
    remember(t.assignee for t in page.items)  # the "Assigned to" column names people, in one query
    names = {p["value"]: p["text"] for p in processes}
    rows = [{"task": t, "process": names.get(page.process_keys[t.id], page.process_keys[t.id]),
             "age": age_text(t.created_at, now), "due": uk_datetime(t.due_at), "sla": sla_tag(t.sla_state),
             "remaining": remaining.get(t.id, "")} for t in page.items]
    # The tick boxes and "assign selected tasks to" are for those who may give work to others.
    members = (casework.team_members(context(), heading_team, g.user.email)
               if heading_team and people.may_assign_to_others(g.user) else [])
    args = {"status": status, "sort": sort, "process": process, "task": task}
    # Work that no inbox shows: those who can act on it (admins add people, team leads reassign) see it.
    unstaffed = (people.unstaffed_teams_with_work(context())
                 if people.is_admin(g.user) or people.may_assign_to_others(g.user) else [])
    return render_template(
        "inbox/index.html", title=title, team=heading_team, rows=rows, members=members, unstaffed=unstaffed,
        may_staff=people.is_admin(g.user),
        counts=casework.team_counts(context(), g.user.email), args=args, processes=processes,
        statuses=STATUSES, sorts=SORTS, pagination=pagination(page, args), total=page.total,
        total_capped=page.total_capped, here=request.full_path.rstrip("?"))


def pagination(page: Any, args: dict[str, str], label: str = "Pages of tasks") -> dict[str, Any] | None:
    """govukPagination parameters for a page of results (``page``, ``page_size``, ``total``)."""
    pages = max(1, -(-page.total // page.page_size))
    if pages == 1:
        return None

    def href(number: int) -> str:
        return "?" + urlencode({**{k: v for k, v in args.items() if v}, "page": number})

    shown = sorted({1, pages, *range(max(1, page.page - 2), min(pages, page.page + 2) + 1)})
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1].get("number", 0) > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.page})
    return {"items": items, "landmarkLabel": label,
            "previous": {"href": href(page.page - 1)} if page.page > 1 else None,
            "next": {"href": href(page.page + 1)} if page.page < pages else None}


@bp.get("/inbox")
def my_tasks() -> Any:
    return _listing("My tasks", {"assignee": g.user.email}, None)


@bp.get("/inbox/teams/<team>")
def team_inbox(team: str) -> Any:
    return _listing(f"{team} tasks", {"team": team}, team)


def _act(action: Callable[[], TaskView], done: Callable[[TaskView], str]) -> None:
    """Run one task action and say what was done, naming the task and its case; a clash (someone got
    there first) is shown, not raised."""
    try:
        task = action()
    except (Conflict, Forbidden) as err:
        flash(err.message, PROBLEM)
        return
    flash(done(task), SUCCESS)


@bp.post("/inbox/tasks/<int:task_id>/claim")
def claim(task_id: int) -> Any:
    _act(lambda: casework.claim_task(context(), task_id, g.user.email),
         lambda t: f"You have claimed “{t.name}” on {t.case}")
    return redirect(back_to(url_for("tasks.show", task_id=task_id)))


@bp.post("/inbox/tasks/<int:task_id>/unclaim")
def unclaim(task_id: int) -> Any:
    _act(lambda: casework.unclaim_task(context(), task_id, actor=g.user.email),
         lambda t: f"“{t.name}” on {t.case} is back in the {t.team or 'team'} queue")
    return redirect(back_to(url_for(".my_tasks")))


@bp.post("/inbox/tasks/<int:task_id>/assign")
def assign(task_id: int) -> Any:
    assignee = request.form.get("assignee", "").strip()
    if not assignee:
        flash("Select who to assign the task to", PROBLEM)
    else:
        _act(lambda: casework.assign_task(context(), task_id, assignee, actor=g.user.email),
             lambda t: f"“{t.name}” on {t.case} is assigned to {person(assignee)}")
    return redirect(back_to(url_for("tasks.show", task_id=task_id)))


@bp.post("/inbox/assign")
def bulk_assign() -> Any:
    """Assign the ticked tasks to one colleague; each refusal is listed with its reason."""
    chosen = [int(v) for v in request.form.getlist("task_ids") if v.isdigit()]
    assignee = request.form.get("assignee", "").strip()
    if not chosen or not assignee:
        flash("Select at least one task and who to assign them to", PROBLEM)
        return redirect(back_to(url_for(".my_tasks")))
    try:
        result = casework.bulk_assign(context(), chosen, assignee, actor=g.user.email)
    except UserError as err:
        flash(err.message, PROBLEM)
        return redirect(back_to(url_for(".my_tasks")))
    if result.assigned:
        count = len(result.assigned)
        flash(f"Assigned {count} task{'s' if count != 1 else ''} to {person(assignee)}", SUCCESS)
    for task_id, reason in result.refused.items():
        flash(f"Task {task_id} was not assigned: {reason}", PROBLEM)
    return redirect(back_to(url_for(".my_tasks")))


@bp.get("/inbox/questions")
def questions() -> Any:
    asked = casework.open_questions(context(), g.user.email)
    return render_template("inbox/questions.html", title="Questions from the back office", questions=asked,
                           counts=casework.team_counts(context(), g.user.email))


@bp.route("/inbox/questions/<int:question_id>", methods=["GET", "POST"])
def answer(question_id: int) -> Any:
    question = casework.get_question(context(), question_id, g.user.email)
    error = None
    if request.method == "POST":
        try:
            casework.answer_question(context(), question_id, request.form.get("answer", ""), g.user.email)
        except Conflict as err:
            flash(err.message, PROBLEM)
            return redirect(url_for(".questions"))
        except UserError as err:
            error = err.message
        else:
            flash(f"Your answer was sent to {person(question.asked_by)}; “{question.task_name}” on "
                  f"{question.case} is back with them", SUCCESS)
            return redirect(url_for(".questions"))
    return render_template("inbox/answer.html", title=f"Answer the question on case {question.case}",
                           question=question, error=error, answer=request.form.get("answer", "")), \
        (400 if error else 200)
