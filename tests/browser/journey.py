"""For the journey tests: check the page the browser is on now, as every page visited must pass."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .pagecheck import assert_good_page
from .server import axe_violations, readable


# Journeys save their key pages here when SCREENSHOTS_DIR names a folder, so people can look at them.
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


def shoot(page: Any, name: str) -> None:
    """A full-page screenshot of the current page as ``name`` in SCREENSHOTS_DIR, if it is set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def check(page: Any) -> None:
    """The current page is well-formed and axe-core finds no WCAG 2.2 A/AA violations on it."""
    page.wait_for_load_state()
    assert_good_page(page.content())
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{readable(violations)}"
