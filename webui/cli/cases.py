"""``case`` and ``task(s)`` commands: drive cases from the command line."""
from __future__ import annotations

import click

from engine import casework
from engine.types import CaseStatus, Channel
from engine.casework import CaseView

from . import Output, context, json_option, main, parse_json


def _case_text(view: dict) -> str:
    lines = [f"{view['reference']}  {view['status']}  ({view['process']} v{view['version']})"]
    if view.get("error"):
        lines.append(f"  error: {view['error']}")
    lines += [f"  task {t['id']}: {t['name']} -> {t['team']}" for t in view["tasks"]]
    return "\n".join(lines)


def _finish(out: Output, view: CaseView) -> None:
    out.result(view.to_dict(), _case_text)
    if view.error:
        raise SystemExit(1)


@main.group("case")
def case_group() -> None:
    """Start, inspect, cancel and retry cases."""


@case_group.command("start")
@click.argument("key")
@click.option("--data", default=None, help="Initial case data as a JSON object.")
@click.option("--channel", default=Channel.PHONE.value, type=click.Choice([c.value for c in Channel]),
              help="How the resident contacted the council.")
@click.option("--customer", "customer_id", type=int, default=None, help="Customer id.")
@click.option("--user", "actor", default=None, help="Email of the person starting the case.")
@json_option
def start(key: str, data: str | None, channel: str, customer_id: int | None, actor: str | None,
          out: Output) -> None:
    """Start a case of process KEY."""
    _finish(out, casework.start_case(context(), key, parse_json(data), channel, customer_id, actor))


@case_group.command("show")
@click.argument("reference")
@json_option
def show(reference: str, out: Output) -> None:
    """Status, data, open tasks and history of a case."""
    detail = casework.show_case(context(), reference)
    out.result(detail.to_dict(), lambda d: _case_text(d) + "\n" + "\n".join(
        f"  {e['at']}  {e['actor']}  {e['kind']}" for e in d["history"]))


@case_group.command("find")
@click.argument("text")
@click.option("--status", default=None, type=click.Choice([s.value for s in CaseStatus]), help="Only this status.")
@click.option("--service", default=None, help="Only cases of this process key.")
@click.option("--team", default=None, help="Only cases that have had a task with this team.")
@click.option("--user", "viewer", default=None,
              help="Find only the cases this person may see (default: every case).")
@click.option("--limit", default=50, type=click.IntRange(1, 500), help="At most this many, newest first.")
@json_option
def find(text: str, status: str | None, service: str | None, team: str | None, viewer: str | None, limit: int,
         out: Output) -> None:
    """Find cases by reference (CF-000123, cf000123, 123), customer name, phone, email, postcode or address."""
    wanted = casework.CaseSearch(text, CaseStatus(status) if status else None, service, team)
    found = casework.find_cases(context(), wanted, viewer, page_size=limit)
    rows = [{"reference": h.reference, "process": h.process, "status": h.status, "team": h.team,
             "customer": h.customer} for h in found.items]
    out.result(rows, lambda r: "\n".join(
        f"{c['reference']}  {c['status']:<9}  {c['process']}  [{c['team'] or ''}]  {c['customer'] or ''}"
        for c in r) or "no cases found")


@case_group.command("cancel")
@click.argument("reference")
@click.option("--reason", default="", help="Why the case is cancelled.")
@click.option("--user", "actor", default=None)
@json_option
def cancel(reference: str, reason: str, actor: str | None, out: Output) -> None:
    """Cancel an open case."""
    _finish(out, casework.cancel_case(context(), reference, actor, reason))


@case_group.command("retry")
@click.argument("reference")
@click.option("--user", "actor", default=None)
@json_option
def retry(reference: str, actor: str | None, out: Output) -> None:
    """Run a failed case's failed step again."""
    _finish(out, casework.retry_case(context(), reference, actor))


@main.command("tasks")
@click.option("--team", default=None, help="Only this team's tasks.")
@click.option("--case", "reference", default=None, help="Only this case's tasks.")
@click.option("--assignee", default=None, help="Only tasks assigned to this user.")
@json_option
def list_tasks(team: str | None, reference: str | None, assignee: str | None, out: Output) -> None:
    """Open tasks."""
    rows = [{k: v for k, v in t.to_dict().items()
             if k in ("id", "case", "name", "team", "assignee", "created_at", "due_at", "bpmn_id")}
            for t in casework.list_tasks(context(), team, reference, assignee)]
    out.result(rows, lambda r: "\n".join(
        f"{t['id']:>6}  {t['case']}  {t['name']}  [{t['team']}]  {t['assignee'] or ''}" for t in r) or "no open tasks")


@main.group("task")
def task_group() -> None:
    """Claim, assign and complete tasks."""


@task_group.command("claim")
@click.argument("task_id", type=int)
@click.option("--user", "user", required=True, help="Email of the person claiming the task.")
@json_option
def claim(task_id: int, user: str, out: Output) -> None:
    view = casework.claim_task(context(), task_id, user)
    out.result(view.to_dict(), f"Task {task_id} claimed by {user}")


@task_group.command("unclaim")
@click.argument("task_id", type=int)
@click.option("--user", "user", default=None)
@json_option
def unclaim(task_id: int, user: str | None, out: Output) -> None:
    view = casework.unclaim_task(context(), task_id, user)
    out.result(view.to_dict(), f"Task {task_id} returned to {view.team}")


@task_group.command("assign")
@click.argument("task_id", type=int)
@click.argument("assignee")
@click.option("--user", "user", default=None, help="Who is assigning.")
@json_option
def assign(task_id: int, assignee: str, user: str | None, out: Output) -> None:
    view = casework.assign_task(context(), task_id, assignee, actor=user)
    out.result(view.to_dict(), f"Task {task_id} assigned to {assignee}")


@task_group.command("complete")
@click.argument("task_id", type=int)
@click.option("--data", default=None, help="The form answers as a JSON object.")
@click.option("--user", "user", default=None, help="Email of the person completing the task.")
@json_option
def complete(task_id: int, data: str | None, user: str | None, out: Output) -> None:
    """Complete a task; prints the case as `case start` does."""
    _finish(out, casework.complete_task(context(), task_id, parse_json(data), user))
