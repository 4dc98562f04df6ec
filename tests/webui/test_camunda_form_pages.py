"""A Camunda Form (form-js) named by a Camunda 7 task, as the GOV.UK page staff work the task on:
its text blocks as safe Markdown, its fields as GOV.UK components, a field hidden by
``conditional.hide`` revealed under the answer that shows it, and its validation in GOV.UK's words."""
from __future__ import annotations

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.test_camunda_forms import C7, _form
from tests.webui.test_task_pages import post, text


@pytest.fixture
def task_url(ctx):
    registry.deploy(ctx, {"permits.bpmn": C7.encode(), "review.form": _form()})
    view = cases.start_case(ctx, "permits", {})
    return f"/tasks/{view.tasks[0].id}", view.reference


def test_staff_work_a_task_on_its_camunda_form_as_a_gov_uk_page(signed_in, task_url, ctx):
    officer = signed_in(Role.BACK_OFFICE, teams=("Parking",))
    url, reference = task_url
    page = text(officer.get(url))
    assert_good_page(page)
    assert '<h2 class="govuk-heading-m">Check the permit</h2>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert '<h3 class="govuk-heading-s">Evidence</h3>' in page
    for needle in ('id="registration"', 'class="govuk-radios__conditional', 'name="reason"', 'name="zones"',
                   '<select class="govuk-select" id="colour"', 'id="starts-day"', 'name="checked"'):
        assert needle in page, needle
    assert page.index('value="refuse"') < page.index('name="reason"')  # revealed under "Refuse"
    wrong = text(post(officer, url, page, {"registration": "ab-12", "decision": "refuse", "months": "13"}))
    assert "There is a problem" in wrong
    assert "Enter vehicle registration in the correct format" in wrong and "Enter reason for refusing" in wrong
    assert "Months must be between 1 and 12" in wrong
    done = post(officer, url, page, {"registration": "AB12 CDE", "decision": "approve", "months": "6",
                                     "zones": ["A", "B"], "checked": "true", "reason": "not asked"})
    assert done.status_code == 302
    data = cases.show_case(ctx, reference).case
    assert data.status == "completed"
    saved = cases.show_case(ctx, reference).data
    assert (saved["months"], saved["zones"], saved["checked"]) == (6, ["A", "B"], True)
    assert saved.get("reason") is None  # hidden under another answer: not part of the submission
    summary = text(officer.get(f"/cases/{reference}"))
    assert "Check the permit" not in summary  # a text block is not an answer
