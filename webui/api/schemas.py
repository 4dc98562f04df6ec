"""JSON Schemas of the API's bodies, published in the OpenAPI document as ``components/schemas``.

Request schemas are also what the API validates bodies against (``payload.json_body``), so the
document cannot drift from what is enforced; they hold no ``$ref`` so they validate on their own.
Titles become the field names in error messages ("Enter process key").
"""
from __future__ import annotations

from typing import Any

from engine.casework import MAX_CONTACT_TEXT as MAX_CONTACT
from engine.catalogue import LIMITS as ENTRY_LIMITS, MAX_LGSL, PARTNER_LIMITS
from engine.catalogue import MAX_ROWS
from engine.types import (CaseStatus, Channel, ContactKind, DirectoryAction, DocumentStatus, Sensitivity, SlaState,
                          SlaUnit, TaskStatus)

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on every backend


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_TIME = _nullable("string", format="date-time")
_DATA = {"type": "object", "title": "Data", "description": "Answers keyed by field name.",
         "x-error-messages": {"type": "Data must be a JSON object"}}

MAX_SLA = {"working_days": 3650, "working_hours": 20000, "calendar_days": 3650}  # ten years, give or take


def _sla_amount(field: str, words: str) -> dict[str, Any]:
    return {"type": "integer", "title": words.capitalize(), "minimum": 1, "maximum": MAX_SLA[field],
            "description": f"The target in {words}; give exactly one of working_days, working_hours, calendar_days.",
            "x-error-messages": {"type": f"{words.capitalize()} must be a whole number"}}


def _text(title: str, most: int, nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "title": title, "maxLength": most, **extra}


def _words(title: str, most: int, description: str) -> dict[str, Any]:
    return {"type": "array", "title": title, "maxItems": 200, "description": description,
            "items": {"type": "string", "maxLength": most}}


# A directory entry as the API, the export and the import write it (``Entry.to_dict`` less who and when).
_ENTRY_FIELDS: dict[str, Any] = {
    "key": _text("Key", 100, description="Lower-case letters, digits and underscores; the address's key."),
    "name": _text("Name", ENTRY_LIMITS["name"]),
    "action": {"type": "string", "title": "Action", "enum": [a.value for a in DirectoryAction],
               "description": "start (its process), resolve, hand_off (to its team) or refer (to its partner)."},
    "synonyms": _words("Synonyms", 200, "Other words residents use; the service search finds the entry by them."),
    "lgsl": {"type": ["integer", "null"], "title": "LGSL id", "description": f"1 to {MAX_LGSL}."},
    "description": _text("Description", ENTRY_LIMITS["description"]),
    "public_info": _text("Public information", ENTRY_LIMITS["public_info"], description="Markdown."),
    "guidance": _text("Guidance", ENTRY_LIMITS["guidance"], description="The advisor's article (Markdown)."),
    "guidance_owner": _text("Guidance owner", ENTRY_LIMITS["guidance_owner"], True),
    "guidance_review_on": _text("Review date", 10, True, format="date",
                                description="YYYY-MM-DD; after it the guidance is flagged as out of date."),
    "process": _text("Process", 200, True, description="For start: the deployed process's key."),
    "team": _text("Team", ENTRY_LIMITS["team"], True, description="Who delivers it; created if new."),
    "partner": _text("Partner", 200, True, description="For refer: the partner's name."),
    "sensitivity": {"type": "string", "title": "Sensitivity", "enum": [s.value for s in Sensitivity]},
    "related": _words("Related services", 100, "Keys of related entries."),
}


def _shape(field: dict[str, Any]) -> dict[str, Any]:
    """A request field as an answer has it: its type and meaning, without the limits only a request must
    keep (an entry imported from CSV may hold a synonym longer than the API accepts)."""
    kept = {k: v for k, v in field.items() if k in ("type", "enum", "description")}
    return {**kept, "items": _TEXT} if field.get("type") == "array" else kept


_PARTNER_FIELDS: dict[str, Any] = {name: _text(name.capitalize(), most, True) for name, most in PARTNER_LIMITS.items()}
_PARTNER_FILE = {"type": "object", "required": ["name"],
                 "properties": {"name": _text("Name", 200, minLength=1), **_PARTNER_FIELDS}}

REQUEST_SCHEMAS: dict[str, dict[str, Any]] = {
    "DirectoryEntryBody": {
        "type": "object", "required": ["name", "action"], "additionalProperties": False,
        "examples": [{"name": "Dog fouling", "action": "hand_off", "team": "Street Scene",
                      "synonyms": ["dog mess", "dog poo"], "guidance": "Ask **where** and when."}],
        "properties": {**_ENTRY_FIELDS, "updated_by": {"description": "Ignored (shown by GET)."},
                       "updated_at": {"description": "Ignored (shown by GET)."}},
    },
    "DirectoryFile": {
        "type": "object", "required": ["services"],
        "description": "The shape GET /directory/export?format=json writes. Partners named here may be "
                       "referred to by the services of the same file.",
        "examples": [{"partners": [{"name": "Anytown Leisure Trust", "email": "hello@leisure.example.org"}],
                      "services": [{"key": "leisure", "name": "Leisure centre membership", "action": "refer",
                                    "partner": "Anytown Leisure Trust"}]}],
        "properties": {
            "partners": {"type": "array", "title": "Partners", "maxItems": MAX_ROWS, "items": _PARTNER_FILE},
            "services": {"type": "array", "title": "Services", "maxItems": MAX_ROWS,
                         "items": {"type": "object", "properties": _ENTRY_FIELDS}},
        },
    },
    "PartnerBody": {
        "type": "object", "additionalProperties": False,
        "examples": [{"email": "hello@leisure.example.org", "phone": "01632 960900",
                      "website": "https://leisure.example.org"}],
        "properties": {**_PARTNER_FIELDS, "name": {"description": "Ignored: the address names the partner."}},
    },
    "SetSlaPolicy": {
        "type": "object", "additionalProperties": False,
        "examples": [{"working_days": 5, "warn_at_percent": 80, "escalations": ["warning:notify-team-lead"]}],
        "properties": {
            "working_days": _sla_amount("working_days", "working days"),
            "working_hours": _sla_amount("working_hours", "working hours"),
            "calendar_days": _sla_amount("calendar_days", "calendar days"),
            "warn_at_percent": {"type": "integer", "title": "Warning threshold", "minimum": 1, "maximum": 99,
                                "description": "Warn (at risk) when this percentage of the time has passed."},
            "escalations": {"type": "array", "title": "Escalations", "maxItems": 20,
                            "items": {"type": "string", "minLength": 1, "maxLength": 300},
                            "description": "[warning:|breach:]notify-team-lead, reassign:TEAM or message:NAME."},
            "rules": {"type": "array", "title": "Conditional targets", "maxItems": 20,
                      "description": "Targets that depend on the case's data, in the same unit, tried in order; the "
                                     "first whose condition holds wins, otherwise the target above.",
                      "items": {"type": "object", "additionalProperties": False, "required": ["when", "amount"],
                                "properties": {
                                    "when": {"type": "string", "minLength": 1, "maxLength": 500,
                                             "description": "A condition on the case's data, e.g. priority == \"urgent\"."},
                                    "amount": {"type": "integer", "minimum": 1, "maximum": MAX_SLA["working_hours"]}}}},
            "recalculate": {"type": "boolean", "title": "Recalculate",
                            "description": "Also move the clocks already running under this SLA."},
        },
    },
    "StartCase": {
        "type": "object", "required": ["process"],
        "examples": [{"process": "missed_bin_collection", "channel": "phone", "data": {"postcode": "AB1 2CD"}}],
        "properties": {
            "process": {"type": "string", "title": "Process key", "minLength": 1, "maxLength": 200},
            "data": {**_DATA, "description": "Initial case data."},
            "channel": {"type": "string", "title": "Channel", "enum": [c.value for c in Channel],
                        "default": Channel.PHONE.value},
            "customer_id": {"type": "integer", "title": "Customer id", "minimum": 1, "maximum": MAX_ID},
        },
    },
    "MessageData": {
        "type": "object", "examples": [{"status": "closed", "status_notes": "Pothole filled"}],
        "description": "The message's payload; it reaches the case data as the catch event says.",
    },
    "LogContact": {
        "type": "object", "required": ["channel", "kind", "text"],
        "examples": [{"channel": "phone", "kind": "chasing", "text": "Asked when the bin will be collected"}],
        "properties": {
            "channel": {"type": "string", "title": "Channel", "enum": [c.value for c in Channel],
                        "description": "How the customer got in touch."},
            "kind": {"type": "string", "title": "Kind", "enum": [k.value for k in ContactKind],
                     "description": "Why: chasing progress, adding information, did not understand something, "
                                    "a complaint about how the case is handled, or something else."},
            "text": {"type": "string", "title": "Text", "minLength": 1, "maxLength": MAX_CONTACT,
                     "pattern": "\\S", "description": "What the customer said.",
                     "x-error-messages": {"pattern": "Enter what the customer said"}},
        },
    },
    "CancelCase": {
        "type": "object", "examples": [{"reason": "Duplicate of CF-000002"}],
        "properties": {"reason": {"type": "string", "title": "Reason", "maxLength": 2000}},
    },
    "AssignTask": {
        "type": "object", "required": ["assignee"], "examples": [{"assignee": "waste.officer@example.gov.uk"}],
        "properties": {"assignee": {
            "type": ["string", "null"], "title": "Assignee", "maxLength": 320,
            "description": "Email of the new assignee; null returns the task to its team's queue.",
            "x-error-messages": {"type": "Assignee must be an email address, or null to return the task "
                                         "to its team"}}},
    },
    "HandBack": {
        "type": "object", "required": ["question"],
        "examples": [{"question": "Which gate is the bin behind?"}],
        "properties": {"question": {"type": "string", "title": "Question", "minLength": 1, "maxLength": 2000,
                                    "description": "What the front office should ask the resident."}},
    },
    "AnswerQuestion": {
        "type": "object", "required": ["answer"], "examples": [{"answer": "The blue gate at the back"}],
        "properties": {"answer": {"type": "string", "title": "Answer", "minLength": 1, "maxLength": 2000}},
    },
    "CompleteTask": {
        "type": "object",
        "properties": {"data": {**_DATA, "description": "The form's answers."}},
    },
    "CreateCustomer": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "examples": [{"name": "Pat Smith", "phone": "07700 900123", "postcode": "AN1 2BC"}],
        "properties": {
            "name": {"type": "string", "title": "Full name", "minLength": 1, "maxLength": 200},
            **{field: {"type": ["string", "null"], "title": title, "maxLength": limit}
               for field, title, limit in (("email", "Email address", 320), ("phone", "Phone number", 50),
                                           ("address", "Address", 2000), ("postcode", "Postcode", 12))},
            "allow_duplicate": {"type": "boolean", "title": "Allow duplicate", "default": False,
                                "description": "Record the customer even if someone recorded shares their name "
                                               "and postcode, email or phone (otherwise 409 with them)."},
        },
    },
    "MarkNotificationsRead": {
        "type": "object", "additionalProperties": False, "examples": [{"ids": [12, 13]}],
        "properties": {"ids": {"type": "array", "title": "Notification ids", "maxItems": 1000,
                               "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                               "description": "Only these (your own, unread); leave the body out for all."}},
    },
    "DeployFiles": {
        "type": "object", "required": ["files"],
        "properties": {"files": {
            "type": "object", "title": "Files", "minProperties": 1,
            "description": "File name (.bpmn, .dmn or form .json) to its text.",
            "additionalProperties": {"type": "string"},
            "x-error-messages": {"type": "Files must be an object of file name to text",
                                 "minProperties": "Send at least one file"}}},
    },
}

_PROBLEM = _obj({"file": _TEXT, "line": _nullable("integer"), "element": _nullable("string"), "message": _TEXT})
_TASK_BRIEF = _obj({"id": _INT, "name": _TEXT, "team": _nullable("string"), "bpmn_id": _TEXT})
_SLA_STATE = {"type": ["string", "null"], "description": "on_track, at_risk, breached, paused or met; "
                                                         "null when no SLA applies."}
_TASK_FIELDS = {"id": _INT, "case": _TEXT, "name": _TEXT, "bpmn_id": _TEXT, "team": _nullable("string"),
                "assignee": _nullable("string"), "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
                "form": _nullable("string"), "created_at": _TIME, "due_at": _TIME,
                "completed_by": _nullable("string")}
_TASK = _obj({**_TASK_FIELDS, "sla_state": _SLA_STATE}, required=list(_TASK_FIELDS))
_CASE_FIELDS = {"reference": _TEXT, "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
                "process": _TEXT, "version": _INT, "channel": _TEXT}
_CASE_SLA = {"due_at": {**_TIME, "description": "When the whole case is due (only when an SLA applies)."},
             "sla_state": _SLA_STATE}
_ERROR_TEXT = {"type": "string", "description": "Why the case failed (only when status is 'failed')."}
_EVENT = _obj({"at": _TIME, "actor": _TEXT, "kind": _TEXT, "task_id": _nullable("integer"),
               "detail": {"type": "object"}})

_QUESTION = _obj({"id": _INT, "task_id": _INT, "task_name": _TEXT, "task_status": _TEXT, "case": _TEXT,
                  "process": _TEXT, "team": _TEXT, "question": _TEXT, "asked_by": _TEXT, "asked_at": _TIME,
                  "answer": _nullable("string"), "answered_by": _nullable("string"), "answered_at": _TIME})

_CUSTOMER_FIELDS = {"id": _INT, "name": _TEXT, "email": _nullable("string"), "phone": _nullable("string"),
                    "address": _nullable("string"), "postcode": _nullable("string"), "created_at": _TIME}
_MATCHED_ON = {"type": "array", "items": {"type": "string", "enum": ["name and postcode", "email", "phone"]},
               "description": "The details it shares with the customer being added."}
_NOTIFICATION = _obj({"id": _INT, "text": _TEXT, "case": {**_nullable("string"), "description": "Its case's reference."},
                      "task_id": _nullable("integer"), "created_at": _TIME, "read": {"type": "boolean"}})

RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Question": _QUESTION,
    "Customer": _obj(_CUSTOMER_FIELDS),
    "CustomerPage": _obj({"items": _array(_ref("Customer")), "page": _INT, "page_size": _INT, "total": _INT}),
    "PossibleDuplicates": _obj({"message": _TEXT, "duplicates": _array(_obj(
        {**_CUSTOMER_FIELDS, "matched_on": _MATCHED_ON}))}),
    "Notification": _NOTIFICATION,
    "NotificationPage": _obj({"items": _array(_ref("Notification")), "page": _INT, "page_size": _INT,
                              "total": _INT, "unread": {**_INT, "description": "Your unread notifications in all."}}),
    "NotificationsRead": _obj({"marked": {**_INT, "description": "How many were marked read just now."},
                               "unread": {**_INT, "description": "How many are still unread."}}),
    "Error": {
        "type": "object", "required": ["message"],
        "properties": {
            "message": {"type": "string", "description": "What went wrong, in plain English."},
            "errors": {"description": "Per-field messages, or (deployments) the problems found per file.",
                       "oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                                 _array(_ref("Problem"))]},
            "id": {"type": "string", "description": "For 500s: quote it to the administrator; it is in the log."},
            "problems": {**_array(_TEXT), "description": "A refused directory import: every problem, by line "
                                                         "(CSV) or position (JSON), key and field."},
        },
    },
    "Problem": _PROBLEM,
    "ProcessSummary": _obj({"process": _TEXT, "name": _TEXT, "latest_version": _INT, "versions": _INT}),
    "ProcessVersion": _obj({"version": _INT, "name": _TEXT, "deployed_by": _TEXT, "deployed_at": _TIME,
                            "content_hash": _TEXT, "files": _array(_TEXT)}),
    "DeployedProcess": _obj({"process": _TEXT, "version": _INT, "name": _TEXT, "changed": {"type": "boolean"}}),
    "Deployment": _obj({"deployed": _array(_ref("DeployedProcess")), "warnings": _array(_ref("Problem"))}),
    "TaskBrief": _TASK_BRIEF,
    "Task": _TASK,
    "TaskPage": _obj({"items": _array(_ref("Task")), "page": _INT, "page_size": _INT, "total": _INT}),
    "Case": _obj({**_CASE_FIELDS, "tasks": _array(_ref("TaskBrief")), "error": _ERROR_TEXT, **_CASE_SLA},
                 required=[*_CASE_FIELDS, "tasks"]),
    "CaseDetail": _obj({**_CASE_FIELDS, "tasks": _array(_ref("Task")), "error": _ERROR_TEXT, **_CASE_SLA,
                        "data": {"type": "object"}, "created_at": _TIME, "completed_at": _TIME,
                        "history": _array(_ref("Event"))},
                       required=[*_CASE_FIELDS, "tasks", "data", "created_at", "completed_at", "history"]),
    "Event": _EVENT,
    "CaseHit": _obj({"reference": _TEXT, "process": _TEXT, "service": _TEXT,
                     "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
                     "team": {**_nullable("string"), "description": "The teams its open tasks are with, else "
                                                                   "the last team that had it."},
                     "customer": _nullable("string"), "due_at": _TIME, "sla_state": _SLA_STATE, "created_at": _TIME,
                     "restricted": {"type": "boolean", "description": "Present (true) only for a restricted case "
                                    "you may not open: `team` says whom to contact; service and customer are "
                                    "withheld."}},
                    required=["reference", "process", "service", "status", "team", "customer", "due_at", "sla_state",
                              "created_at"]),
    "CasePage": _obj({"items": _array(_ref("CaseHit")), "page": _INT, "page_size": _INT, "total": _INT,
                      "total_capped": {"type": "boolean", "description": "Only when there are more than `total` "
                                                                         "(10,000) cases."}},
                     required=["items", "page", "page_size", "total"]),
    "Contact": _obj({"id": _INT, "case": _TEXT, "channel": {"type": "string", "enum": [c.value for c in Channel]},
                     "kind": {"type": "string", "enum": [k.value for k in ContactKind]}, "text": _TEXT,
                     "logged_by": _TEXT, "at": _TIME}),
    "History": _obj({"reference": _TEXT, "history": _array(_ref("Event"))}),
    "Address": _obj({"uprn": {**_INT, "description": "Unique Property Reference Number."},
                     "address": {**_TEXT, "description": "The address lines and town, without the postcode."},
                     "postcode": _TEXT, "lat": {"type": "number", "description": "WGS84 latitude."},
                     "long": {"type": "number", "description": "WGS84 longitude."}}),
    "Team": _obj({"id": _INT, "name": _TEXT, "open_tasks": _INT}),
    "SlaPolicy": _obj({"process": _TEXT, "task": _nullable("string"),
                       "unit": {"type": "string", "enum": [u.value for u in SlaUnit]}, "amount": _INT,
                       "warn_at_percent": _nullable("integer"), "escalations": _array(_TEXT), "updated_by": _TEXT,
                       "updated_at": _TIME, "recalculated": {**_INT, "description": "Clocks moved (when asked)."},
                       "rules": _array(_obj({"when": _TEXT, "amount": _INT})),
                       "label": {**_TEXT, "description": "What the policy is for, in words."},
                       "version": {**_nullable("integer"),
                                   "description": "The latest version that has the task (null: none has)."}},
                      required=["process", "task", "unit", "amount", "warn_at_percent", "escalations", "updated_by",
                                "updated_at"]),
    "SlaClock": _obj({"case": _TEXT, "task_id": _nullable("integer"), "task": _nullable("string"),
                      "sla": {"type": "string", "description": "The terms, e.g. '5 working days, warn at 80%'."},
                      "state": {"type": "string", "enum": [s.value for s in SlaState]}, "due_at": _TEXT,
                      "warn_at": _TIME, "remaining": {"type": "string", "description": "e.g. '2 working days left'."},
                      "started_at": _TEXT}),
    "CaseSla": _obj({"reference": _TEXT, "clocks": _array(_ref("SlaClock"))}),
    "DirectoryEntry": _obj({**{name: _shape(f) for name, f in _ENTRY_FIELDS.items()},
                            "updated_by": _nullable("string"), "updated_at": _TIME}),
    "Partner": _obj({"name": _TEXT, **{name: _nullable("string") for name in PARTNER_LIMITS}}),
    "DirectoryImport": _obj({"created": _INT, "updated": _INT, "partners": _INT, "teams_created": _array(_TEXT)}),
    "Document": _obj({"id": _INT, "filename": _TEXT, "content_type": _TEXT, "size": _INT, "uploaded_by": _TEXT,
                      "uploaded_at": _TIME, "filed_reference": _nullable("string"),
                      "filing_status": {"type": "string", "enum": [DocumentStatus.PENDING, DocumentStatus.FILED,
                                                                   DocumentStatus.FAILED, DocumentStatus.NOT_FILED]}}),
}
