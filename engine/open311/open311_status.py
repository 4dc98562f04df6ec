"""Where partners' Open311 requests stand: the spec's GET requests (one, several, or by code, dates
and status) and FixMyStreet's ``servicerequestupdates`` (the changes since a time).

Read from ``open311_request`` joined to the case and its tasks (indexed; never case JSON). Open311
knows two statuses: a case that is open or failed is ``open``, a completed or cancelled one
``closed``; ``status_notes`` and an update's description are the words residents tracking the case
read (the map's ``publicStatus`` and ``publicOutcome``, ``engine.residents.tracking``). ``agency_responsible`` is the team of the case's latest outstanding task (when none is
outstanding, of its latest task); ``expected_datetime`` is the case's SLA due date. Only requests that
came in over Open311 are listed, and only what the partner sent (never the reporter's details nor
anything staff wrote).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import NotFound, UserError
from ..persistence.tables import Case, Event, Open311Request, Task, Team
from ..residents import tracking
from ..residents.public_maps import public_map
from ..types import CaseStatus, EventKind
from . import open311_services

MAX_SPAN = timedelta(days=90)  # the spec's default window, and the widest we answer
MAX_RESULTS = 1000
CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
UPDATE_KINDS = (EventKind.TASK_CREATED, EventKind.CASE_COMPLETED, EventKind.CASE_CANCELLED)


class RequestNotFound(NotFound):
    """No request made over Open311 has that id."""


@dataclass(frozen=True)
class RequestStatus:
    service_request_id: str
    status: str  # open / closed
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    lat: float | None
    long: float | None
    media_url: str | None


@dataclass(frozen=True)
class RequestUpdate:
    """One change FixMyStreet shows on its report (``servicerequestupdates``)."""

    update_id: str
    service_request_id: str
    status: str  # FixMyStreet's: in_progress, closed
    updated_datetime: datetime
    description: str


@dataclass(frozen=True)
class Filters:
    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def open311_status(case_status: str) -> str:
    return "closed" if case_status in CLOSED else "open"


def notice(due_at: datetime | None) -> str:
    return f"We aim to deal with this by {due_at:%d %B %Y}" if due_at is not None else ""


def _teams(session: Session, case_ids: list[int]) -> dict[int, str]:
    """Each case's responsible team: its latest outstanding task's, else its latest task's."""
    found: dict[int, tuple[bool, int, str]] = {}
    rows = session.execute(select(Task.case_id, Task.id, Task.status, Team.name).join(Team, Team.id == Task.team_id)
                           .where(Task.case_id.in_(case_ids)))
    for case_id, task_id, status, team in rows:
        rank = (status in ("open", "handed_back"), task_id, team)
        if case_id not in found or rank[:2] > found[case_id][:2]:
            found[case_id] = rank
    return {case_id: rank[2] for case_id, rank in found.items()}


def _window(filters: Filters, now: datetime) -> tuple[datetime, datetime]:
    end = filters.end or (filters.start + MAX_SPAN if filters.start else now)
    start = filters.start or end - MAX_SPAN
    if start > end:
        raise UserError("start_date must be before end_date")
    if end - start > MAX_SPAN:
        raise UserError("start_date and end_date may be at most 90 days apart")
    return start, end


def _query(ctx: Context, filters: Filters) -> Select[Open311Request, Case]:
    query = select(Open311Request, Case).join(Case, Case.id == Open311Request.case_id)
    if filters.service_request_ids:  # the spec: this overrides every other filter
        return query.where(Case.reference.in_(filters.service_request_ids))
    start, end = _window(filters, ctx.clock.now())
    query = query.where(Open311Request.requested_at >= start, Open311Request.requested_at <= end)
    if filters.service_codes:
        query = query.where(Open311Request.service_code.in_(filters.service_codes))
    if filters.statuses:
        wanted = set(filters.statuses)
        if wanted == {"open"}:
            query = query.where(Case.status.not_in(CLOSED))
        elif wanted == {"closed"}:
            query = query.where(Case.status.in_(CLOSED))
    return query.order_by(Open311Request.requested_at.desc(), Open311Request.case_id.desc()).limit(MAX_RESULTS)


def requests(ctx: Context, filters: Filters) -> list[RequestStatus]:
    """Requests made over Open311, newest first (at most MAX_RESULTS)."""
    for status in filters.statuses:
        if status not in ("open", "closed"):
            raise UserError(f"status must be open or closed, not '{status}'")
    names = {s.code: s.name for s in open311_services.services(ctx)}
    with ctx.db.transaction(readonly=True) as session:
        rows = list(session.execute(_query(ctx, filters)))
        case_ids = [case.id for _, case in rows]
        teams = _teams(session, case_ids)
        tasks: dict[int, list[Task]] = {}
        for task in session.scalars(select(Task).where(Task.case_id.in_(case_ids)).order_by(Task.created_at, Task.id)):
            tasks.setdefault(task.case_id, []).append(task)
        return [_status(request, case, teams.get(case.id), tasks.get(case.id, []), names) for request, case in rows]


def request(ctx: Context, service_request_id: str) -> RequestStatus:
    found = requests(ctx, Filters(service_request_ids=(service_request_id,)))
    if not found:
        raise RequestNotFound(f"There is no service request '{service_request_id}'")
    return found[0]


def _status(request: Open311Request, case: Case, team: str | None, tasks: list[Task],
            names: dict[str, str]) -> RequestStatus:
    """The request as Open311 shows it; ``status_notes`` are the residents' tracking words (the map's
    ``publicStatus`` and ``publicOutcome``, ``engine.residents.tracking``), never a task's or a note's."""
    status = open311_status(case.status)
    return RequestStatus(case.reference or "", status, tracking.public_status(case, tasks, public_map(case.version)),
                         names.get(request.service_code, request.service_code), request.service_code,
                         request.description, team, notice(case.due_at), request.requested_at,
                         case.updated_at, case.due_at, request.address, request.lat, request.long, request.media_url)


def updates(ctx: Context, partner_id: int, start: datetime | None, end: datetime | None) -> list[RequestUpdate]:
    """The changes to this partner's requests in the window (default and widest: 90 days), oldest
    first, in the map's public words (``engine.residents.tracking``): each task that begins a new public status
    (``publicStatus``; tasks without one are no news to the public), and each close with its outcome's
    wording. The intake task the request itself answered is left out."""
    start, end = _window(Filters(start=start, end=end), ctx.clock.now())
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(
            select(Event.id, Event.kind, Event.at, Case, Task.bpmn_id)
            .join(Open311Request, Open311Request.case_id == Event.case_id)
            .join(Case, Case.id == Event.case_id)
            .outerjoin(Task, Task.id == Event.task_id)
            .where(Open311Request.partner_id == partner_id, Event.kind.in_(UPDATE_KINDS),
                   Event.at >= start, Event.at <= end,
                   # the intake task the request itself answered is no news to the partner
                   or_(Task.completed_by.is_(None), Task.completed_by != Case.created_by))
            .order_by(Event.at, Event.id).limit(MAX_RESULTS))
        found: list[RequestUpdate] = []
        said: dict[int, str] = {}  # what each case's last update said
        for event_id, kind, at, case, bpmn_id in rows:
            face = public_map(case.version)
            words = (face.statuses.get(bpmn_id or "") if kind == EventKind.TASK_CREATED
                     else tracking.closed_wording(case, face) if kind == EventKind.CASE_COMPLETED else tracking.CLOSED)
            if not words or said.get(case.id) == words:
                continue
            said[case.id] = words
            found.append(RequestUpdate(str(event_id), case.reference or "",
                                       "in_progress" if kind == EventKind.TASK_CREATED else "closed", at, words))
        return found
