"""Screenshots for docs/: a shipped form (the missed bin report, as an advisor sees it during a
call) and its error state. Run from the repository root:

    .venv/bin/python -m tests.browser.screenshots
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from engine import cases
from tests.conftest import ROOT

from .server import chromium, running_server

DOCS = ROOT / "docs" / "screenshots"
RESIDENT = {"customer_name": "Pat Smith", "address": "14 Mill Lane, Anytown", "postcode": "AN1 2BC",
            "customer_phone": "01632 960001"}


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


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, running_server(Path(scratch)) as server:
        case = cases.start_case(server.ctx, "missed_bin_collection", dict(RESIDENT))
        with chromium(server) as context:
            for path in take_screenshots(context, f"{server.url}/tasks/{case.tasks[0].id}", DOCS):
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
