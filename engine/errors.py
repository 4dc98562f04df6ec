"""The engine's exception tree.

Every error a person can cause (bad BPMN, invalid form data, an unknown user, a task someone else
just completed) is an ``EngineError`` subclass with a plain-English message. Interfaces (CLI, web,
API) map them to exit codes and pages; the engine itself knows no HTTP codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EngineError(Exception):
    """Root of every error the engine raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message}


class UserError(EngineError):
    """Caused by the caller's input; the interfaces report it and exit 2 / answer 4xx."""


class NotFound(UserError):
    """Something named by the caller does not exist."""


class ProcessNotFound(NotFound):
    pass


class CaseNotFound(NotFound):
    pass


class TaskNotFound(NotFound):
    pass


class UserNotFound(NotFound):
    pass


class TeamNotFound(NotFound):
    pass


class SignInFailed(UserError):
    """Wrong email or password, or a locked account; the message never says which exists."""


class Forbidden(UserError):
    """The person may not do this (e.g. act on another team's task)."""


class CaseRestricted(Forbidden):
    """The case is need-to-know: ``viewer`` may learn it exists and whom to contact, nothing more."""

    def __init__(self, reference: str, contact: list[str], may_open_with_reason: bool) -> None:
        self.reference, self.contact, self.may_open_with_reason = reference, contact, may_open_with_reason
        teams = " or ".join(contact) or "the team that owns it"
        super().__init__(f"Case {reference} is restricted: only its teams can see it. Contact {teams}")

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "restricted": True, "contact": self.contact}


class Conflict(UserError):
    """The action clashes with the current state (usually someone else acted first)."""


class TaskAlreadyCompleted(Conflict):
    pass


class AlreadyStarted(Conflict):
    """A case was already started with this start key (a form sent twice, a client's retry)."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"A case was already started with this key: {reference}")
        self.reference = reference


class TaskClaimedByOther(Conflict):
    pass


class CaseNotOpen(Conflict):
    pass


class ConcurrentUpdate(Conflict):
    """Another writer changed the case between our read and our write."""


class StateUnreadable(Conflict):
    """A case's saved workflow state cannot be loaded (corrupt, or stored before a limit existed):
    the case can still be shown and cancelled, but not worked on."""


@dataclass
class Problem:
    """One finding of the linter: where it is and what is wrong, in plain English."""

    file: str
    line: int | None
    element: str | None
    message: str
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element": self.element, "message": self.message}

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element}]" if self.element else ""
        return f"{where}{element}: {self.message}"


@dataclass
class DeploymentRejected(UserError):
    """A BPMN/DMN/form upload failed validation; nothing was deployed."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        summary = "; ".join(str(p) for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"The upload was refused: {summary}{more}")

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "errors": [p.to_dict() for p in self.problems]}


class FormInvalid(UserError):
    """Submitted task data does not satisfy the task's form; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("There is a problem with the form: " + "; ".join(errors.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "errors": self.errors}


class ScriptError(EngineError):
    """A script, condition or expression in a map failed or broke the sandbox's rules."""
