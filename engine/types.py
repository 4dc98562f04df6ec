"""Statuses, channels, roles and event kinds: defined once here and imported everywhere."""
from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    FACE_TO_FACE = "face-to-face"
    EMAIL = "email"
    WEB = "web"
    COUNCILLOR = "councillor"
    PARTNER = "partner"


class PublishChannel(StrEnum):
    """Where a deployed process is offered outside the council's offices (``engine.residents.publishing``)."""

    WEB = "web"  # residents, on the public pages without signing in
    COUNCILLOR = "councillor"  # councillors reporting for residents
    OPEN311 = "open311"  # partners' systems, through the Open311 API


class ContactKind(StrEnum):
    """Why a customer got in touch again about a case they already have (counted by the MI work)."""

    CHASING = "chasing"  # chasing progress
    ADDING_INFORMATION = "adding_information"
    NOT_UNDERSTOOD = "not_understood"  # did not understand something we told them
    COMPLAINT_ABOUT_HANDLING = "complaint_about_handling"
    OTHER = "other"


class DirectoryAction(StrEnum):
    """What the front office does for a service in the directory."""

    START = "start"  # start its mapped process
    RESOLVE = "resolve"  # give the information or advice and record the contact as resolved
    HAND_OFF = "hand_off"  # a short generic form to the team that owns it
    REFER = "refer"  # pass the details to the partner organisation that runs it


class Outcome(StrEnum):
    """How a front-office contact about a directory service ended (case data ``outcome``, which MI
    counts): the first two are first-contact resolution."""

    RESOLVED_FIRST_CONTACT = "resolved_first_contact"  # information or advice given there and then
    SIGNPOSTED = "signposted"  # told where to go: another organisation, a website
    HANDED_OFF = "handed_off"  # passed to the council team that delivers the service
    REFERRED = "referred"  # the details sent to the partner organisation that runs it


class Sensitivity(StrEnum):
    NORMAL = "normal"
    RESTRICTED = "restricted"  # cases seen only by the owning team and named roles (safeguarding, care)


class CaseStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    HANDED_BACK = "handed_back"  # waiting for the front office to answer a question


class Role(StrEnum):
    ANALYST = "analyst"
    FRONT_OFFICE = "front_office"
    BACK_OFFICE = "back_office"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    COUNCILLOR = "councillor"  # an elected member: raises and follows their own enquiries (webui/councillor.py)


class Dialect(StrEnum):
    SPIFF = "spiff"
    CAMUNDA = "camunda"  # Camunda 7
    ZEEBE = "zeebe"  # Camunda 8: parsed as Camunda 7 once engine.bpmn.zeebe has rewritten its FEEL

    @property
    def label(self) -> str:
        return {"spiff": "SpiffArena", "camunda": "Camunda 7", "zeebe": "Camunda 8"}[self.value]


class EventKind(StrEnum):
    CASE_STARTED = "case_started"
    TASK_CREATED = "task_created"
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TASK_ASSIGNED = "task_assigned"
    TASK_COMPLETED = "task_completed"
    TASK_CANCELLED = "task_cancelled"
    STEP_FAILED = "step_failed"
    CASE_RETRIED = "case_retried"
    CASE_COMPLETED = "case_completed"
    CASE_CANCELLED = "case_cancelled"
    PROCESS_DEPLOYED = "process_deployed"
    SLA_POLICY_SET = "sla_policy_set"
    SLA_STARTED = "sla_started"
    SLA_PAUSED = "sla_paused"
    SLA_RESUMED = "sla_resumed"
    SLA_RECALCULATED = "sla_recalculated"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    ESCALATED = "escalated"
    MESSAGE_DELIVERED = "message_delivered"
    MESSAGE_REFUSED = "message_refused"
    CALENDAR_CHANGED = "calendar_changed"
    CALL_QUEUED = "call_queued"
    CALL_SUCCEEDED = "call_succeeded"
    CALL_REJECTED = "call_rejected"
    CALL_FAILED = "call_failed"  # an external task's worker reported a failure (engine.outbox.external_tasks)
    INCIDENT_RAISED = "incident_raised"
    INCIDENT_RETRIED = "incident_retried"
    INCIDENT_SKIPPED = "incident_skipped"
    DELIVERY_STATUS = "delivery_status"
    TASK_HANDED_BACK = "task_handed_back"
    QUESTION_ANSWERED = "question_answered"
    NOTE_ADDED = "note_added"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_FILED = "document_filed"
    TASK_MOVED = "task_moved"  # an admin sent a lane's open tasks to another team
    CONTACT_LOGGED = "contact_logged"  # the customer got in touch again about an existing case
    RESTRICTED_CASE_OPENED = "restricted_case_opened"  # someone outside its teams opened it, with a reason
    CONTACT_OUTCOME = "contact_outcome"  # how a front-office contact about a directory service ended
    EMAIL_RECEIVED = "email_received"  # an email from a mailbox joined the case (engine.email.email_triage)
    EMAIL_REPLY_WRITTEN = "email_reply_written"  # a reply to the customer's email, queued (engine.email.email_replies)
    EMAIL_REPLY_SENT = "email_reply_sent"
    EMAIL_REPLY_FAILED = "email_reply_failed"  # the mail server refused it, or kept failing
    APPOINTMENT_BOOKED = "appointment_booked"  # engine.appointments: the case's appointment and its changes
    APPOINTMENT_REBOOKED = "appointment_rebooked"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_ARRIVED = "appointment_arrived"
    APPOINTMENT_CALLED = "appointment_called"
    APPOINTMENT_FINISHED = "appointment_finished"
    APPOINTMENT_NO_SHOW = "appointment_no_show"
    APPOINTMENT_REMINDED = "appointment_reminded"
    APPOINTMENTS_CHANGED = "appointments_changed"  # an admin changed types, locations or desks (no case)


class Nation(StrEnum):
    """The UK bank-holiday divisions, spelt as GOV.UK's bank-holidays data spells them."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


class SlaUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"  # the task or case was finished before it was breached
    STOPPED = "stopped"  # cancelled (or interrupted) before it was breached: neither met nor broken


class SlaTrigger(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class EscalationAction(StrEnum):
    NOTIFY_TEAM_LEAD = "notify-team-lead"
    REASSIGN = "reassign"
    MESSAGE = "message"


class MessageStatus(StrEnum):
    DELIVERED = "delivered"
    REFUSED = "refused"


class CallKind(StrEnum):
    """What an outbox call is for. Each kind has one handler (``engine.outbox.outbox.HANDLERS``) that says
    what is sent and what success, final failure, and an admin's retry or skip do."""

    SERVICE_TASK = "service_task"  # a parked service task waits for the result
    DOCUMENT_FILING = "document_filing"  # a document staff attached, filed into the EDRMS; no task waits
    RESIDENT_UPDATE = "resident_update"  # a message to a resident at a public milestone; nothing waits
    EXTERNAL_TASK = "external_task"  # a parked service task fetched and finished by an outside worker (by topic)
    APPOINTMENT_REMINDER = "appointment_reminder"  # a Notify message about an appointment; no task waits


class TokenScope(StrEnum):
    """What an API token may do beyond its user's roles: no scope is the whole API; ``worker`` is
    the external-task endpoints alone (an integrator's back-office connector)."""

    WORKER = "worker"


class CallStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"  # leased by a worker until ``leased_until``
    DONE = "done"
    FAILED = "failed"  # retries are over, or the back office refused it: an incident is open


class IncidentStatus(StrEnum):
    OPEN = "open"
    RETRIED = "retried"
    SKIPPED = "skipped"


class DocumentStatus(StrEnum):
    """Where a case document is in its filing into the EDRMS."""

    PENDING = "pending"
    FILED = "filed"
    FAILED = "failed"
    NOT_FILED = "not_filed"  # no EDRMS configured, or an admin gave up on filing it


class EmailStatus(StrEnum):
    """Where an email taken from a mailbox is in triage (engine.email.email_triage)."""

    NEW = "new"  # taken from the mailbox, not yet matched
    OPEN = "open"  # in the triage team's inbox
    IGNORED = "ignored"  # an auto-reply or a mail loop: kept, never answered
    RESOLVED = "resolved"  # answered there and then
    LINKED = "linked"  # logged as a repeat contact on an existing case
    STARTED = "started"  # a case was started from it


MAILBOX_CHANNELS = (Channel.EMAIL, Channel.COUNCILLOR)  # what a mailbox may stand for


class AuditKind(StrEnum):
    """An admin or security event in the audit trail (engine/governance/audit.py)."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SSO_SIGN_IN = "sso_sign_in"
    SSO_SIGN_IN_FAILED = "sso_sign_in_failed"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"  # name, roles or teams
    USER_ACTIVATED = "user_activated"
    USER_DEACTIVATED = "user_deactivated"
    PASSWORD_SET = "password_set"
    TEAM_CREATED = "team_created"
    TEAM_RENAMED = "team_renamed"
    LANE_MAPPED = "lane_mapped"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    SLA_POLICY_SET = "sla_policy_set"
    SLA_POLICY_REMOVED = "sla_policy_removed"
    CALENDAR_CHANGED = "calendar_changed"
    PROCESS_DEPLOYED = "process_deployed"
    INCIDENT_RETRIED = "incident_retried"
    INCIDENT_SKIPPED = "incident_skipped"
    DATA_EXPORTED = "data_exported"  # the audit trail itself, or a subject-access archive
    RETENTION_SET = "retention_set"
    RETENTION_APPLIED = "retention_applied"
    CUSTOMER_ERASED = "customer_erased"


class RetentionAction(StrEnum):
    """What happens to a closed case's personal data once its process's retention period has passed."""

    ANONYMISE = "anonymise"  # personal data removed, the case and its figures kept
    DELETE = "delete"  # the case and everything attached to it removed


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"  # checked in at the hub: waiting to be called
    IN_PROGRESS = "in_progress"  # called by the officer
    FINISHED = "finished"
    NO_SHOW = "no_show"  # not checked in within the type's grace period (the worker marks it)
    CANCELLED = "cancelled"


# BPMN messages an appointment sends to its case (engine.appointments).
APPOINTMENT_ATTENDED, APPOINTMENT_NO_SHOW, APPOINTMENT_CANCELLED = (
    "appointment_attended", "appointment_no_show", "appointment_cancelled")
