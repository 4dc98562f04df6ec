"""The directory at the front door in real Chromium: an advisor searches "dog mess", opens Dog
fouling's page, hands it off with the short form, is told "Handed off to Street Scene", and the
task is in Street Scene's inbox. The entry pages of each action, the short form's errors and the
outcome page pass the page checks and axe at 1280 and 390 px wide, with no sideways scrolling."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.bpmn import registry
from engine.catalogue import directory_files
from engine.types import Role
from tests.conftest import FORMS, PROCESSES, ROOT

from .journey import check, shoot
from .server import Server, add_staff, chromium, running_server

WIDTHS = (1280, 390)


@pytest.fixture
def council(tmp_path, sqlite_template, server) -> Iterator[Server]:
    """A server of its own with the whole library and the shipped directory (99 services would change
    other journeys' search results)."""
    with running_server(tmp_path, sqlite_template) as running:
        registry.deploy(running.ctx, registry.read_paths([PROCESSES, FORMS]))
        directory = Path(ROOT / "examples" / "directory.json").read_text()
        directory_files.import_directory(running.ctx, directory_files.read(directory, "json"), "admin@example.gov.uk")
        yield running


def checked_at_every_width(page: Any, shot: str | None = None) -> None:
    """The page passes the checks at each width and fits a 390 px phone without scrolling sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls at {width}px"
        if shot:
            shoot(page, f"{shot}-{width}.png")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_advisor_hands_dog_mess_off_to_street_scene(council):
    with chromium(council) as context:
        page = context.new_page()
        page.goto(f"{council.url}/services")
        page.fill("#q", "dog mess")
        page.click("main button:has-text('Search')")
        page.wait_for_load_state()
        page.click("main a:has-text('Dog fouling')")
        page.wait_for_url(f"{council.url}/services/dog_fouling")
        assert page.locator("h1").inner_text() == "Dog fouling"
        assert "Bag it and bin it" in page.locator("main").inner_text()
        checked_at_every_width(page, "directory-entry")
        page.click("button:has-text('Hand off to Street Scene')")  # nothing filled in yet
        page.wait_for_load_state()
        assert "Enter what the customer needs" in page.locator(".govuk-error-summary").inner_text()
        checked_at_every_width(page)
        page.fill("#what", "Dog mess on the path by the school gates every morning")
        page.fill("#where", "Mill Lane, by the primary school")
        page.get_by_label("Soon: within a few days").check()
        page.get_by_label("Phone", exact=True).check()
        page.click("button:has-text('Hand off to Street Scene')")
        page.wait_for_url(re.compile(r"/cases/CF-\d+/outcome$"))
        assert page.locator(".govuk-panel__title").inner_text() == "Handed off to Street Scene"
        assert "Can we help with anything else?" in page.locator("main").inner_text()
        checked_at_every_width(page, "directory-outcome")
        reference = re.search(r"CF-\d+", page.url).group(0)
    crew = add_staff(council.ctx, f"street-{uuid.uuid4().hex[:6]}@example.gov.uk", "Sam Street",
                     [Role.BACK_OFFICE], ("Street Scene",))
    with chromium(council, crew) as context:
        page = context.new_page()
        page.goto(f"{council.url}/inbox/teams/Street Scene")
        row = page.locator("tr", has_text=reference)
        assert "Deal with the hand-off" in row.inner_text()
        check(page)


def test_the_resolve_refer_and_stale_guidance_pages_are_accessible(council):
    with chromium(council) as context:
        page = context.new_page()
        page.goto(f"{council.url}/services/money_advice")
        assert "Refer to Citizens Advice Anytown" in page.locator("main").inner_text()
        checked_at_every_width(page)
        page.goto(f"{council.url}/services/council_tax_direct_debit")  # reviewed by 31 October 2026
        assert "This guidance is past its review date" in page.locator(".govuk-warning-text").inner_text()
        checked_at_every_width(page, "directory-entry-stale")
        page.get_by_label("Signposted: I told them who to contact instead").check()
        page.get_by_label("Email", exact=True).check()
        page.click("button:has-text('Record the contact')")
        page.wait_for_url(re.compile(r"/outcome$"))
        assert page.locator(".govuk-panel__title").inner_text() == "Signposted"
        checked_at_every_width(page)
