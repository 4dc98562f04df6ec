"""Every form in forms/ (as analysts preview it, and in its error state), a SpiffArena task page,
a Camunda formField task page, Check your answers and sign-in pass axe-core's WCAG 2.2 A/AA rules
in real Chromium, and are well-formed HTML."""
from __future__ import annotations

import pytest

from engine.casework import cases
from tests.conftest import FORMS

from .pagecheck import assert_good_page
from .server import axe_violations, readable

NAMES = sorted(p.name.removesuffix("-schema.json") for p in FORMS.glob("*-schema.json"))


def submit(page) -> None:
    page.click("main form .govuk-button")


def assert_accessible(page, url: str) -> None:
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    assert_good_page(page.content())
    violations = axe_violations(page)
    assert violations == [], f"{url}\n{readable(violations)}"


@pytest.mark.parametrize("name", NAMES)
def test_form_preview_is_accessible_with_answers_and_with_errors(page, server, name):
    assert_accessible(page, f"{server.url}/forms/{name}")
    assert_accessible(page, f"{server.url}/forms/{name}?errors=1")


def test_form_list_and_sign_in_are_accessible(page, server, browser_context):
    assert_accessible(page, f"{server.url}/forms/")
    anonymous = browser_context.browser.new_page()  # not signed in
    try:
        assert_accessible(anonymous, f"{server.url}/sign-in")
    finally:
        anonymous.close()


def test_spiffarena_task_page_its_errors_and_check_answers_are_accessible(page, server):
    case = cases.start_case(server.ctx, "missed_bin_collection", {"customer_name": "Pat Smith"})
    url = f"{server.url}/tasks/{case.tasks[0].id}"
    assert_accessible(page, url)
    submit(page)
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    page.check("#bin_type-2")
    for part, value in (("day", "10"), ("month", "3"), ("year", "2025")):
        page.fill(f"#scheduled_collection_date-{part}", value)
    for radio in ("#bin_out_by_7am", "#bin_location", "#crew_report"):
        page.check(radio)
    submit(page)
    assert page.title().startswith("Check your answers")
    assert_good_page(page.content())
    assert axe_violations(page) == []


def test_camunda_form_field_task_page_is_accessible(page, server):
    case = cases.start_case(server.ctx, "noise_complaint")
    url = f"{server.url}/tasks/{case.tasks[0].id}"
    assert_accessible(page, url)
    submit(page)
    assert page.title().startswith("Error: ")
    violations = axe_violations(page)
    assert violations == [], readable(violations)
