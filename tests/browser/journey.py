"""For the journey tests: check the page the browser is on now, as every page visited must pass."""
from __future__ import annotations

from typing import Any

from .pagecheck import assert_good_page
from .server import axe_violations, readable


def check(page: Any) -> None:
    """The current page is well-formed and axe-core finds no WCAG 2.2 A/AA violations on it."""
    page.wait_for_load_state()
    assert_good_page(page.content())
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{readable(violations)}"
