"""Conditional SLA targets: a policy's target may depend on the case's data, e.g. two working days
when ``priority == "urgent"`` and the default otherwise.

A condition is an expression run by the same sandbox as the maps' gateway conditions
(``scripting.SandboxEnvironment``), so an admin can write nothing a map could not. It is compiled when
the policy is set, so a typing mistake is refused there and then; it is evaluated against the case's
data when a clock starts (or is recalculated). The first rule whose condition holds gives the target;
none, the policy's default. A condition that fails at run time (a field the case lacks, a wrong type)
must not stop the case: the clock takes the default, and the reason goes into the case's history and
the log.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..bpmn.scripting import SandboxEnvironment, sandbox_problem
from ..errors import EngineError, UserError

logger = logging.getLogger(__name__)

CONDITION_TIME_LIMIT_S = 0.5  # a condition compares a few fields; it runs while the case is locked
MAX_CONDITION = 500


@dataclass(frozen=True)
class TargetRule:
    """``when`` the condition holds, the target is ``amount`` (in the policy's unit)."""

    when: str
    amount: int

    def __post_init__(self) -> None:
        when = self.when.strip()
        if not when:
            raise UserError("Enter a condition for each conditional target, e.g. priority == \"urgent\"")
        if len(when) > MAX_CONDITION:
            raise UserError(f"A condition may be at most {MAX_CONDITION} characters")
        if self.amount < 1:
            raise UserError(f"The target when {when} must be at least 1")
        problem = sandbox_problem(when, "eval")
        if problem is not None:
            raise UserError(f"The condition '{when}' cannot be used: {problem}")
        object.__setattr__(self, "when", when)

    @classmethod
    def parse(cls, text: str) -> "TargetRule":
        """``CONDITION=N``, as the CLI takes it: the number after the last ``=``."""
        when, _, amount = text.rpartition("=")
        if not when.strip() or not amount.strip().isdigit():
            raise UserError(f"'{text}' is not a conditional target; write CONDITION=N, "
                            f"e.g. 'priority == \"urgent\"=2'")
        return cls(when, int(amount))

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.when, "amount": self.amount}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TargetRule":
        return cls(str(data["when"]), int(data["amount"]))

    def __str__(self) -> str:
        return f"{self.when}={self.amount}"


@dataclass(frozen=True)
class Choice:
    """The target a clock takes, the rule that gave it (None: the default) and, when a condition
    could not be evaluated, why."""

    amount: int
    rule: TargetRule | None = None
    failure: str | None = None

    def note(self) -> str:
        """How the history explains the choice: "" for a policy without rules."""
        if self.failure is not None:
            return f" (the default: {self.failure})"
        return f" (because {self.rule.when})" if self.rule is not None else ""


def choose(rules: Sequence[TargetRule], default: int, data: Mapping[str, Any]) -> Choice:
    """The first rule whose condition holds for ``data``; the default if none does, or as soon as
    one cannot be evaluated (a later rule is not tried: it was written to apply only after it)."""
    sandbox = SandboxEnvironment(CONDITION_TIME_LIMIT_S)
    for rule in rules:
        try:
            holds = bool(sandbox.evaluate(rule.when, dict(data)))
        except Exception as err:  # anything the admin's expression raises: the case goes on
            reason = err.message if isinstance(err, EngineError) else f"{type(err).__name__}: {err}"
            failure = f"the condition '{rule.when}' failed: {reason}"
            logger.warning("SLA target condition failed, default used: %s", failure,
                           extra={"condition": rule.when})
            return Choice(default, None, failure)
        if holds:
            return Choice(rule.amount, rule)
    return Choice(default)
