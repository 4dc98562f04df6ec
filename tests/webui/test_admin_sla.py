"""Admins set SLAs per process and task, the working calendar and closure days on /admin/sla."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.casework import cases
from engine.deadlines import calendar_settings, sla
from engine.clock import FixedClock
from engine.types import Role
from engine.background.worker import sweep_slas
from tests.engine.helpers import deploy_text

from .conftest import csrf_token
from .test_documents import REVIEW


@pytest.fixture
def admin(ctx, signed_in):
    deploy_text(ctx, "review_letter.bpmn", REVIEW)
    return signed_in(Role.ADMIN)


def post(client, url, data, page="/admin/sla"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_an_admin_sets_a_whole_case_sla_and_sees_it_listed(admin, ctx):
    form = admin.get("/admin/sla/policy").get_data(as_text=True)
    assert 'value="review_letter:"' in form and 'value="review_letter:review"' in form
    response = post(admin, "/admin/sla/policy", {"target": "review_letter:", "unit": "working_days", "amount": "5"})
    assert response.status_code == 302
    page = admin.get("/admin/sla").get_data(as_text=True)
    assert "SLA saved for review_letter – whole case: 5 working days" in page
    assert "5 working days" in page
    [policy] = sla.list_policies(ctx)
    assert policy.task is None and policy.terms.amount == 5 and policy.updated_by == "admin@example.gov.uk"


def test_a_task_sla_with_warning_and_escalations_can_be_changed_and_removed(admin, ctx):
    post(admin, "/admin/sla/policy", {"target": "review_letter:review", "unit": "working_hours", "amount": "8",
                                      "warn_at": "75", "escalations": "warning:notify-team-lead\nmessage:late"})
    [policy] = sla.list_policies(ctx)
    assert policy.task == "review" and [str(e) for e in policy.terms.escalations] == [
        "warning:notify-team-lead", "breach:message:late"]
    edit = admin.get("/admin/sla/policy?process=review_letter&task=review").get_data(as_text=True)
    assert "Change an SLA" in edit and 'value="8"' in edit and 'value="75"' in edit
    assert 'value="review_letter:review" selected' in edit
    post(admin, "/admin/sla/policy", {"target": "review_letter:review", "unit": "calendar_days", "amount": "2"})
    assert sla.list_policies(ctx)[0].terms.describe() == "2 days"
    response = post(admin, "/admin/sla/policy/remove", {"process": "review_letter", "task": "review"})
    assert response.status_code == 302 and sla.list_policies(ctx) == []
    assert "SLA removed for review_letter / review" in admin.get("/admin/sla").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"unit": "working_days", "amount": "5"}, "Select the process or task the SLA is for"),
    ({"target": "review_letter:", "amount": "5"}, "Select whether the target is in working days"),
    ({"target": "review_letter:", "unit": "working_days", "amount": "five"}, "The target must be a whole number"),
    ({"target": "review_letter:", "unit": "working_days", "amount": "0"}, "An SLA target must be at least 1"),
    ({"target": "review_letter:", "unit": "working_days", "amount": "3", "warn_at": "150"}, "between 1 and 99"),
    ({"target": "review_letter:", "unit": "working_days", "amount": "3", "escalations": "shout"},
     "is not an escalation"),
])
def test_a_wrong_policy_is_explained_and_nothing_is_saved(admin, ctx, data, message):
    response = post(admin, "/admin/sla/policy", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert sla.list_policies(ctx) == []


def test_the_working_calendar_is_saved_and_a_wrong_time_is_refused(admin, ctx):
    response = post(admin, "/admin/sla/calendar", {"nation": "scotland", "day_start": "09:00", "day_end": "17:30",
                                                   "weekdays": ["0", "1", "2", "3"]})
    assert response.status_code == 302
    with ctx.db.transaction(readonly=True) as session:
        saved = calendar_settings.settings(session)
    assert saved.nation.value == "scotland" and saved.day_end.strftime("%H:%M") == "17:30"
    assert saved.weekdays == (0, 1, 2, 3)
    refused = post(admin, "/admin/sla/calendar", {"nation": "scotland", "day_start": "25:99", "day_end": "17:00",
                                                  "weekdays": ["0"]})
    assert refused.status_code == 400 and "There is a problem" in refused.get_data(as_text=True)
    none = post(admin, "/admin/sla/calendar", {"nation": "scotland", "day_start": "09:00", "day_end": "17:00"})
    assert none.status_code == 400 and "Select at least one working day" in none.get_data(as_text=True)


def test_closure_days_are_added_and_removed(admin, ctx):
    response = post(admin, "/admin/sla/closures", {"day": "2026-12-29", "label": "Christmas closure", "nation": ""})
    assert response.status_code == 302
    page = admin.get("/admin/sla").get_data(as_text=True)
    assert "Tuesday 29 December 2026" in page and "Christmas closure" in page
    bad = post(admin, "/admin/sla/closures", {"day": "29/12/2026", "label": ""})
    assert bad.status_code == 400 and "write it as YYYY-MM-DD" in bad.get_data(as_text=True)
    post(admin, "/admin/sla/closures/remove", {"day": "2026-12-29", "nation": ""})
    with ctx.db.transaction(readonly=True) as session:
        assert calendar_settings.list_closures(session) == []
    assert "29 December 2026 is a working day again" in admin.get("/admin/sla").get_data(as_text=True)


def test_breached_cases_are_counted_against_their_policy(admin, ctx, make_user):
    ctx.clock = FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc))
    post(admin, "/admin/sla/policy", {"target": "review_letter:", "unit": "working_days", "amount": "1"})
    make_user("starter@example.gov.uk", Role.FRONT_OFFICE)
    cases.start_case(ctx, "review_letter", actor="starter@example.gov.uk")
    ctx.clock.advance(days=7)
    sweep_slas(ctx)
    page = admin.get("/admin/sla").get_data(as_text=True)
    row = page[page.index("review_letter – whole case", page.index("<tbody")):]
    row = row[:row.index("</tr>")]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row


def test_only_admins_reach_the_sla_page(signed_in, admin):
    for role in (Role.TEAM_LEAD, Role.ANALYST, Role.FRONT_OFFICE):
        assert signed_in(role).get("/admin/sla").status_code == 403
    assert admin.get("/admin/sla").status_code == 200


def test_the_sla_page_warns_a_year_before_the_bank_holiday_data_runs_out(admin, ctx):
    assert "bank holidays councilflow knows" not in admin.get("/admin/sla").get_data(as_text=True)
    ctx.clock = FixedClock(datetime(2028, 3, 1, 9, tzinfo=timezone.utc))
    page = admin.get("/admin/sla").get_data(as_text=True)
    assert "govuk-warning-text" in page
    assert "The bank holidays councilflow knows for england-and-wales end on" in page
    assert "or add the coming bank holidays as closure days" in page
