"""The councillors' door into the member-enquiry map (processes/member_enquiry.bpmn): a member raises
an enquiry for a constituent (or Member Services raise it for them after a phone call or an email),
follows their enquiries, and adds information to an open one.

Each enquiry is a ``member_enquiry`` case with channel ``councillor`` whose customer is the member
(the map's Member Services lane treats the councillor as its customer). The ``member_enquiry`` row
links it to the member and the ward, so listing is an indexed query. A member sees the enquiries
raised for them, and, when an admin has given them a ward and turned on ward visibility, those for
that ward; any other reference is answered as one that does not exist. Only the member an enquiry is
for may add information to it; that goes through the case writer as a repeat contact
(channel ``councillor``, kind ``adding_information``), and the teams working it are told.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..bpmn import forms, registry
from ..casework import contacts, writer
from ..casework.views import iso
from ..context import Context
from ..errors import CaseNotFound, CaseNotOpen, Forbidden, FormInvalid
from ..people import notifications, users
from ..persistence.tables import Case, CouncillorProfile, Event, LaneMapping, MemberEnquiry, Task, Team, User
from ..types import CaseStatus, Channel, ContactKind
from . import councillors, enquiry_answers
from .enquiry_timeline import TimelineEntry, timeline

PROCESS = enquiry_answers.PROCESS
DETAILS_FORM = "member-enquiry-details-schema.json"  # the map's first form: the councillor's fields are its own
MEMBER_SERVICES = "Member Services"  # the map's lane (and default team) that logs and answers enquiries
FIELDS = ("ward", "enquiry_type", "resident_name", "resident_address", "resident_consent", "enquiry_summary",
          "priority")
REQUIRED = ("ward", "enquiry_type", "enquiry_summary", "priority")
RECEIVED_BY = {"phone": "Phone", "email": "Email"}  # how a member reached Member Services
MAX_INFORMATION = contacts.MAX_TEXT
MORE_INFORMATION_TASK = "get_more_information"
LIST_LIMIT = 200


@dataclass(frozen=True)
class EnquirySummary:
    reference: str
    summary: str
    status: str
    ward: str | None
    councillor: str
    mine: bool
    raised_at: str | None
    due_at: str | None
    answered_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EnquiryDetail:
    enquiry: EnquirySummary
    details: dict[str, Any]  # the fields the member gave (FIELDS), as raised
    answer: str | None
    may_add_information: bool
    history: list[TimelineEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.enquiry.to_dict(), "details": self.details, "answer": self.answer,
                "may_add_information": self.may_add_information, "history": [h.to_dict() for h in self.history]}


# -- raising --------------------------------------------------------------------------------------

def _details_schema(session: Session) -> tuple[dict[str, Any], Any]:
    """The map's current details form cut down to the member's fields, with their own required list,
    and the version's files (for its references): one form, one set of messages, for staff and members."""
    version = registry.get_version(session, PROCESS)
    schema = forms.load_schema(version.files[DETAILS_FORM], version.files.get, DETAILS_FORM)
    cut = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k in FIELDS},
           "required": list(REQUIRED)}
    return cut, version.files.get


def _cleaned(session: Session, answers: dict[str, Any]) -> dict[str, Any]:
    data = {name: str(answers.get(name) or "").strip() for name in FIELDS}
    data = {name: value for name, value in data.items() if value}
    schema, library = _details_schema(session)
    errors = forms.errors_for(schema, data, library)
    if errors:
        raise FormInvalid(errors)
    return data


def _may_raise_for_others(session: Session, user: User) -> bool:
    """Member Services staff (members of the team that works the map's Member Services lane) and admins."""
    if users.has_role(user):  # admins
        return True
    team_id = session.scalar(select(LaneMapping.team_id).where(LaneMapping.source == MEMBER_SERVICES))
    if team_id is None:
        team_id = session.scalar(select(Team.id).where(Team.name == MEMBER_SERVICES))
    return team_id is not None and team_id in users.team_ids(session, user)


def may_raise_for_members(ctx: Context, email: str) -> bool:
    with ctx.db.transaction(readonly=True) as session:
        return _may_raise_for_others(session, users.get_user(session, email))


def raise_enquiry(ctx: Context, councillor_email: str, answers: dict[str, Any], actor: str,
                  received_by: str | None = None) -> str:
    """Start a member enquiry for the councillor; ``actor`` is the councillor, or Member Services staff
    raising it for them (then ``received_by`` says how the member got in touch). Its reference."""
    with ctx.db.transaction(readonly=True) as session:
        member, profile = councillors.get_councillor(session, councillor_email)
        who = users.get_user(session, actor)
        if who.id != member.id:
            if not _may_raise_for_others(session, who):
                raise Forbidden(f"Only {MEMBER_SERVICES} staff may raise an enquiry for a councillor")
            if received_by not in RECEIVED_BY:
                raise FormInvalid({"received_by": "Select how the councillor got in touch"})
        data = _cleaned(session, answers)
    data.update(customer_name=member.name, customer_email=member.email, councillor_name=member.name)
    if who.id != member.id:
        data["received_by"] = received_by
    with writer.new_case(ctx, PROCESS, data, Channel.COUNCILLOR, actor=who.email) as w:
        w.step(ctx.runtime.advance)
        w.save()
        w.session.add(MemberEnquiry(case_id=w.case.id, councillor_id=member.id, ward=data.get("ward"),
                                    raised_by=who.email))
        return w.case.reference or ""


# -- following ------------------------------------------------------------------------------------

def _visible_to(session: Session, member: User) -> Any:
    """The condition on MemberEnquiry rows this member may see."""
    profile = session.get(CouncillorProfile, member.id)
    own = MemberEnquiry.councillor_id == member.id
    if profile is None or not profile.ward_visible or not profile.ward:
        return own
    return or_(own, func.lower(MemberEnquiry.ward) == profile.ward.lower())


def _status(case: Case, open_tasks: list[Task]) -> str:
    if enquiry_answers.is_answered(case):
        return "Answered"
    if case.status == CaseStatus.CANCELLED:
        return "Closed"
    if any(t.bpmn_id == MORE_INFORMATION_TASK for t in open_tasks):
        return "More information needed"
    if len(open_tasks) == 1 and open_tasks[0].bpmn_id == "log_member_enquiry":
        return "Received"
    return "In progress"  # a failed step is the council's to fix, not the member's to worry about


def _summary(case: Case, link: MemberEnquiry, owner: User, member: User, tasks: list[Task]) -> EnquirySummary:
    text = " ".join(str((case.data or {}).get("enquiry_summary") or "").split())
    return EnquirySummary(case.reference or "", text[:140] + ("…" if len(text) > 140 else ""), _status(case, tasks),
                          link.ward, owner.name, owner.id == member.id, iso(case.created_at), iso(case.due_at),
                          answered_at(case, link))


def answered_at(case: Case, link: MemberEnquiry) -> str | None:
    """When the member was told it was answered (the instant the answer was recorded)."""
    return iso(link.answered_notified_at or (case.completed_at if case.status == CaseStatus.COMPLETED else None))


def _open_tasks(session: Session, case_ids: list[int]) -> dict[int, list[Task]]:
    found: dict[int, list[Task]] = {i: [] for i in case_ids}
    if case_ids:
        for task in session.scalars(select(Task).where(Task.case_id.in_(case_ids),
                                                       Task.status.in_(writer.OUTSTANDING)).order_by(Task.id)):
            found[task.case_id].append(task)
    return found


def my_enquiries(ctx: Context, email: str) -> list[EnquirySummary]:
    """The member's enquiries (and their ward's, when allowed), newest first."""
    with ctx.db.transaction(readonly=True) as session:
        member = councillors.get_councillor(session, email)[0]
        rows = list(session.execute(
            select(Case, MemberEnquiry, User).join(MemberEnquiry, MemberEnquiry.case_id == Case.id)
            .join(User, User.id == MemberEnquiry.councillor_id).where(_visible_to(session, member))
            .order_by(Case.created_at.desc(), Case.id.desc()).limit(LIST_LIMIT)))
        tasks = _open_tasks(session, [case.id for case, _, _ in rows])
        return [_summary(case, link, owner, member, tasks[case.id]) for case, link, owner in rows]


def _visible_case(session: Session, member: User, reference: str) -> tuple[Case, MemberEnquiry, User]:
    found = session.execute(
        select(Case, MemberEnquiry, User).join(MemberEnquiry, MemberEnquiry.case_id == Case.id)
        .join(User, User.id == MemberEnquiry.councillor_id)
        .where(Case.reference == reference, _visible_to(session, member))).first()
    if found is None:  # someone else's enquiry reads exactly like a reference that does not exist
        raise CaseNotFound(f"There is no enquiry {reference}")
    return found[0], found[1], found[2]


def _open(case: Case) -> bool:
    return case.status in (CaseStatus.OPEN, CaseStatus.FAILED) and not enquiry_answers.is_answered(case)


def enquiry(ctx: Context, email: str, reference: str) -> EnquiryDetail:
    """One enquiry the member may see: what was asked, its status, due date, answer and history."""
    with ctx.db.transaction(readonly=True) as session:
        member = councillors.get_councillor(session, email)[0]
        case, link, owner = _visible_case(session, member, reference)
        events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))
        details = {name: (case.data or {}).get(name) for name in FIELDS if (case.data or {}).get(name)}
        summary = _summary(case, link, owner, member, _open_tasks(session, [case.id])[case.id])
        return EnquiryDetail(summary, details, enquiry_answers.answer_of(case.data),
                             summary.mine and _open(case),
                             timeline(events, owner.email))


def add_information(ctx: Context, email: str, reference: str, text: str) -> None:
    """The member adds information to their open enquiry: a repeat contact in the case's history, and
    a notification to the teams working it."""
    body = (text or "").strip()
    if not body:
        raise FormInvalid({"information": "Enter the information you want to add"})
    if len(body) > MAX_INFORMATION:
        raise FormInvalid({"information": f"The information must be {MAX_INFORMATION} characters or fewer "
                                          f"(it is {len(body)})"})
    with writer.open_case(ctx, reference=reference, actor=email) as w:
        assert w.user is not None
        member = councillors.get_councillor(w.session, w.user.email)[0]
        case, link, _ = _visible_case(w.session, member, reference)
        if link.councillor_id != member.id:
            raise Forbidden(f"Only the councillor enquiry {reference} is for can add information to it")
        if not _open(case):
            raise CaseNotOpen(f"Enquiry {reference} has been answered or closed: raise a new enquiry instead")
        contacts.record_contact(w, Channel.COUNCILLOR, ContactKind.ADDING_INFORMATION, body)
        teams = {t.team_id for t in w.open_tasks() if t.team_id is not None}
        notifications.notify(w.session, notifications.team_members(w.session, teams),
                             f"Cllr {member.name} added information to {reference}: {notifications.quoted(body)}",
                             w.now, w.case, actor=member)
