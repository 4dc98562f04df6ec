"""The case page: timeline, current data, notes, documents and the diagram with completed and active tasks.

Front office and admins may see any case; back office and team leads only a case with a task in
one of their teams (the engine's rule, ``permissions.may_see_case``: others get 403).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from engine import appointments, background, bpmn, casework, deadlines, email, people
from engine.errors import CaseNotFound, CaseRestricted, Forbidden, UserError
from engine.types import EventKind, IncidentStatus, Outcome, SlaState
from engine.casework import EventView

from .current import context
from .dates import uk_datetime
from .forms.summary import plain, read_case
from .frontoffice import CHANNELS as CHANNEL_LABELS
from .home import restricted_page
from .inbox import PROBLEM, SUCCESS, back_to, sla_tag
from .names import remember

bp = Blueprint("casepage", __name__)
CHANNELS = {"phone": "by phone", "face-to-face": "face to face", "email": "by email", "web": "online",
            "councillor": "for a councillor", "partner": "for a partner organisation"}
Sentence = Callable[[str, dict[str, Any]], str]


def _task(d: dict[str, Any]) -> str:
    return f"“{d.get('task_name') or 'a task'}”"


def _kind(d: dict[str, Any]) -> str:
    kind = d.get("contact_kind", "")
    return casework.KIND_LABELS.get(kind, str(kind).replace("_", " ")).lower()


def _then(d: dict[str, Any], key: str) -> str:
    """": <value>" when the event says something under ``key``, else nothing."""
    return f": {d[key]}" if d.get(key) else ""


def _contact_outcome(d: dict[str, Any]) -> str:
    outcome = d.get("outcome")
    if outcome == Outcome.HANDED_OFF:
        return f"handed off to {d.get('team') or 'a team'}"
    if outcome == Outcome.REFERRED:
        return f"referred to {d.get('partner') or 'a partner'}"
    return "resolved at first contact" if outcome == Outcome.RESOLVED_FIRST_CONTACT else str(outcome or "recorded")


def _system(d: dict[str, Any]) -> str:
    operation = str(d.get("operation") or "")
    return f"the {operation.split('/')[0]} system ({operation})" if "/" in operation else "a back-office system"


# One sentence per kind of event: (who, detail) -> plain English. Unknown kinds are shown generically.
SENTENCES: dict[str, Sentence] = {
    EventKind.CASE_STARTED: lambda who, d: f"{who} started the case {CHANNELS.get(d.get('channel', ''), '')}".strip(),
    EventKind.TASK_CREATED: lambda who, d: f"Task {_task(d)} created for {d.get('team') or 'a team'}"
                                           + (f", assigned to {d['assignee']}" if d.get("assignee") else ""),
    EventKind.TASK_CLAIMED: lambda who, d: f"{who} claimed {_task(d)}",
    EventKind.TASK_UNCLAIMED: lambda who, d: f"{who} put {_task(d)} back in the team queue",
    EventKind.TASK_MOVED: lambda who, d: f"{who} moved {_task(d)} from {d.get('from_team')} to {d.get('team')}",
    EventKind.TASK_ASSIGNED: lambda who, d: f"{who} assigned {_task(d)} to {d.get('assignee')}",
    EventKind.TASK_COMPLETED: lambda who, d: f"{who} completed {_task(d)}",
    EventKind.TASK_CANCELLED: lambda who, d: f"Task {_task(d)} was withdrawn",
    EventKind.TASK_HANDED_BACK: lambda who, d: f"{who} handed {_task(d)} back to {d.get('team')}{_then(d, 'question')}",
    EventKind.QUESTION_ANSWERED: lambda who, d: f"{who} answered for {d.get('team')}: {d.get('answer')}",
    EventKind.NOTE_ADDED: lambda who, d: f"{who} added a note: {d.get('text')}",
    EventKind.RESTRICTED_CASE_OPENED: lambda who, d: f"{who} opened this restricted case: {d.get('reason')}",
    EventKind.CONTACT_LOGGED: lambda who, d: f"The customer got in touch {CHANNELS.get(d.get('channel', ''), '')} "
                                             f"({_kind(d)}); {who} took it: {d.get('text')}",
    EventKind.CONTACT_OUTCOME: lambda who, d: f"{who} recorded the contact about {d.get('service_name')}: "
                                              f"{_contact_outcome(d)}",
    EventKind.STEP_FAILED: lambda who, d: f"The case stopped at {d.get('element') or 'a step'}: {d.get('reason')}",
    EventKind.CASE_RETRIED: lambda who, d: f"{who} ran the failed step again",
    EventKind.CASE_COMPLETED: lambda who, d: "The case was completed"
                                             + (f" ({plain(d['outcome'])})" if d.get("outcome") else ""),
    EventKind.CASE_CANCELLED: lambda who, d: f"{who} cancelled the case{_then(d, 'reason')}",
    EventKind.SLA_STARTED: lambda who, d: f"SLA started for {d.get('task_name') or 'the case'}: {d.get('sla')}",
    EventKind.SLA_PAUSED: lambda who, d: f"{who} paused the SLA clocks{_then(d, 'reason')}",
    EventKind.SLA_RESUMED: lambda who, d: f"{who} restarted the SLA clocks",
    EventKind.SLA_RECALCULATED: lambda who, d: f"SLA recalculated: {d.get('sla')}",
    EventKind.SLA_WARNING: lambda who, d: "SLA at risk",
    EventKind.SLA_BREACHED: lambda who, d: "SLA breached",
    EventKind.ESCALATED: lambda who, d: f"Escalated{_then(d, 'action')}",
    EventKind.MESSAGE_DELIVERED: lambda who, d: f"Update received: {d.get('message')}",
    EventKind.MESSAGE_REFUSED: lambda who, d: f"Update refused: {d.get('message')} ({d.get('reason')})",
    EventKind.CALL_QUEUED: lambda who, d: f"Queued for {_system(d)}",
    EventKind.CALL_SUCCEEDED: lambda who, d: f"Sent to {_system(d)}",
    EventKind.CALL_REJECTED: lambda who, d: f"Refused by {_system(d)}: {d.get('reason')}",
    EventKind.CALL_FAILED: lambda who, d: f"{_system(d)} failed: {d.get('reason')} ({d.get('retries')} tries left)",
    EventKind.INCIDENT_RAISED: lambda who, d: (f"Incident raised: {d.get('reason')}" if d.get("kind") == "email_bounced"
                                               else f"Incident raised on {_system(d)}: {d.get('reason')}"),
    EventKind.INCIDENT_RETRIED: lambda who, d: f"{who} retried the incident{_then(d, 'note')}",
    EventKind.INCIDENT_SKIPPED: lambda who, d: f"{who} skipped the incident{_then(d, 'note')}",
    EventKind.DELIVERY_STATUS: lambda who, d: f"Delivery by {_system(d)}: {d.get('status')}",
    EventKind.EMAIL_RECEIVED: lambda who, d: f"An email came in: {d.get('subject')}"
                                             + (f" ({len(d['documents'])} attachments added)" if d.get("documents") else ""),
    EventKind.EMAIL_REPLY_WRITTEN: lambda who, d: f"{who} wrote a reply to {d.get('to')}: {d.get('text')}",
    EventKind.EMAIL_REPLY_SENT: lambda who, d: "The reply was sent",
    EventKind.EMAIL_REPLY_FAILED: lambda who, d: f"The reply could not be sent: {d.get('reason')}",
    EventKind.APPOINTMENT_BOOKED: lambda who, d: f"{who} booked appointment {d.get('appointment')} for "
                                                 f"{uk_datetime(d.get('starts_at'))}",
    EventKind.APPOINTMENT_REBOOKED: lambda who, d: f"{who} moved appointment {d.get('appointment')} to "
                                                   f"{uk_datetime(d.get('starts_at'))}",
    EventKind.APPOINTMENT_CANCELLED: lambda who, d: f"{who} cancelled appointment {d.get('appointment')}"
                                                    f"{_then(d, 'reason')}",
    EventKind.APPOINTMENT_ARRIVED: lambda who, d: f"The resident checked in for appointment {d.get('appointment')}",
    EventKind.APPOINTMENT_CALLED: lambda who, d: f"{who} called the resident in ({d.get('appointment')})",
    EventKind.APPOINTMENT_FINISHED: lambda who, d: f"{who} finished appointment {d.get('appointment')}",
    EventKind.APPOINTMENT_NO_SHOW: lambda who, d: f"Nobody checked in for appointment {d.get('appointment')}: "
                                                  "marked a no-show",
    EventKind.APPOINTMENT_REMINDED: lambda who, d: "Appointment reminder sent" if d.get("reminder") != "appointment_booked"
                                                   else "Appointment confirmation sent",
    EventKind.DOCUMENT_ADDED: lambda who, d: f"{who} added the document {d.get('filename')}",
    EventKind.DOCUMENT_FILED: lambda who, d: f"Document {d.get('filename')} filed"
                                             + (f" as {d['filed_reference']}" if d.get("filed_reference") else ""),
}


def describe(event: EventView, names: dict[str, str]) -> str:
    """The event as one plain-English sentence, naming people by name where we know them."""
    who = names.get(event.actor, event.actor)
    sentence = SENTENCES.get(event.kind)
    if sentence is None:
        return f"{event.kind.replace('_', ' ').capitalize()} ({who})"
    detail = dict(event.detail or {})
    if detail.get("assignee"):  # the history keeps the email, which identifies the person
        detail["assignee"] = names.get(detail["assignee"], detail["assignee"])
    return sentence(who, detail)


def _diagram_url(process: str, version: int) -> str:
    try:
        return url_for("diagrams.version_xml", key=process, version=version)
    except BuildError:  # the diagrams blueprint without that route: its documented address
        return f"/diagrams/{process}/{version}.bpmn"


@bp.get("/cases/<reference>")
def show(reference: str) -> Any:
    return render_case(reference)


def render_case(reference: str, status: int = 200, **extra: Any) -> Any:
    """The case page (``extra`` goes to the template: a form's errors and answers, shown again)."""
    ctx = context()
    header = casework.case_header(ctx, reference, g.user.email)  # Forbidden/CaseNotFound: 403/404 pages
    detail = casework.show_case(ctx, reference)
    order = "oldest" if request.args.get("order") == "oldest" else "newest"
    history = detail.history if order == "oldest" else list(reversed(detail.history))
    names = remember({e.actor for e in detail.history} | {header.created_by}
                     | {str(e.detail["assignee"]) for e in detail.history if (e.detail or {}).get("assignee")}
                     | {t.assignee for t in detail.case.tasks})
    timeline = [{"at": uk_datetime(e.at), "text": describe(e, names)} for e in history]
    clocks = {c.task_id: c for c in deadlines.case_clocks(ctx, reference)}
    tasks = [{"task": t, "due": uk_datetime(t.due_at), "sla": sla_tag(t.sla_state),
              "remaining": clocks[t.id].remaining if t.id in clocks else ""} for t in detail.case.tasks]
    case_clock = clocks.get(None)
    paused = any(c.state == SlaState.PAUSED for c in clocks.values())
    return render_template(
        "cases/case.html", title=f"Case {reference}", case=detail.case, header=header, detail=detail,
        creator=names.get(header.created_by, header.created_by),
        channel=CHANNEL_LABELS.get(detail.case.channel, detail.case.channel),
        case_sla={"due": uk_datetime(detail.case.due_at), "sla": sla_tag(detail.case.sla_state),
                  "remaining": case_clock.remaining if case_clock else ""},
        timeline=timeline, order=order, data=read_case(detail.data, casework.case_forms(ctx, reference)), tasks=tasks,
        notes=casework.list_notes(ctx, reference), questions=casework.case_questions(ctx, reference),
        case_reference=reference, documents=casework.list_documents(ctx, reference),
        highlights=bpmn.case_highlights(ctx, reference), clocks=bool(clocks), paused=paused,
        incidents=background.list_incidents(ctx, status=IncidentStatus.OPEN, case=reference),
        diagram_url=_diagram_url(detail.case.process, detail.case.version), here=request.path,
        contacts=casework.list_contacts(ctx, reference, g.user.email), channels=CHANNELS,
        contact_kinds=casework.KIND_LABELS, appointments=appointments.case_appointments(ctx, reference),
        reply=email.reply_form(ctx, reference, g.user.email, request.args.get("reply_template"),
                               extra.get("reply_answers", {}).get("language") or request.args.get("language")),
        **extra), status


@bp.post("/cases/<reference>/open-with-reason")
def open_with_reason(reference: str) -> Any:
    """A team lead or admin opens a restricted case in an emergency; the reason goes into its history."""
    reason = request.form.get("reason", "")
    try:
        granted = people.open_with_reason(context(), reference, g.user.email, reason)
    except (Forbidden, CaseNotFound):
        raise
    except UserError as err:
        try:
            casework.require_case_visible(context(), reference, g.user.email)
        except CaseRestricted as notice:
            return restricted_page(notice, reason, err.message)
        raise
    flash(f"You can see case {reference} until {uk_datetime(granted.until)}; opening it is in its history", SUCCESS)
    return redirect(url_for(".show", reference=reference))


@bp.post("/cases/<reference>/notes")
def add_note(reference: str) -> Any:
    task_id = request.form.get("task_id", "")
    try:
        casework.add_note(context(), reference, request.form.get("text", ""), g.user.email,
                          task_id=int(task_id) if task_id.isdigit() else None)
    except (Forbidden, CaseNotFound):
        raise  # the 403 / 404 page, not a banner
    except UserError as err:
        flash(err.message, PROBLEM)
    else:
        flash("Note added", SUCCESS)
    return redirect(back_to(url_for(".show", reference=reference)) + "#notes")


@bp.post("/cases/<reference>/replies")
def reply(reference: str) -> Any:
    """A reply by email to one of the case's emails, written now and sent by the worker."""
    form = {k: request.form.get(k, "") for k in ("email", "reply", "template", "language")}
    try:
        done = email.write_reply(context(), reference, int(form["email"]) if form["email"].isdigit() else 0,
                                 form["reply"], g.user.email, form["template"] or None,
                                 form["language"] or "en")
    except (Forbidden, CaseNotFound):
        raise
    except UserError as err:
        field = "reply" if isinstance(err, email.ReplyRefused) and "email" not in err.message else "email"
        return render_case(reference, 400, reply_errors={field: err.message}, reply_answers=form,
                           error_list=[{"text": err.message, "href": f"#reply-{'text' if field == 'reply' else 'email'}"}])
    flash(f"Your reply to {done.to} will be sent in a moment; it is in the case's history", SUCCESS)
    return redirect(url_for(".show", reference=reference) + "#reply")


@bp.post("/cases/<reference>/sla/pause")
def pause_sla(reference: str) -> Any:
    """Stop the case's clocks while the council waits for the resident (the reason is in the history)."""
    casework.case_header(context(), reference, g.user.email)  # only someone who may see the case
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Enter why the clocks are paused, for example awaiting information from the resident", PROBLEM)
    else:
        deadlines.pause_case(context(), reference, g.user.email, reason)
        flash("The SLA clocks are paused", SUCCESS)
    return redirect(url_for(".show", reference=reference) + "#sla")


@bp.post("/cases/<reference>/sla/resume")
def resume_sla(reference: str) -> Any:
    """Restart the clocks; their due dates move on by the working time spent paused."""
    casework.case_header(context(), reference, g.user.email)
    deadlines.resume_case(context(), reference, g.user.email)
    flash("The SLA clocks are running again; due dates moved on by the working time spent paused", SUCCESS)
    return redirect(url_for(".show", reference=reference) + "#sla")
