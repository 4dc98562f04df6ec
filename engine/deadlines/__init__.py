"""Deadlines in working time: the council's calendar, SLA policies and conditional targets, and the SLA clocks of cases
and tasks.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .calendar import WorkingCalendar, bank_holidays
    from .calendar_settings import change, close, closure_days, current, load, parse_day, reopen, working_calendar
    from .sla import Escalation, SlaTerms, deadline, holiday_data_warning, list_policies, remove_policy, set_policy
    from .sla_clocks import case_clocks, pause_case, recalculate, resume_case
    from .sla_overview import overview, targets, team_choices
    from .sla_targets import TargetRule

__all__ = [
    "bank_holidays", "case_clocks", "change", "close", "closure_days", "current", "deadline", "Escalation",
    "holiday_data_warning", "list_policies", "load", "overview", "parse_day", "pause_case", "recalculate",
    "remove_policy", "reopen", "resume_case", "set_policy", "SlaTerms", "TargetRule", "targets", "team_choices",
    "working_calendar", "WorkingCalendar",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "bank_holidays": "calendar", "case_clocks": "sla_clocks", "change": "calendar_settings",
        "close": "calendar_settings", "closure_days": "calendar_settings", "current": "calendar_settings",
        "deadline": "sla", "Escalation": "sla", "holiday_data_warning": "sla", "list_policies": "sla",
        "load": "calendar_settings", "overview": "sla_overview", "parse_day": "calendar_settings",
        "pause_case": "sla_clocks", "recalculate": "sla_clocks", "remove_policy": "sla", "reopen": "calendar_settings",
        "resume_case": "sla_clocks", "set_policy": "sla", "SlaTerms": "sla", "TargetRule": "sla_targets",
        "targets": "sla_overview", "team_choices": "sla_overview", "working_calendar": "calendar_settings",
        "WorkingCalendar": "calendar",
    })
