"""External task workers through the API, in Camunda's words (``engine.outbox.external_tasks``):
``POST /external-tasks/fetch-and-lock``, ``POST /external-tasks/{id}/complete``, ``/failure``,
``/bpmnError``, ``/extendLock`` and ``GET /external-tasks?topicName=...``. Durations are milliseconds
and variables are typed (``{"name": {"value": ..., "type": ...}}``), as Camunda's clients send them.

Tokens with the ``worker`` scope (``councilflow tokens create EMAIL --scope worker``) may call these
endpoints and nothing else; admins' tokens may call them too. This module carries its part of the
OpenAPI document (``SCHEMAS``, ``RESPONSES`` and ``openapi_paths``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify, request

from engine import outbox
from engine.types import Role, TokenScope

from . import bp, context
from .payload import Query, json_body
from .roles import current_user, requires
from .schemas import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

WEEK_MS = 7 * 24 * 3600 * 1000
_WORKER = {"type": "string", "title": "Worker id", "minLength": 1, "maxLength": 200,
           "description": "The worker's own name for itself; the task is locked to it."}
_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_MS = {"type": "integer", "minimum": 0, "maximum": WEEK_MS}
_VARIABLES = {"type": "object", "title": "Variables", "maxProperties": 200,
              "description": "Case data to set, typed as Camunda's clients send it: {\"name\": {\"value\": ...}}.",
              "additionalProperties": {"type": "object", "required": ["value"],
                                       "properties": {"value": {}, "type": {"type": "string", "maxLength": 50}}}}


def _body(required: list[str], properties: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "examples": [example],
            "properties": properties}


SCHEMAS: dict[str, dict[str, Any]] = {
    "FetchAndLock": _body(["workerId", "maxTasks", "topics"], {
        "workerId": _WORKER,
        "maxTasks": {"type": "integer", "title": "Most tasks", "minimum": 1, "maximum": 100},
        "topics": {"type": "array", "title": "Topics", "minItems": 1, "maxItems": 50, "items": {
            "type": "object", "required": ["topicName", "lockDuration"], "additionalProperties": False,
            "properties": {"topicName": _NAME, "lockDuration": {**_MS, "minimum": 1},
                           "variables": {"type": "array", "items": _NAME, "maxItems": 200}}}},
        "asyncResponseTimeout": {**_MS, "title": "Wait", "maximum": outbox.MAX_WAIT_MS,
                                 "description": "Long polling: wait up to this many ms for a task (the server "
                                                "answers sooner at its own limit, 30 s unless configured)."},
    }, {"workerId": "revenues-connector-1", "maxTasks": 5, "asyncResponseTimeout": 20000,
        "topics": [{"topicName": "revenues/create_account", "lockDuration": 60000, "variables": ["uprn"]}]}),
    "CompleteExternalTask": _body(["workerId"], {"workerId": _WORKER, "variables": _VARIABLES},
                                  {"workerId": "revenues-connector-1",
                                   "variables": {"account_number": {"value": "A-1001", "type": "String"}}}),
    "ExternalTaskFailure": _body(["workerId", "retries"], {
        "workerId": _WORKER,
        "errorMessage": {"type": "string", "title": "Error message", "maxLength": 2000},
        "errorDetails": {"type": "string", "title": "Error details", "maxLength": 20000},
        "retries": {"type": "integer", "title": "Retries", "minimum": 0, "maximum": 1000,
                    "description": "Tries left; 0 raises an incident."},
        "retryTimeout": {**_MS, "title": "Retry timeout", "description": "Ms before the task may be fetched again."},
    }, {"workerId": "revenues-connector-1", "errorMessage": "Revenues system down", "retries": 2,
        "retryTimeout": 60000}),
    "ExternalTaskBpmnError": _body(["workerId", "errorCode"], {
        "workerId": _WORKER, "errorCode": {**_NAME, "title": "Error code"},
        "errorMessage": {"type": "string", "title": "Error message", "maxLength": 2000},
    }, {"workerId": "revenues-connector-1", "errorCode": "no_such_account"}),
    "ExtendLock": _body(["workerId", "newDuration"], {
        "workerId": _WORKER, "newDuration": {**_MS, "title": "New duration", "minimum": 1}},
        {"workerId": "revenues-connector-1", "newDuration": 60000}),
}
_TYPED = {"type": "object", "properties": {"value": {}, "type": {"type": "string"}}}
RESPONSES: dict[str, dict[str, Any]] = {
    "ExternalTask": {
        "type": "object", "properties": {
            "id": {"type": "integer"}, "topicName": {"type": "string"}, "workerId": {"type": ["string", "null"]},
            "lockExpirationTime": {"type": ["string", "null"], "format": "date-time"},
            "activityId": {"type": "string"}, "processDefinitionKey": {"type": "string"},
            "businessKey": {"type": "string", "description": "The case reference."},
            "retries": {"type": ["integer", "null"]}, "errorMessage": {"type": ["string", "null"]},
            "variables": {"type": "object", "additionalProperties": _TYPED}},
        "required": ["id", "topicName", "workerId", "lockExpirationTime", "activityId", "processDefinitionKey",
                     "businessKey", "retries", "errorMessage", "variables"]},
}
REQUEST_SCHEMAS.update(SCHEMAS)
RESPONSE_SCHEMAS.update(RESPONSES)

worker = requires(Role.ADMIN, scope=TokenScope.WORKER)


@bp.post("/external-tasks/fetch-and-lock")
@worker
def fetch_and_lock() -> Any:
    body = json_body("FetchAndLock")
    topics = [outbox.TopicRequest(t["topicName"], t["lockDuration"],
                                  tuple(t["variables"]) if "variables" in t else None)
              for t in body["topics"]]
    found = outbox.fetch_and_lock(context(), body["workerId"], body["maxTasks"], topics,
                                  body.get("asyncResponseTimeout", 0) / 1000)
    return jsonify([task.to_dict() for task in found])


@bp.get("/external-tasks")
@worker
def list_external_tasks() -> Any:
    query = Query(request.args)
    topic = query.text("topicName")
    query.check()
    return jsonify([task.to_dict() for task in outbox.list_external_tasks(context(), topic)])


@bp.post("/external-tasks/<int:task_id>/complete")
@worker
def complete_external_task(task_id: int) -> Any:
    body = json_body("CompleteExternalTask")
    variables = {name: typed["value"] for name, typed in body.get("variables", {}).items()}
    outbox.complete(context(), task_id, body["workerId"], variables, current_user().email)
    return "", 204


@bp.post("/external-tasks/<int:task_id>/failure")
@worker
def external_task_failure(task_id: int) -> Any:
    body = json_body("ExternalTaskFailure")
    outbox.report_failure(context(), task_id, body["workerId"], body.get("errorMessage") or "The worker failed",
                          body["retries"], body.get("retryTimeout", 0), current_user().email)
    return "", 204


@bp.post("/external-tasks/<int:task_id>/bpmnError")
@worker
def external_task_bpmn_error(task_id: int) -> Any:
    body = json_body("ExternalTaskBpmnError")
    outbox.bpmn_error(context(), task_id, body["workerId"], body["errorCode"], body.get("errorMessage", ""),
                      current_user().email)
    return "", 204


@bp.post("/external-tasks/<int:task_id>/extendLock")
@worker
def extend_external_task_lock(task_id: int) -> Any:
    body = json_body("ExtendLock")
    outbox.extend_lock(context(), task_id, body["workerId"], body["newDuration"])
    return "", 204


def openapi_paths(operation: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """This module's paths, built with the document's own ``operation`` helper (``webui.api.openapi``)."""
    task = {"name": "task_id", "in": "path", "required": True, "description": "The external task's id.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "example": 1}
    many = {"application/json": {"schema": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/ExternalTask"}}}}
    done, body_errors = (204, None), (404, 409, 413, 415, 422)
    return {
        "/external-tasks/fetch-and-lock": {"post": operation(
            "fetch_and_lock", "Lock up to maxTasks external tasks of the topics for this worker (worker tokens)",
            (200, many), (413, 415, 422), body="FetchAndLock")},
        "/external-tasks": {"get": operation(
            "list_external_tasks", "External tasks waiting, locked or stopped by an incident", (200, many), (422,),
            [{"name": "topicName", "in": "query", "required": False, "description": "Only this topic's tasks.",
              "schema": {"type": "string"}}])},
        "/external-tasks/{task_id}/complete": {"post": operation(
            "complete_external_task", "Complete a task this worker holds; its variables go into the case "
            "(completing again changes nothing)", done, body_errors, [task], "CompleteExternalTask")},
        "/external-tasks/{task_id}/failure": {"post": operation(
            "external_task_failure", "Report a failure: fetchable again after retryTimeout, or an incident when "
            "retries is 0", done, body_errors, [task], "ExternalTaskFailure")},
        "/external-tasks/{task_id}/bpmnError": {"post": operation(
            "external_task_bpmn_error", "Throw a BPMN error on the task: a boundary error event catches it, or "
            "an incident", done, body_errors, [task], "ExternalTaskBpmnError")},
        "/external-tasks/{task_id}/extendLock": {"post": operation(
            "extend_external_task_lock", "Hold the lock newDuration ms from now", done, body_errors, [task],
            "ExtendLock")},
    }
