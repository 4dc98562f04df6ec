"""SpiffArena's script helper functions, with councilflow meanings, for maps brought from SpiffArena.

A script may call (names as in SpiffArena):

* ``get_current_user()``: the person whose action runs the script (completing a task, starting the
  case), as ``{"id", "username", "email", "display_name"}``; ``None`` when no person acts (a timer,
  the worker, a back-office callback).
* ``get_process_initiator_user()``: the same for whoever started the case.
* ``get_last_user_completing_task(process_id, task_id)``: who last completed that task of this case.
* ``get_group_members(team)``: the sorted usernames (e-mail addresses) of a team's active members.
* ``get_toplevel_process_info()``: ``{"process_instance_id": <case reference>,
  "process_model_identifier": <top-level process key>}``.
* ``get_current_task_info()``: the running element's id, name and process.
* ``get_frontend_url()``: the site's public address (the ``public_url`` setting).
* ``get_localtime(datetime, timezone="Europe/London")``: the instant in that time zone.

The facts come from whoever runs the step (the case writer, from the database; the model-test
runner, from stand-ins and a test's ``mocks``) through ``serving``; the functions only ever return
plain data, so nothing of the engine is reachable from a script through them.
"""
from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ScriptError

Person = dict[str, Any]
NAMES = ("get_current_user", "get_process_initiator_user", "get_last_user_completing_task", "get_group_members",
         "get_toplevel_process_info", "get_current_task_info", "get_frontend_url", "get_localtime")
DEFAULT_ZONE = "Europe/London"


def _nobody(*_args: Any) -> Any:
    return None


@dataclass(frozen=True)
class ScriptFacts:
    """What the helpers answer from, for one step of one case."""

    current_user: Person | None = None
    initiator: Callable[[], Person | None] = _nobody
    last_completing: Callable[[str, str], Person | None] = _nobody
    group_members: Callable[[str], list[str]] = lambda team: []
    frontend_url: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)  # a model test's "mocks": name -> value


_facts: ContextVar[ScriptFacts | None] = ContextVar("councilflow_script_facts", default=None)


@contextmanager
def serving(facts: ScriptFacts) -> Iterator[None]:
    """Scripts run inside the block answer the helpers from ``facts``."""
    token = _facts.set(facts)
    try:
        yield
    finally:
        _facts.reset(token)


def person(user_id: int | None, email: str, name: str) -> Person:
    return {"id": user_id, "username": email, "email": email, "display_name": name}


def _localtime(value: Any = None, timezone: str = DEFAULT_ZONE, **kwargs: Any) -> _dt.datetime:
    value = kwargs.get("datetime", value)
    if not isinstance(value, _dt.datetime):
        raise ScriptError("get_localtime needs a datetime to convert")
    try:
        zone = ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ScriptError(f"get_localtime: unknown time zone '{timezone}'") from err
    return value.astimezone(zone)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScriptError(f"{what} must be given as text")
    return value


def functions(task: Any) -> dict[str, Callable[..., Any]]:
    """The helpers, bound to ``task`` (a SpiffWorkflow task, or None for an expression without one)."""
    facts = _facts.get() or ScriptFacts()
    workflow = getattr(task, "workflow", None)
    top = getattr(workflow, "top_workflow", workflow)
    data = getattr(task, "data", None) or {}

    def toplevel_process_info() -> dict[str, Any]:
        return {"process_instance_id": data.get("case_reference"),
                "process_model_identifier": top.spec.name if top is not None else None}

    def current_task_info() -> dict[str, Any]:
        spec = getattr(task, "task_spec", None)
        return {"id": str(task.id) if task is not None else None,
                "bpmn_identifier": getattr(spec, "bpmn_id", None), "bpmn_name": getattr(spec, "bpmn_name", None),
                "bpmn_process_identifier": workflow.spec.name if workflow is not None else None}

    def last_completing(bpmn_process_identifier: Any = None, task_bpmn_identifier: Any = None) -> Person | None:
        return facts.last_completing(_text(bpmn_process_identifier, "the process id"),
                                     _text(task_bpmn_identifier, "the task id"))

    found: dict[str, Callable[..., Any]] = {
        "get_current_user": lambda: dict(facts.current_user) if facts.current_user else None,
        "get_process_initiator_user": facts.initiator,
        "get_last_user_completing_task": last_completing,
        "get_group_members": lambda team: sorted(facts.group_members(_text(team, "the team"))),
        "get_toplevel_process_info": toplevel_process_info,
        "get_current_task_info": current_task_info,
        "get_frontend_url": lambda: facts.frontend_url,
        "get_localtime": _localtime,
    }
    for name, value in facts.overrides.items():  # a mock returns (a copy of) its value, whatever it is given
        if name.isidentifier() and not name.startswith("_"):
            found[name] = _returning(value)
    return found


def _returning(value: Any) -> Callable[..., Any]:
    def mocked(*args: Any, **kwargs: Any) -> Any:
        return copy.deepcopy(value)
    return mocked
