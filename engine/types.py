"""Statuses, channels, roles and event kinds: defined once here and imported everywhere."""
from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    FACE_TO_FACE = "face-to-face"
    EMAIL = "email"
    WEB = "web"
    COUNCILLOR = "councillor"
    PARTNER = "partner"


class CaseStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    ANALYST = "analyst"
    FRONT_OFFICE = "front_office"
    BACK_OFFICE = "back_office"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"


class Dialect(StrEnum):
    SPIFF = "spiff"
    CAMUNDA = "camunda"


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
