"""What only a real browser shows: GOV.UK styling and JavaScript (as an ES module) are loaded from
the npm package, with the council's font and no crown; follow-up questions are revealed; the
character count counts; the error summary takes focus and its links reach the fields."""
from __future__ import annotations

from pathlib import Path

from engine.casework import cases

from .screenshots import take_screenshots

GOVUK_ONLY = ("/assets/fonts/", ".woff", "favicon.ico", "govuk-icon", "govuk-crest", "crown", "opengraph")


def test_gov_uk_styles_load_with_the_councils_font_and_no_crown(page, server):
    server.requests.clear()
    assert page.goto(f"{server.url}/forms/missed-bin-details").ok
    css = page.request.get(f"{server.url}/static/build/govuk-frontend.css")
    assert css.ok and "GDS Transport" not in css.text()
    style = page.eval_on_selector("h1", "e => [getComputedStyle(e).fontWeight, getComputedStyle(e).fontFamily]")
    assert style[0] == "700" and style[1].startswith('"Helvetica Neue"')  # GOV.UK CSS, council font
    faces = page.evaluate("() => [...document.fonts].map(f => f.family)")
    assert not any("GDS Transport" in face for face in faces)
    assert [url for url in server.requests if any(bad in url for bad in GOVUK_ONLY)] == []


def test_gov_uk_javascript_runs_as_a_module(page, server):
    page.goto(f"{server.url}/forms/missed-bin-details")
    assert page.eval_on_selector("body", "b => b.classList.contains('govuk-frontend-supported')")
    assert page.eval_on_selector("script[src='/static/init.js']", "s => s.type") == "module"
    page.wait_for_selector("[data-module=govuk-radios][data-govuk-radios-init]", state="attached")


def test_a_follow_up_question_is_revealed_by_its_answer(page, server):
    page.goto(f"{server.url}/forms/blue-badge-application?errors=1")
    assert not page.is_visible("#applicant_name")
    page.check("#applying_for-2")
    assert page.is_visible("#applicant_name")
    assert page.get_attribute("#applying_for-2", "aria-expanded") is None  # not allowed on radios
    page.check("#applying_for")
    assert not page.is_visible("#applicant_name")


def test_the_character_count_counts_down(page, server):
    page.goto(f"{server.url}/forms/missed-bin-details")
    page.fill("#additional_information", "Gate code 1234")
    page.wait_for_selector("text=You have 486 characters remaining")


def test_the_error_summary_takes_focus_and_links_to_each_field(page, server):
    page.goto(f"{server.url}/forms/missed-bin-details?errors=1")
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    page.click("text=Enter the scheduled collection date")
    assert page.evaluate("() => document.activeElement.id") == "scheduled_collection_date-day"


def test_screenshots_of_a_form_and_its_errors_can_be_made(browser_context, server, tmp_path: Path):
    case = cases.start_case(server.ctx, "missed_bin_collection", {"customer_name": "Pat Smith"})
    made = take_screenshots(browser_context, f"{server.url}/tasks/{case.tasks[0].id}", tmp_path)
    assert [p.name for p in made] == ["form.png", "form-errors.png"]
    assert all(p.stat().st_size > 10_000 for p in made)
