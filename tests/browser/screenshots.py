"""Screenshots for docs/ and the README: each role's main page, and a shipped form (the missed bin
report, as an advisor sees it during a call) with its error state. Run from the repository root:

    .venv/bin/python -m tests.browser.screenshots
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role
from tests.conftest import FORMS, PROCESSES, ROOT

from .server import add_staff, chromium, running_server

DOCS = ROOT / "docs" / "screenshots"
RESIDENT = {"customer_name": "Pat Smith", "address": "14 Mill Lane, Anytown", "postcode": "AN1 2BC",
            "customer_phone": "01632 960001"}
GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2026-11-16", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}
# (file, who, role, teams, page): each role's main page.
ROLE_PAGES = (
    ("front-office.png", "hub@example.gov.uk", Role.FRONT_OFFICE, ("Customer Hub",), "/services?q=bins"),
    ("back-office.png", "waste@example.gov.uk", Role.BACK_OFFICE, ("Waste Services",), "/inbox/teams/Waste Services"),
    ("case.png", "waste.officer@example.gov.uk", Role.BACK_OFFICE, ("Waste Services",), "/cases/CF-000002"),
    ("analyst.png", "analyst@example.gov.uk", Role.ANALYST, (), "/processes/missed_bin_collection"),
    ("admin.png", "admin@example.gov.uk", Role.ADMIN, (), "/admin/users"),
)


def take_screenshots(browser_context: Any, task_url: str, folder: Path) -> list[Path]:
    """form.png (the task page) and form-errors.png (after continuing with nothing entered)."""
    folder.mkdir(parents=True, exist_ok=True)
    page = browser_context.new_page()
    try:
        page.goto(task_url)
        form, errors = folder / "form.png", folder / "form-errors.png"
        page.screenshot(path=str(form), full_page=True)
        page.click("main form .govuk-button")
        page.wait_for_selector(".govuk-error-summary")
        page.screenshot(path=str(errors), full_page=True)
        return [form, errors]
    finally:
        page.close()


def role_screenshot(browser_context: Any, url: str, path: Path) -> Path:
    page = browser_context.new_page()
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        page.close()


def _workload(ctx: Any) -> str:
    """Every shipped map deployed and a few cases in progress, so the pages have something to show."""
    registry.deploy(ctx, registry.read_paths([PROCESSES, FORMS]))
    case = cases.start_case(ctx, "missed_bin_collection", dict(RESIDENT))
    for name in ("J Jones", "R Patel", "S Evans"):
        handed_off = cases.start_case(ctx, "missed_bin_collection", {**RESIDENT, "customer_name": name})
        cases.complete_task(ctx, handed_off.tasks[0].id, GENUINE_MISS)
    return f"/tasks/{case.tasks[0].id}"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, running_server(Path(scratch)) as server:
        task = _workload(server.ctx)
        with chromium(server) as context:
            for path in take_screenshots(context, server.url + task, DOCS):
                print(path.relative_to(ROOT))
        for file, email, role, teams, url in ROLE_PAGES:
            add_staff(server.ctx, email, email.split("@")[0].title(), [role], teams)
            with chromium(server, email) as context:
                print(role_screenshot(context, server.url + url, DOCS / file).relative_to(ROOT))


if __name__ == "__main__":
    main()
