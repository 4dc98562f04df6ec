"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand, but the roles each operation admits are read from the view functions' ``@requires``
so the document cannot claim a rule the code does not apply; tests check that every route is in it
and that it validates.
"""
from __future__ import annotations

from typing import Any

from flask import current_app

from engine.types import CaseStatus, DirectoryAction, TaskStatus

from . import PREFIX, appointments, directory_contacts, external_tasks, mi, services
from .schemas import MAX_ID, REQUEST_SCHEMAS, RESPONSE_SCHEMAS
from .tasks import MAX_PAGE, MAX_PAGE_SIZE, SORTS

_ERRORS = {
    400: "The request could not be read (e.g. the body is not JSON, or text that cannot be stored).",
    401: "No API token, or a token that is not valid.",
    403: "The token's user lacks the role, or the team membership, this needs.",
    404: "Nothing exists at this address.",
    409: "The case or task is not in a state that allows this (usually someone else acted first).",
    413: "The body is too large (2 MB; 50 MB for process uploads; 20 MB for a case document).",
    415: "The body is not JSON (or, for uploads, multipart/form-data).",
    422: "Some fields are missing or wrong; `errors` says which and why.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _path(name: str, description: str, example: str | int) -> dict[str, Any]:
    integer = isinstance(example, int)
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if integer else {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema,
            "example": example}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


KEY = _path("key", "Process key (the BPMN process id).", "missed_bin_collection")
REFERENCE = _path("reference", "Case reference.", "CF-000001")
TASK = _path("task_id", "Task id.", 1)
QUESTION = _path("question_id", "Id of a question handed back to the front office.", 1)
MESSAGE = _path("name", "BPMN message name the case waits for.", "asset_request_closed")
USER_TASK = _path("name", "The user task's BPMN id.", "record_missed_collection")
TASK_FILTERS = [
    _query("team", "Only this team's tasks (you must be a member unless you are an admin)."),
    _query("case", "Only this case's tasks (its reference)."),
    _query("assignee", "Only tasks assigned to this email; `me` for your own, `none` for the unassigned."),
    _query("process", "Only tasks of this process key."),
    _query("task", "Only tasks with this BPMN id or name."),
    _query("status", "Task status (default open).", {"type": "string", "enum": [s.value for s in TaskStatus]}),
    _query("sort", "Order by creation or due time; prefix `-` for newest/latest first.",
           {"type": "string", "enum": list(SORTS)}),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    _query("page_size", "Tasks per page (default 50).", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
]

CASE_FILTERS = [
    _query("q", "What the resident quotes: a case reference (CF-000123, cf000123 or 123), their name, phone "
                "number, email, postcode (or its first half) or words of their address.",
           {"type": "string", "maxLength": 200}),
    _query("status", "Only cases with this status.", {"type": "string", "enum": ["", *(s.value for s in CaseStatus)]}),
    _query("service", "Only cases of this process key."),
    _query("team", "Only cases that have had a task with this team (its name)."),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    _query("page_size", "Cases per page (default 25).", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
]


def _operation(endpoint: str, summary: str, ok: tuple[int, dict[str, Any] | None], errors: tuple[int, ...],
               params: list[dict[str, Any]] | None = None, body: str | None = None,
               body_required: bool = True) -> dict[str, Any]:
    view = current_app.view_functions[f"api.{endpoint}"]
    roles, scope = sorted(r.value for r in view.admits), getattr(view, "scope", None)
    status, content = ok
    responses: dict[str, Any] = {str(status): {"description": "Success.", **({"content": content} if content else {})}}
    for code in (400, 401, 403, *errors):
        responses[str(code)] = {"description": _ERRORS[code], "content": _json(_ref("Error"))}
    op: dict[str, Any] = {"operationId": endpoint, "summary": summary,
                          "description": f"Roles: {', '.join(roles)} (admins always)."
                                         + (f" Tokens with the '{scope}' scope." if scope else ""),
                          "x-roles": roles, **({"x-token-scope": scope.value} if scope else {}),
                          "parameters": params or [], "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": body_required, "content": _json(_ref(body))}
    return op


def _deploy() -> dict[str, Any]:
    op = _operation("deploy", "Deploy BPMN, DMN and form files", (201, _json(_ref("Deployment"))), (413, 415, 422),
                    body="DeployFiles")
    op["requestBody"]["content"]["multipart/form-data"] = {"schema": {
        "type": "object", "required": ["files"],
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}
    return op


def _start_case() -> dict[str, Any]:
    op = _operation("start_case", "Start a case", (201, _json(_ref("Case"))), (413, 415, 422), body="StartCase")
    created = op["responses"]["201"]
    created["headers"] = {"Location": {"description": "The new case's address.", "schema": {"type": "string"}}}
    reference = {"reference": "$response.body#/reference"}
    created["links"] = {
        **{name: {"operationId": name, "parameters": reference}
           for name in ("show_case", "case_history", "cancel_case", "retry_case")},
        **{name: {"operationId": name, "parameters": {"task_id": "$response.body#/tasks/0/id"}}
           for name in ("claim_task", "complete_task")},
    }
    return op


def _download() -> dict[str, Any]:
    text = {"schema": {"type": "string"}}
    return _operation("download_file", "Download a file of a version",
                      (200, {"application/xml": text, "application/json": text}), (404,),
                      [KEY, _path("version", "Version number.", 1),
                       _path("name", "File name.", "missed_bin_collection.bpmn")])


def _add_document() -> dict[str, Any]:
    op = _operation("add_case_document", "Attach a document to a case (filed into the EDRMS by the worker)",
                    (201, _json(_ref("Document"))), (404, 413, 415, 422), [REFERENCE])
    op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": (
            "A PDF, image, office document or plain text file of up to 20 MB; the type follows the extension.")}}}}}}
    return op


def _sla_paths() -> dict[str, Any]:
    policy, gone = (200, _json(_ref("SlaPolicy"))), (204, None)
    body_errors = (404, 413, 415, 422)
    return {
        "/sla/policies": {"get": _operation(
            "list_sla_policies", "List SLA policies", (200, _json({"type": "array", "items": _ref("SlaPolicy")})),
            (), [_query("process", "Only this process's policies.")])},
        "/sla/policies/{key}": {
            "put": _operation("set_case_sla", "Set the SLA of a process's whole case", policy, body_errors,
                              [KEY], "SetSlaPolicy"),
            "delete": _operation("remove_case_sla", "Remove the SLA of a process's whole case", gone, (404,),
                                 [KEY])},
        "/sla/policies/{key}/tasks/{name}": {
            "put": _operation("set_task_sla", "Set the SLA of one user task of a process", policy, body_errors,
                              [KEY, USER_TASK], "SetSlaPolicy"),
            "delete": _operation("remove_task_sla", "Remove the SLA of a user task", gone, (404,),
                                 [KEY, USER_TASK])},
        "/cases/{reference}/sla": {"get": _operation(
            "case_sla", "A case's SLA clocks: due, state and time left", (200, _json(_ref("CaseSla"))), (404, 422),
            [REFERENCE, _query("all", "Include stopped clocks.", {"type": "string", "enum": ["true", "false"]})])},
        "/cases/{reference}/documents": {
            "get": _operation("list_case_documents", "A case's documents and how far their filing got",
                              (200, _json({"type": "array", "items": _ref("Document")})), (404,), [REFERENCE]),
            "post": _add_document()},
    }


CUSTOMER_SEARCH = [
    _query("q", "One search box: any mix of name, postcode (or its first half), phone and email, e.g. "
                "`Pat Smith AN1 2BC`.", {"type": "string", "maxLength": 200}),
    *(_query(name, f"Only customers whose {name} matches (overrides that part of `q`).",
             {"type": "string", "maxLength": 200}) for name in ("name", "postcode", "phone", "email")),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    _query("page_size", "Customers per page (default 25).",
           {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
]


def _people_paths() -> dict[str, Any]:
    """Customers and the caller's notifications."""
    create = _operation("create_customer", "Record a customer (409 with the possible duplicates unless "
                        "`allow_duplicate`)", (201, _json(_ref("Customer"))), (409, 413, 415, 422),
                        body="CreateCustomer")
    create["responses"]["409"] = {"description": "Customers already recorded share the name and postcode, email "
                                                 "or phone; link to one of them, or send `allow_duplicate: true`.",
                                  "content": _json(_ref("PossibleDuplicates"))}
    return {
        "/customers": {"get": _operation("find_customers", "Find customers by any mix of name, postcode, phone "
                                         "and email, by name", (200, _json(_ref("CustomerPage"))), (422,),
                                         CUSTOMER_SEARCH),
                       "post": create},
        "/notifications": {"get": _operation(
            "list_notifications", "Your notifications, newest first", (200, _json(_ref("NotificationPage"))), (422,),
            [_query("unread", "`true` for the unread only.", {"type": "string", "enum": ["true", "false"]}),
             _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
             _query("page_size", "Notifications per page (default 25).",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE})])},
        "/notifications/read": {"post": _operation(
            "mark_notifications_read", "Mark your unread notifications read (all, or the ids given)",
            (200, _json(_ref("NotificationsRead"))), (413, 415, 422), body="MarkNotificationsRead",
            body_required=False)},
    }


DIRECTORY_KEY = _path("key", "The directory entry's key.", "dog_fouling")
PARTNER = _path("name", "The partner's name.", "Anytown Leisure Trust")


def _created_or_replaced(op: dict[str, Any]) -> dict[str, Any]:
    """A PUT that answers 201 when it created the thing and 200 when it replaced it."""
    op["responses"]["201"] = {**op["responses"]["200"], "description": "Created."}
    return op


def _directory_paths() -> dict[str, Any]:
    entry, body_errors = (200, _json(_ref("DirectoryEntry"))), (413, 415, 422)
    text = {"schema": {"type": "string"}}
    upload = _operation("import_directory", "Import services and partners, all or nothing (400 lists every "
                        "problem; nothing is saved)", (200, _json(_ref("DirectoryImport"))), body_errors,
                        body="DirectoryFile")
    upload["requestBody"]["content"]["text/csv"] = text
    return {
        "/directory": {"get": _operation(
            "list_directory", "The directory of services, by name; with q, as the service search ranks them",
            (200, _json({"type": "array", "items": _ref("DirectoryEntry")})), (422,),
            [_query("q", "Words a caller used: only the entries the service search finds, best first."),
             _query("action", "Only entries where the front office does this.",
                    {"type": "string", "enum": ["", *(a.value for a in DirectoryAction)]})])},
        "/directory/export": {"get": _operation(
            "export_directory", "The whole directory as a file to edit and import again",
            (200, {"application/json": {"schema": {"type": "object", "description": "As DirectoryFile."}},
                   "text/csv": text}), (422,),
            [_query("format", "json (default) or csv.", {"type": "string", "enum": ["json", "csv"]})])},
        "/directory/import": {"post": upload},
        "/directory/{key}": {
            "get": _operation("show_directory_entry", "A directory entry, with the advisor's guidance", entry, (404,),
                              [DIRECTORY_KEY]),
            "put": _created_or_replaced(_operation(
                "put_directory_entry", "Create or replace a directory entry", entry, body_errors, [DIRECTORY_KEY],
                "DirectoryEntryBody")),
            "delete": _operation("remove_directory_entry", "Remove a directory entry (its cases keep its key)",
                                 (204, None), (404,), [DIRECTORY_KEY])},
        "/partners": {"get": _operation(
            "list_partners", "Partner organisations that run services", (200, _json({
                "type": "array", "items": _ref("Partner")})), ())},
        "/partners/{name}": {
            "get": _operation("show_partner", "A partner organisation", (200, _json(_ref("Partner"))), (404,),
                              [PARTNER]),
            "put": _created_or_replaced(_operation(
                "put_partner", "Create or change a partner organisation's contact details",
                (200, _json(_ref("Partner"))), body_errors, [PARTNER], "PartnerBody", False))},
    }


def _paths() -> dict[str, Any]:
    case = (200, _json(_ref("Case")))
    return {
        "/processes": {
            "get": _operation("list_processes", "List deployed processes", (200, _json({
                "type": "array", "items": _ref("ProcessSummary")})), ()),
            "post": _deploy(),
        },
        "/processes/{key}/versions": {"get": _operation(
            "list_versions", "List a process's versions", (200, _json({"type": "array", "items": _ref(
                "ProcessVersion")})), (404,), [KEY])},
        "/processes/{key}/versions/{version}/files/{name}": {"get": _download()},
        "/cases": {"post": _start_case(), "get": _operation(
            "find_cases", "Find cases (those you may see) by reference or the customer's details, newest first",
            (200, _json(_ref("CasePage"))), (422,), CASE_FILTERS)},
        "/cases/{reference}/contacts": {
            "get": _operation("list_case_contacts", "The customer's repeat contacts about a case, oldest first",
                              (200, _json({"type": "array", "items": _ref("Contact")})), (404,), [REFERENCE]),
            "post": _operation("log_case_contact", "Log that the customer got in touch again about a case",
                               (201, _json(_ref("Contact"))), (404, 409, 413, 415, 422), [REFERENCE], "LogContact")},
        "/addresses": {"get": _operation(
            "find_addresses", "The gazetteer's addresses at a postcode, with UPRN and WGS84 coordinates",
            (200, _json({"type": "array", "items": _ref("Address")})), (422,),
            [dict(_query("postcode", "A UK postcode, in any case, with or without its space.",
                         {"type": "string", "maxLength": 20}), required=True)])},
        "/cases/{reference}": {"get": _operation(
            "show_case", "Show a case with its data, tasks and history", (200, _json(_ref("CaseDetail"))), (404,),
            [REFERENCE])},
        "/cases/{reference}/history": {"get": _operation(
            "case_history", "A case's history", (200, _json(_ref("History"))), (404,), [REFERENCE])},
        "/cases/{reference}/cancel": {"post": _operation(
            "cancel_case", "Cancel an open case", case, (404, 409, 413, 415, 422), [REFERENCE], "CancelCase", False)},
        "/cases/{reference}/retry": {"post": _operation(
            "retry_case", "Run a failed case's failed step again", case, (404, 409), [REFERENCE])},
        "/cases/{reference}/messages/{name}": {"post": _operation(
            "deliver_message", "Deliver a BPMN message to the case (kept, and refused with 409, when the case "
            "is not waiting for it)", case, (404, 409, 413, 415, 422),
            [REFERENCE, MESSAGE, _query("correlationKey", "The value a Camunda 8 event waiting for the message "
                                        "is keyed on (zeebe:subscription correlationKey); required by such an event.")],
            "MessageData", False)},
        "/tasks": {"get": _operation("list_tasks", "List tasks (the inbox)", (200, _json(_ref("TaskPage"))),
                                     (422,), TASK_FILTERS)},
        "/tasks/{task_id}/claim": {"post": _operation(
            "claim_task", "Claim a task", (200, _json(_ref("Task"))), (404, 409), [TASK])},
        "/tasks/{task_id}/assign": {"post": _operation(
            "assign_task", "Assign a task (to someone else: team leads only), or return it to its team", (200, _json(_ref("Task"))),
            (404, 409, 413, 415, 422), [TASK], "AssignTask")},
        "/tasks/{task_id}/complete": {"post": _operation(
            "complete_task", "Complete a task with its form's answers", case, (404, 409, 413, 415, 422), [TASK],
            "CompleteTask", False)},
        "/tasks/{task_id}/hand-back": {"post": _operation(
            "hand_back_task", "Hand a task back to the front office with a question", (200, _json(_ref("Question"))),
            (404, 409, 413, 415, 422), [TASK], "HandBack")},
        "/questions": {"get": _operation("list_questions", "Unanswered questions put to your teams", (200, _json({
            "type": "array", "items": _ref("Question")})), ())},
        "/questions/{question_id}/answer": {"post": _operation(
            "answer_question", "Answer a question; the task returns to whoever had it", (200, _json(_ref("Question"))),
            (404, 409, 413, 415, 422), [QUESTION], "AnswerQuestion")},
        "/teams": {"get": _operation("list_teams", "List teams with their open tasks", (200, _json({
            "type": "array", "items": _ref("Team")})), ())},
        **_sla_paths(),
        **_people_paths(),
        **_directory_paths(),
        **directory_contacts.openapi_paths(_operation),
        **services.openapi_paths(_operation),
        **external_tasks.openapi_paths(_operation),
        **mi.openapi_paths(_operation),
        **appointments.openapi_paths(_operation),
        "/openapi.json": {"get": {"operationId": "openapi_document", "summary": "This document",
                                  "security": [], "responses": {"200": {
                                      "description": "The OpenAPI document.", "content": _json({"type": "object"})}}}},
    }


def document() -> dict[str, Any]:
    """The whole document (needs an application context: roles are read from the views)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "councilflow API", "version": "1.0.0",
                 "description": "Processes, cases, tasks, teams and the directory of services of councilflow. Authenticate with a personal "
                                "token (`councilflow tokens create EMAIL`) as `Authorization: Bearer <token>`. "
                                "Errors are JSON: `{\"message\": ..., \"errors\": ...}`. The directory of services is "
                                "also published, read-only and without a token, as an Open Referral UK feed at "
                                "`/openreferral/` (docs/directory.md)."},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token (cf_...)."}},
            "schemas": {**REQUEST_SCHEMAS, **RESPONSE_SCHEMAS},
        },
    }
