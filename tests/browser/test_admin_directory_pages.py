"""An admin keeps the directory of services in the browser: the list, an entry whose "what the front
office does" answer reveals the question that goes with it, a save refused with its problems, and the
same page without JavaScript, where every follow-up question is a plain field. Every page is checked;
with SCREENSHOTS_DIR set, the list and the refused save are saved to look at."""
from __future__ import annotations

import pytest

from engine.catalogue import directory_entries
from engine.catalogue.directory_entries import Entry, PartnerInfo
from engine.types import Role

from .journey import check, shoot
from .server import PASSWORD, _Chromium, add_staff, chromium

ADMIN = "directory-admin@example.gov.uk"


@pytest.fixture(scope="module")
def directory(server):
    ctx = server.ctx
    add_staff(ctx, ADMIN, "Ada Admin", [Role.ADMIN])
    directory_entries.set_partner(ctx, PartnerInfo("Anytown Leisure Trust", "hello@leisure.example.org"), ADMIN)
    for entry in (Entry("bins_missed", "Missed bin", "start", ("bin not emptied",), process="missed_bin_collection",
                        team="Waste Services", guidance="Check the round.", guidance_review_on=None),
                  Entry("leisure", "Leisure centre membership", "refer", partner="Anytown Leisure Trust"),
                  Entry("safeguarding", "Adult safeguarding concern", "hand_off", team="Adult Social Care",
                        sensitivity="restricted", guidance="Take details.",
                        guidance_review_on=server.ctx.clock.now().date().replace(year=2020))):
        directory_entries.save_entry(ctx, entry, ADMIN)
    yield server
    # The browser tests share one server: leave its directory as it was for the journeys that follow.
    for entry in directory_entries.list_entries(ctx):
        if entry.key in ("bins_missed", "leisure", "safeguarding"):
            directory_entries.remove_entry(ctx, entry.key)


def test_an_admin_changes_an_entry_and_the_answer_reveals_its_question(directory):
    server = directory
    with chromium(server, ADMIN) as context:
        page = context.new_page()
        page.goto(f"{server.url}/admin/directory")
        check(page)
        assert "Guidance out of date" in page.content() and "Restricted" in page.content()
        shoot(page, "directory-list.png")
        page.click("a:has-text('Missed bin')")
        check(page)
        assert page.is_visible("#process") and not page.is_visible("#partner") and not page.is_visible("#team")
        page.check("input[name=action][value=hand_off]")
        assert page.is_visible("#team") and page.is_visible("#new_team") and not page.is_visible("#process")
        page.select_option("#team", "")
        page.fill("#name", "")
        page.fill("#guidance_review_on-month", "13")
        page.click("button:has-text('Save service')")
        check(page)
        summary = page.inner_text(".govuk-error-summary")
        assert "Enter the service's name" in summary and "Enter the team the hand-off goes to" in summary
        assert summary.index("service's name") < summary.index("hand-off") < summary.index("real date")  # page order
        assert page.inner_text("h1") == "Change Missed bin"
        assert page.is_visible("#team")  # the chosen answer's question stays open with its error
        shoot(page, "directory-entry-errors.png")
        page.click(".govuk-error-summary a[href='#team']")
        assert page.evaluate("document.activeElement.id") == "team"
        page.fill("#guidance", "## Before you hand it off\n\n* Ask **where**\n* Ask when\n\n<b>not bold</b>")
        page.click("button:has-text('Preview guidance')")
        check(page)
        preview = page.locator("#guidance-preview")
        assert preview.locator("h2.govuk-heading-m").inner_text() == "Before you hand it off"
        assert preview.locator("li").count() == 2 and "<b>not bold</b>" in preview.inner_text()
        shoot(page, "directory-entry-preview.png")


def test_without_javascript_every_follow_up_question_is_a_plain_field(directory):
    server = directory
    context = _Chromium.get().new_context(java_script_enabled=False, viewport={"width": 1024, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/sign-in")
        page.fill("#email", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.goto(f"{server.url}/admin/directory/services/leisure")
        assert page.is_visible("#process") and page.is_visible("#team") and page.is_visible("#partner")
        page.fill("#name", "")
        page.click("button:has-text('Save service')")
        assert "Enter the service's name" in page.inner_text(".govuk-error-summary")
        shoot(page, "directory-entry-errors-no-js.png")
    finally:
        context.close()
