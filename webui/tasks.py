"""Working on a task through its form: instructions (the call script), earlier answers, the form,
"Check your answers" for front-office work, then on to the case's next task for the same person
or to the case's outcome. Around the form: claim, unclaim and assign (posted to webui.inbox), hand
back to the front office with a question, notes, and the questions and answers so far. A task
handed back shows what it waits for instead of its form.

The answers being checked travel in the check page itself, signed with the app's secret key, not
in the session cookie: a long complaint would overflow the cookie, and an advisor may have two
tasks open in two tabs. They are validated again when the task is completed.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from engine import casework, catalogue, people
from engine.casework import contact_outcome
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound, UserError
from engine.types import Channel, Role, TaskStatus

from . import addresses, appointment_fields, typeaheads
from .auth import is_local_path
from .current import context, today
from .forms import Form, address
from .forms.components import Errors, Values
from .forms.instructions import render_instructions
from .forms.summary import read_case
from .inbox import PROBLEM, SUCCESS

bp = Blueprint("tasks", __name__)
FRONT_OFFICE_TEAM = "Customer Hub"  # tasks of this team get "Check your answers" (app config: FRONT_OFFICE_TEAM)
EMPTY_FORM = {"type": "object", "properties": {}}


def _load(task_id: int) -> tuple[casework.TaskForm, Form]:
    try:
        detail = casework.get_task_form(context(), task_id, g.user.email)
    except NotFound:
        abort(404)
    if not detail.may_work:
        abort(403)
    texts = detail.form
    form = Form.from_texts(texts.schema, texts.ui_schema, texts.files.get, texts.name, detail.data) if texts.schema \
        else Form(dict(EMPTY_FORM))
    return detail, appointment_fields.offer_slots(form)


def _front_office(detail: casework.TaskForm) -> bool:
    team = current_app.config.get("FRONT_OFFICE_TEAM", FRONT_OFFICE_TEAM)
    return detail.task.team == team or Role.FRONT_OFFICE.value in g.user.roles


def _earlier(detail: casework.TaskForm) -> list[dict[str, Any]]:
    """Summary cards: the resident, then each earlier task's answers."""
    return [{"title": card.title, "rows": card.rows} for card in read_case(detail.data, detail.earlier).cards]


def _around(detail: casework.TaskForm, hand_back_error: str | None = None, question: str = "") -> dict[str, Any]:
    """What the page shows around the form: actions, questions and answers, notes."""
    task, ctx = detail.task, context()
    front_office = ctx.settings.default_team
    asked = casework.task_questions(ctx, task.id)
    return {"questions": asked, "waiting": next((q for q in asked if q.answer is None), None),
            "notes": [n for n in casework.list_notes(ctx, task.case) if n.task_id in (None, task.id)],
            # Only those who may give work to others see the "assign to a colleague" form.
            "members": casework.team_members(ctx, task.team, g.user.email)
            if task.team and people.may_assign_to_others(g.user) else [],
            "front_office": front_office, "may_hand_back": task.team != front_office and task.status == TaskStatus.OPEN,
            "hand_back_error": hand_back_error, "question": question, "came_from": came_from(),
            # Claiming, assigning or a note come back to this task, still knowing where it was opened from.
            "here": url_for(".show", task_id=task.id, next=came_from())}


def _task_page(detail: casework.TaskForm, form: Form, values: Values, errors: Errors | None = None,
               problem: str | None = None, status: int = 200, **around: Any) -> Any:
    checks = _front_office(detail) and bool(form.fields)
    shown = typeaheads.with_suggestions(form.fields, addresses.with_addresses(form.fields, values), detail.task.id)
    view = appointment_fields.offer_slots(form).view(shown, errors)
    if around.get("hand_back_error"):
        view["error_list"] = [*view["error_list"], {"text": around["hand_back_error"], "href": "#question"}]
    return render_template(
        "tasks/task.html", title=detail.task.name, task=detail.task, problem=problem,
        instructions=render_instructions(detail.instructions, detail.data), earlier=_earlier(detail),
        button="Continue" if checks else "Complete task", **_around(detail, **around), **view), status


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="councilflow.check-answers")


def _checked_answers(task_id: int) -> dict[str, Any]:
    """The answers carried by a check page, if they were made for this task and this person."""
    try:
        carried = _signer().loads(request.form.get("answers", ""))
    except BadSignature:
        abort(400)
    if carried.get("task") != task_id or carried.get("user") != g.user.id:
        abort(400)
    return carried["data"]


def _return_path(target: str | None) -> str | None:
    """``target`` if it is a staff page of this app that shows the result banner (an inbox, a case page),
    else None: never another site (only relative paths pass ``is_local_path``), never a task page (the
    task is done) nor the front office's outcome page."""
    if not target or not is_local_path(target):
        return None
    path = urlsplit(target).path
    inbox = path == "/inbox" or path.startswith("/inbox/")
    case = path.startswith("/cases/") and not path.endswith("/outcome")
    return target if inbox or case else None


def came_from() -> str | None:
    """Where the person opened this task from: the ``next`` the task's forms carry on, else the page that
    linked here (browsers send it for this site's own links only: Referrer-Policy same-origin)."""
    given = _return_path(request.values.get("next"))
    if given or not request.referrer:
        return given
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host:
        return None
    return _return_path(parts.path + (f"?{parts.query}" if parts.query else ""))


def _complete(detail: casework.TaskForm, form: Form, data: dict[str, Any]) -> Any:
    try:
        view = casework.complete_task(context(), detail.task.id, data, actor=g.user.email)
    except FormInvalid as err:
        return _task_page(detail, form, form.values(data), err.errors, status=400)
    except Forbidden:
        abort(403)
    except Conflict as err:
        return _task_page(detail, form, form.values(data), problem=err.message, status=409)
    following = casework.next_task(context(), view.reference, g.user.email)
    if following is not None:
        return redirect(url_for(".show", task_id=following.id, next=came_from()))
    if _front_office(detail):  # the advisor is still with the resident: how it ended, then "anything else?"
        return redirect(url_for(".outcome", reference=view.reference))
    # Back office: back to the work they came from, saying what was done, not to the front office's page.
    flash(f"You have completed “{detail.task.name}” on {view.reference}", SUCCESS)
    return redirect(came_from() or url_for("inbox.my_tasks"))


@bp.get("/tasks/<int:task_id>")
def show(task_id: int) -> Any:
    detail, form = _load(task_id)
    if detail.task.status not in (TaskStatus.OPEN, TaskStatus.HANDED_BACK):
        return render_template("tasks/closed.html", title=detail.task.name, task=detail.task)
    # A case a resident reported online starts its first form from their answers (engine.residents.web_reports), so
    # the front office checks them and adds what residents are not asked.
    return _task_page(detail, form, form.first_values(detail.data, prefill=detail.channel == Channel.WEB
                                                      and bool(detail.task.team)))


@bp.get("/tasks/<int:task_id>/suggestions/<field>")
def suggestions(task_id: int, field: str) -> Any:
    """The typeahead question ``field``'s items starting with ``?prefix=`` (JSON), for /static/typeahead.js;
    404 to anyone who may not work on the task, or for a question the task's form does not ask."""
    try:
        found = casework.typeahead_suggestions(context(), task_id, g.user.email, field, request.args.get("prefix", ""))
    except NotFound:
        abort(404)
    return jsonify([{"text": s.text} for s in found])


@bp.post("/tasks/<int:task_id>/hand-back")
def hand_back(task_id: int) -> Any:
    """Hand the task back to the front office with a question; it waits until they answer."""
    detail, form = _load(task_id)
    question = request.form.get("question", "")
    try:
        asked = casework.hand_back(context(), task_id, question, g.user.email)
    except Conflict as err:
        flash(err.message, PROBLEM)
    except UserError as err:
        return _task_page(detail, form, form.values(), status=400, hand_back_error=err.message, question=question)
    else:
        flash(f"Handed back to {asked.team} with your question. The task comes back to you when they answer",
              SUCCESS)
    return redirect(url_for(".show", task_id=task_id, next=came_from()))


@bp.post("/tasks/<int:task_id>")
def submit(task_id: int) -> Any:
    detail, form = _load(task_id)
    submission = form.read(request.form, addresses.find, typeaheads.pick(task_id))
    lookup = address.action(request.form)
    if lookup is not None:  # "Find address" or manual entry: the same page again, nothing checked yet
        what, name = lookup
        submission.values[name] = address.after(submission.values.get(name) or {}, what)
        return _task_page(detail, form, submission.values)
    errors = form.errors(submission.data, today())
    if errors:
        return _task_page(detail, form, submission.values, errors, status=400)
    if not (_front_office(detail) and form.fields):
        return _complete(detail, form, submission.data)
    token = _signer().dumps({"task": task_id, "user": g.user.id, "data": submission.data})
    return render_template("tasks/check.html", title="Check your answers", task=detail.task,
                           answers=form.answers(submission.data), token=token)


@bp.post("/tasks/<int:task_id>/change")
def change(task_id: int) -> Any:
    detail, form = _load(task_id)
    return _task_page(detail, form, form.values(_checked_answers(task_id)))


@bp.route("/tasks/<int:task_id>/check", methods=["GET", "POST"])
def check(task_id: int) -> Any:
    if request.method == "GET":  # the answers live in the page, not the session: start again
        return redirect(url_for(".show", task_id=task_id))
    detail, form = _load(task_id)
    return _complete(detail, form, _checked_answers(task_id))


@bp.get("/cases/<reference>/outcome")
def outcome(reference: str) -> Any:
    """How the contact ended (resolved at first contact, or handed to which teams), then "anything else?"."""
    team = current_app.config.get("FRONT_OFFICE_TEAM", FRONT_OFFICE_TEAM)
    try:
        casework.require_case_visible(context(), reference, g.user.email)  # else 404, as if it did not exist
        result = contact_outcome(context(), reference, team)
    except NotFound:
        abort(404)
    # Built from the escaped reference, so the panel shows a line break and bold text, never markup as text.
    reference_html = Markup("Reference<br><strong>{}</strong>").format(result.reference)
    may_start = people.may_start_services(g.user)
    # "Can we help with anything else?": the related services of the directory entry the contact was about.
    related = catalogue.related_services(context(), result.service_key) if may_start else []
    return render_template("tasks/outcome.html", title=f"Case {reference}", outcome=result,
                           reference_html=reference_html, may_start_services=may_start, related=related)
