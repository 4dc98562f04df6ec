"""The service levels the demo promises, set as an admin would (``councilflow sla set``), before any
case starts, so every demo case and task carries a clock and inboxes show "N working days left".

The targets are the ones councils commonly publish; ``member_enquiry`` is the README's example."""
from __future__ import annotations

from engine.deadlines import sla
from engine.context import Context
from engine.deadlines.sla import Escalation, SlaTerms, TargetRule
from engine.types import SlaUnit

from .staff import ADMIN

_DAYS, _CALENDAR = SlaUnit.WORKING_DAYS, SlaUnit.CALENDAR_DAYS
_LEAD = (Escalation.parse("notify-team-lead"),)
_WARN_LEAD = (Escalation.parse("warning:notify-team-lead"),)

# (process, task BPMN id or None for the whole case, unit, amount, warn at %, escalations)
POLICIES: list[tuple[str, str | None, SlaUnit, int, int | None, tuple[Escalation, ...]]] = [
    ("missed_bin_collection", None, _DAYS, 5, 60, ()),
    ("missed_bin_collection", "arrange_recollection", _DAYS, 2, 50, _WARN_LEAD),
    ("missed_bin_collection", "chase_overdue_recollection", _DAYS, 1, 50, _LEAD),
    ("member_enquiry", None, _DAYS, 10, 75, _LEAD),
    *[("member_enquiry", f"prepare_response_{team}", _DAYS, 5, 60, _WARN_LEAD)
      for team in ("waste", "highways", "housing", "revenues")],
    ("stage1_complaint", None, _DAYS, 10, 75, _LEAD),
    ("stage1_complaint", "acknowledge_complaint", _DAYS, 3, None, ()),
    *[("stage1_complaint", f"investigate_complaint_{team}", _DAYS, 7, 70, _WARN_LEAD)
      for team in ("waste", "highways", "housing", "revenues", "other")],
    ("pothole_report", "inspect_defect", _DAYS, 5, 60, ()),
    ("fly_tipping_report", None, _DAYS, 7, 70, ()),
    ("council_tax_change_of_address", None, _DAYS, 20, 75, ()),
    ("single_person_discount", None, _DAYS, 20, 75, ()),
    ("single_person_discount", "assess_disregards", _DAYS, 10, 70, ()),
    ("blue_badge_application", None, _DAYS, 30, 80, ()),
    ("blue_badge_application", "assess_mobility", _DAYS, 15, 70, ()),
    ("housing_repair_request", None, _CALENDAR, 28, 75, ()),
    ("abandoned_vehicle", None, _DAYS, 10, 70, ()),
    ("abandoned_vehicle", "dvla_check", _DAYS, 3, 60, ()),
    *[(process, "get_more_information", _DAYS, 2, 50, ())
      for process in ("missed_bin_collection", "fly_tipping_report", "council_tax_change_of_address")],
]


# Targets that depend on the case's data: an urgent member enquiry (a risk to health or safety) is
# answered within 2 working days (processes/member_enquiry.md).
RULES = {("member_enquiry", None): (TargetRule.parse('priority == "urgent"=2'),)}


def set_policies(ctx: Context) -> int:
    """Set (or set again: the same terms change nothing) every demo policy; returns how many."""
    for process, task, unit, amount, warn, escalations in POLICIES:
        terms = SlaTerms(unit, amount, warn, escalations, RULES.get((process, task), ()))
        sla.set_policy(ctx, process, task, terms, ADMIN)
    return len(POLICIES)
