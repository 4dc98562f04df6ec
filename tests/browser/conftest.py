"""Browser fixtures: one server and one signed-in Chromium for the whole session. Skipped, with
the reason, where Debian's Chromium or the npm packages are not installed (CI installs both)."""
from __future__ import annotations

import pytest

from .server import AXE, CHROMIUM, GOVUK_CSS, chromium, running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory, sqlite_template):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    if not GOVUK_CSS.exists():
        pytest.fail(f"{GOVUK_CSS} is missing: `make setup` compiles GOV.UK Frontend with the council's font")
    with running_server(tmp_path_factory.mktemp("browser"), sqlite_template) as running:
        yield running


@pytest.fixture(scope="session")
def browser_context(server):
    with chromium(server) as context:
        yield context


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()
