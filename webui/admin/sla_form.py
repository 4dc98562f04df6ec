"""The SLA editor's form, translated to and from the engine's ``SlaTerms``.

Admins choose escalations with checkboxes per trigger (notify the team lead, reassign to a team, send
a BPMN message) and write conditional targets as rows of condition and number, instead of typing the
CLI's mini-language (``warning:reassign:Waste``). The form is turned into the same terms the CLI and
the API build, so the stored policy is the same whichever door it came through. Every field is checked
before anything is saved and each problem is reported against its field, for GOV.UK's error summary.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from engine import deadlines
from engine.errors import UserError
from engine.types import EscalationAction, SlaTrigger, SlaUnit

UNITS = {SlaUnit.WORKING_DAYS.value: "Working days", SlaUnit.WORKING_HOURS.value: "Working hours",
         SlaUnit.CALENDAR_DAYS.value: "Calendar days"}
TRIGGERS = {SlaTrigger.WARNING.value: "when the warning threshold passes",
            SlaTrigger.BREACH.value: "when the target is missed"}
ACTIONS = {EscalationAction.NOTIFY_TEAM_LEAD.value: "Notify the team lead",
           EscalationAction.REASSIGN.value: "Reassign to another team",
           EscalationAction.MESSAGE.value: "Send a BPMN message to the case"}
BLANK_ROWS = 2  # empty condition rows after the policy's own (no script: a page of rows, saved at once)


def in_words(escalation: deadlines.Escalation) -> str:
    """"At the warning: reassign to another team (Waste Services)", for the list of policies."""
    when = "At the warning" if escalation.trigger is SlaTrigger.WARNING else "At breach"
    what = ACTIONS[escalation.action.value]
    what = what[0].lower() + what[1:]  # "send a BPMN message", not "send a bpmn message"
    return f"{when}: {what}" + (f" ({escalation.target})" if escalation.target else "")


class FormProblems(UserError):
    """What is wrong with the form, one message per field id (in the order of the page)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def blank() -> dict[str, Any]:
    return {"unit": SlaUnit.WORKING_DAYS.value, "rules": [("", "")] * BLANK_ROWS}


def from_terms(terms: deadlines.SlaTerms) -> dict[str, Any]:
    """The form showing a stored policy (the first team and message of a trigger, as the form has one each)."""
    form: dict[str, Any] = {"unit": terms.unit.value, "amount": str(terms.amount),
                            "warn_at": str(terms.warn_at_percent or ""),
                            "rules": [(r.when, str(r.amount)) for r in terms.rules] + [("", "")] * BLANK_ROWS}
    for e in terms.escalations:
        form.setdefault(f"{e.trigger}_actions", []).append(e.action.value)
        if e.target:
            form.setdefault(f"{e.trigger}_{'team' if e.action is EscalationAction.REASSIGN else 'message'}", e.target)
    return form


def read(posted: MultiDict[str, str]) -> dict[str, Any]:
    """The form as posted, to check and to show again."""
    form: dict[str, Any] = {k: v.strip() for k, v in posted.items() if not k.startswith(("when_", "then_"))}
    for trigger in TRIGGERS:
        form[f"{trigger}_actions"] = posted.getlist(f"{trigger}_actions")
    rows = sorted({int(k.split("_", 1)[1]) for k in posted if k.startswith(("when_", "then_"))
                   and k.split("_", 1)[1].isdigit()})
    form["rules"] = [(posted.get(f"when_{i}", "").strip(), posted.get(f"then_{i}", "").strip()) for i in rows]
    form["rules"] = form["rules"] or [("", "")] * BLANK_ROWS
    return form


def _number(text: str, what: str, required: bool) -> int | None:
    if not text and not required:
        return None
    if not text.isdigit():
        raise UserError(f"{what} must be a whole number")
    return int(text)


def _checked(errors: dict[str, str], field: str, check: Any) -> Any:
    """``check()``, or None with its UserError noted against ``field`` (the first per field counts)."""
    try:
        return check()
    except UserError as err:
        errors.setdefault(field, err.message)
        return None


def _rules(form: Mapping[str, Any], errors: dict[str, str]) -> list[deadlines.TargetRule]:
    rules = []
    for i, (when, then) in enumerate(form.get("rules", []), start=1):
        if not when and not then:
            continue
        amount = _checked(errors, f"then_{i}", lambda then=then: _number(then, f"The target of condition {i}", True))
        if amount is not None:
            rule = _checked(errors, f"when_{i}", lambda when=when, amount=amount: deadlines.TargetRule(when, amount))
            if rule is not None:
                rules.append(rule)
    return rules


def _escalations(form: Mapping[str, Any], warn: int | None, errors: dict[str, str]) -> list[deadlines.Escalation]:
    chosen = []
    for trigger, words in TRIGGERS.items():
        actions = [a for a in ACTIONS if a in form.get(f"{trigger}_actions", [])]
        if actions and trigger == SlaTrigger.WARNING and warn is None:
            errors.setdefault("warn_at", "Enter when to warn, or untick the actions at the warning")
        for action in actions:
            target = None
            if action == EscalationAction.REASSIGN:
                target = form.get(f"{trigger}_team") or None
                if target is None:
                    errors.setdefault(f"{trigger}_team", f"Select the team to reassign to {words}")
            elif action == EscalationAction.MESSAGE:
                target = form.get(f"{trigger}_message") or None
                if target is None:
                    errors.setdefault(f"{trigger}_message", f"Enter the name of the BPMN message to send {words}")
            chosen.append(deadlines.Escalation(SlaTrigger(trigger), EscalationAction(action), target))
    # Scripts that posted the CLI's words (one escalation a line) before the checkboxes still may.
    for line in str(form.get("escalations", "")).splitlines():
        if line.strip():
            found = _checked(errors, "escalations", lambda line=line: deadlines.Escalation.parse(line))
            if found is not None:
                chosen.append(found)
    return chosen


def to_terms(form: Mapping[str, Any]) -> deadlines.SlaTerms:
    """The terms the form describes; ``FormProblems`` naming every field that is wrong."""
    errors: dict[str, str] = {}
    if form.get("unit") not in UNITS:
        errors["unit"] = "Select whether the target is in working days, working hours or calendar days"
    amount = _checked(errors, "amount", lambda: _number(form.get("amount", ""), "The target", True))
    if amount is not None:  # the engine's own rule and words for a target
        _checked(errors, "amount", lambda: deadlines.SlaTerms(SlaUnit.WORKING_DAYS, amount))
    rules = _rules(form, errors)  # the fields' errors in the order of the page
    warn = _checked(errors, "warn_at", lambda: _number(form.get("warn_at", ""), "The warning threshold", False))
    if warn is not None:
        _checked(errors, "warn_at", lambda: deadlines.SlaTerms(SlaUnit.WORKING_DAYS, 1, warn))
    escalations = _escalations(form, warn, errors)
    if errors:
        raise FormProblems(errors)
    return deadlines.SlaTerms(SlaUnit(form["unit"]), amount or 0, warn, tuple(escalations), tuple(rules))
