"""Tables. The workflow state is a document (``case_state``); everything people query is a
projection (``case``, ``task``, ``event``) rewritten in the same transaction as the state."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base as Base, UTCDateTime as UTCDateTime  # re-exported (UTCDateTime: named by migration 0003)


class Team(Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class LaneMapping(Base):
    """Maps a BPMN lane name or candidate group to the team that works its tasks."""

    __tablename__ = "lane_mapping"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # Unused since migration 0003 (guesses are counted in sign_in_guard, for unknown addresses too);
    # kept because dropping them means rebuilding app_user on SQLite under its foreign keys.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Stored in each session at sign-in and compared on every request: adding one ends every session
    # (sign-out, new password, new roles, deactivation; engine/people/users.py end_sessions).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")


class SignInGuard(Base):
    """Password guesses per lane (an account, a network address, a known device): engine/people/lockout.py."""

    __tablename__ = "sign_in_guard"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int]
    lock_outs: Mapped[int]
    locked_until: Mapped[datetime | None]
    forget_at: Mapped[datetime] = mapped_column(index=True)


class Membership(Base):
    __tablename__ = "membership"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)


class Process(Base):
    __tablename__ = "process"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    latest_version: Mapped[int]
    description: Mapped[str | None] = mapped_column(Text)  # the latest version's process documentation


class ProcessVersion(Base):
    """One deployed version of a process; its spec is stored here once, not in every case."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(ForeignKey("process.key"))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    dialect: Mapped[str] = mapped_column(String(20))
    spec: Mapped[dict[str, Any]] = mapped_column(deferred=True)  # large: loaded only when parsed
    files: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    user_tasks: Mapped[dict[str, Any]]
    service_tasks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    deployed_by: Mapped[str] = mapped_column(String(320))
    deployed_at: Mapped[datetime]


class Case(Base):
    __tablename__ = "case"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]  # the case-level SLA's due instant (mirrors its sla_clock row)
    sla_state: Mapped[str | None] = mapped_column(String(20))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The directory service the contact was about (its entry's key; a mapped process's own key when it
    # has no entry), and its sensitivity when the case started (types.Sensitivity): see migration 0012.
    service_key: Mapped[str | None] = mapped_column(String(200), index=True)
    sensitivity: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")
    personal_data_removed_at: Mapped[datetime | None]  # retention anonymised it (engine/governance/retention.py)

    version: Mapped[ProcessVersion] = relationship(lazy="select")
    __mapper_args__ = {"version_id_col": lock_version}


class CaseState(Base):
    """The serialized SpiffWorkflow state of a case, kept apart so case queries never load it."""

    __tablename__ = "case_state"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    serializer_version: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(Text)


class Task(Base):
    """Projection of one READY user task (and its history once finished)."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_inbox", "team_id", "status", "created_at"),
        Index("ix_task_all_teams", "status", "created_at", "id"),  # admins' inbox, in order (migration 0004)
        Index("ix_task_assignee", "assignee_id", "status", "team_id"),  # also each team's unassigned count
        Index("ix_task_case", "case_id", "status"),
        Index("ix_task_team_due", "team_id", "status", "due_at", "id"),  # id: undated tasks in order on PostgreSQL
        Index("ix_task_process_status", "process_key", "status", "created_at"),  # bottlenecks (migration 0028)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    spiff_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    process_key: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    form: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]  # mirrors the task's sla_clock row, for sorting inboxes
    sla_state: Mapped[str | None] = mapped_column(String(20))
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(320))

    team: Mapped[Team | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined")


class Event(Base):
    """Append-only history of everything that happened to a case."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Artifact(Base):
    """A form or DMN file as last deployed, so later uploads may refer to it by name."""

    __tablename__ = "artifact"
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    provides: Mapped[list[Any]] = mapped_column(default=list)
    deployed_by: Mapped[str] = mapped_column(String(320))
    deployed_at: Mapped[datetime]


class Timer(Base):
    """A waiting BPMN timer and when it is due: the worker wakes only cases listed here as due."""

    __tablename__ = "timer"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    spiff_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(index=True)


class ApiToken(Base):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    scope: Mapped[str | None] = mapped_column(String(20))  # engine.types.TokenScope; None: the whole API


class WorkCalendar(Base):
    """The council's working week, hours, time zone and nation. One row, ``default``, for now;
    bank holidays come from GOV.UK's bundled data, closure days from ``closure_day``."""

    __tablename__ = "work_calendar"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    nation: Mapped[str] = mapped_column(String(30))
    time_zone: Mapped[str] = mapped_column(String(60))
    day_start: Mapped[str] = mapped_column(String(5))  # local "HH:MM"
    day_end: Mapped[str] = mapped_column(String(5))
    weekdays: Mapped[list[Any]]  # 0 = Monday
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class ClosureDay(Base):
    """A day the council is closed besides bank holidays (e.g. between Christmas and New Year)."""

    __tablename__ = "closure_day"
    __table_args__ = (UniqueConstraint("day", "nation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    nation: Mapped[str | None] = mapped_column(String(30))  # None: whatever the council's nation
    label: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]


class SlaPolicy(Base):
    """An admin's promise for a process (``task_bpmn_id`` empty: the whole case) or one of its
    tasks: how long (perhaps depending on the case's data), when to warn, and what to do on warning
    and on breach."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("process_key", "task_bpmn_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    task_bpmn_id: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]
    warn_at_percent: Mapped[int | None]
    escalations: Mapped[list[Any]] = mapped_column(default=list)
    # Conditional targets, ``{"when": condition, "amount": n}`` in order; ``amount`` is the default.
    rules: Mapped[list[Any]] = mapped_column(default=list)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class SlaClock(Base):
    """One running (or finished) SLA clock of a case or task. ``terms`` is the policy as it was when
    the clock started, so editing a policy never moves a running clock unless an admin recalculates.
    ``next_check_at`` is the next instant the sweep must look at it (warning, then breach; NULL when
    paused or stopped): the sweep reads only rows whose instant has come."""

    __tablename__ = "sla_clock"
    __table_args__ = (Index("ix_sla_clock_next_check", "next_check_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id"))
    terms: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    warn_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)  # working time spent paused, in seconds
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]


class Notification(Base):
    """An in-app notification; ``sent_at`` is set once an external sender (Notify) delivered it."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user", "user_id", "read_at"),
                      Index("ix_notification_unsent", "sent_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class InboundMessage(Base):
    """Every BPMN message sent to a case, delivered or refused, so none is ever lost."""

    __tablename__ = "inbound_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(320))
    received_at: Mapped[datetime]


class OutboxCall(Base):
    """One adapter call, written with what asked for it: a service task's case state (kind
    ``service_task``) or a document staff attached (kind ``document_filing``).

    The worker leases due rows (SKIP LOCKED), calls the adapter with ``idempotency_key`` outside
    any case lock, then finishes the service task; a crash mid-call leaves the lease to expire and
    the next attempt looks the record up by the same key before sending again."""

    __tablename__ = "outbox_call"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    spiff_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result_variable: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # Set when the call files a document staff attached to the case (no service task waits on it).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_document.id"))
    # engine.types.CallKind: the one handler that sends it and deals with its outcome (engine.outbox.outbox).
    # The server default only filled the rows older than migration 0005; new rows always name it.
    kind: Mapped[str] = mapped_column(String(40), server_default="service_task")
    # External tasks (kind ``external_task``): ``operation`` is the topic, ``leased_until`` the lock of
    # ``worker_id``, ``retries`` what the worker said is left after its last failure.
    worker_id: Mapped[str | None] = mapped_column(String(200))
    retries: Mapped[int | None]


class Incident(Base):
    """A hand-off that needs a person: retries ran out, or the back office refused the record."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_call.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(320))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class PollCursor(Base):
    """Up to when an adapter's status updates (e.g. Open311) have been read."""

    __tablename__ = "poll_cursor"
    adapter: Mapped[str] = mapped_column(String(100), primary_key=True)
    since: Mapped[datetime]


# Case files (notes, documents, hand-back questions) live in their own module; imported here so
# every table is known to the metadata and importable from one place.
from .casefiles import CaseContact as CaseContact, Document as Document, Note as Note, Question as Question  # noqa: E402,E501  (re-exported)
from .customers import Customer as Customer, CustomerWord as CustomerWord  # noqa: E402  (re-exported)
from .search_words import SearchSynonym as SearchSynonym, ServiceKeywords as ServiceKeywords  # noqa: E402,I001  (re-exported)
from .directory import CaseAccessGrant as CaseAccessGrant, DirectoryEntry as DirectoryEntry, Partner as Partner  # noqa: E402,I001,E501  (re-exported)
from .addresses import GazetteerAddress as GazetteerAddress  # noqa: E402  (re-exported)
from .mail import Email as Email, EmailAttachment as EmailAttachment, EmailReply as EmailReply, Mailbox as Mailbox  # noqa: E402,I001,E501  (re-exported)
from .councillors import CouncillorProfile as CouncillorProfile, MemberEnquiry as MemberEnquiry  # noqa: E402,I001  (re-exported)
from .publishing import CaseStartKey as CaseStartKey, PublishedService as PublishedService  # noqa: E402,I001  (re-exported)
from .open311 import Open311Rate as Open311Rate, Open311Reporter as Open311Reporter, Open311Request as Open311Request, Open311Update as Open311Update, PartnerKey as PartnerKey  # noqa: E402,I001,E501  (re-exported)
from .operations import WorkerHeartbeat as WorkerHeartbeat  # noqa: E402  (re-exported)
from .governance import AuditEntry as AuditEntry, RetentionRule as RetentionRule  # noqa: E402  (re-exported)
from .appointments import Appointment as Appointment, AppointmentDesk as AppointmentDesk, AppointmentLocation as AppointmentLocation, AppointmentType as AppointmentType  # noqa: E402,I001,E501  (re-exported)
from .mi import MiCase as MiCase, MiCount as MiCount, MiDay as MiDay, MiHour as MiHour  # noqa: E402  (re-exported)

# Open work for MI (engine/mi/mi_open.py): channel or service, then start: oldest first (migrations 0026, 0032).
Index("ix_case_status_created", Case.status, Case.created_at)
Index("ix_case_status_sla", Case.status, Case.sla_state, Case.channel, Case.service_key)
Index("ix_case_open_channel", Case.status, Case.channel, Case.created_at, Case.id, Case.sla_state, Case.service_key)
Index("ix_case_open_service", Case.status, Case.service_key, Case.created_at, Case.id, Case.sla_state)
Index("ix_task_status_sla", Task.status, Task.sla_state, Task.team_id, Task.case_id)
from .data_stores import DataStore as DataStore, DataStoreEntry as DataStoreEntry  # noqa: E402  (re-exported)
