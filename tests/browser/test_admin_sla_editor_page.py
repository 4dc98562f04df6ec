"""An admin sets an SLA in the browser with the editor's checkboxes: ticking "Reassign to another team"
reveals the team select, leaving it empty is an error linked from the summary, and a condition makes
urgent complaints due sooner; every page is checked (valid HTML, axe-core)."""
from __future__ import annotations

import os

import pytest

from engine.deadlines import sla
from engine.types import Role

from .journey import check
from .server import add_staff, chromium

ADMIN = "sla-editor-admin@example.gov.uk"


@pytest.fixture(scope="module")
def admin_browser(server):
    add_staff(server.ctx, ADMIN, "Sam Admin", [Role.ADMIN])
    add_staff(server.ctx, "sla-editor-lead@example.gov.uk", "Lee Lead", [Role.TEAM_LEAD], ("Environmental Health",))
    with chromium(server, ADMIN) as context:
        yield context


def test_an_admin_sets_escalations_and_an_urgent_target_with_the_editor(server, admin_browser, tmp_path):
    page = admin_browser.new_page()
    try:
        page.goto(f"{server.url}/admin/sla/policy")
        check(page)
        page.select_option("#target", "noise_complaint:")
        page.check("input[name='unit'][value='working_days']")
        page.fill("#amount", "10")
        page.fill("#when_1", 'priority == "urgent"')
        page.fill("#then_1", "2")
        page.fill("#warn_at", "75")
        page.check("#warning_actions")  # Notify the team lead, at the warning
        assert not page.is_visible("#breach_team")
        page.check("input[name='breach_actions'][value='reassign']")
        assert page.is_visible("#breach_team")  # revealed by ticking it
        page.screenshot(path=str(tmp_path / "sla-editor.png"), full_page=True)
        page.click("button:has-text('Save SLA')")
        check(page)  # the error state
        assert "Select the team to reassign to when the target is missed" in page.inner_text(".govuk-error-summary")
        page.click(".govuk-error-summary a[href='#breach_team']")
        assert page.evaluate("document.activeElement.id") == "breach_team"
        page.screenshot(path=str(tmp_path / "sla-editor-errors.png"), full_page=True)
        page.select_option("#breach_team", "Environmental Health")
        page.click("button:has-text('Save SLA')")
        page.wait_for_url(f"{server.url}/admin/sla")
        check(page)
        assert "2 working days if priority == \"urgent\", otherwise 10 working days" in page.inner_text("table")
        assert "At breach: reassign to another team (Environmental Health)" in page.inner_text("table")
        [policy] = [p for p in sla.list_policies(server.ctx) if p.process == "noise_complaint" and p.task is None]
        assert [str(e) for e in policy.terms.escalations] == ["warning:notify-team-lead",
                                                              "breach:reassign:Environmental Health"]
        page.click("a:has-text('Change'):has(span:text('Noise complaint – whole case'))")
        check(page)
        assert page.is_checked("input[name='breach_actions'][value='reassign']")
        assert page.input_value("#breach_team") == "Environmental Health" and page.input_value("#then_1") == "2"
    finally:
        page.close()
        if os.environ.get("COUNCILFLOW_SCREENSHOTS"):  # to look at them: the folder to copy them into
            for shot in tmp_path.glob("*.png"):
                shot.replace(os.path.join(os.environ["COUNCILFLOW_SCREENSHOTS"], shot.name))
