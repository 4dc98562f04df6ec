"""A real councilflow server and a real Chromium for the browser tests and the screenshot script:
the app on a fresh SQLite database in a thread, and Debian's Chromium driven by Playwright (never
a downloaded browser build)."""
from __future__ import annotations

import atexit
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from engine.bpmn import registry
from engine.people import users
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.schema import upgrade
from engine.types import Role
from tests.conftest import FORMS, PROCESSES, ROOT
from .maps import CAMUNDA_NOISE
from webui.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
GOVUK_CSS = ROOT / "webui" / "static" / "build" / "govuk-frontend.css"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EMAIL, PASSWORD = "advisor@example.gov.uk", "correct horse battery staple"
# The one person the browser signs in as: an analyst who also works front- and back-office tasks.
TEAMS = ("Customer Hub", "Waste Services", "Environmental Health")


@dataclass
class Server:
    url: str
    ctx: Context
    requests: list[str] = field(default_factory=list)  # every URL any page of the browser asked for


def _context(database: Path, template: Path | None) -> Context:
    if template is not None:
        shutil.copy(template, database)
    db = Database(f"sqlite:///{database}")
    if template is None:
        upgrade(db)
    ctx = Context(db, settings=Settings(forms_dir=FORMS))
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    registry.deploy(ctx, {"noise.bpmn": CAMUNDA_NOISE.encode()})
    with ctx.db.transaction() as session:
        users.add_user(session, EMAIL, "Alex Advisor", [Role.ANALYST, Role.FRONT_OFFICE, Role.BACK_OFFICE],
                       ctx.clock.now(), list(TEAMS), PASSWORD)
    return ctx


@contextmanager
def running_server(folder: Path, template: Path | None = None) -> Iterator[Server]:
    """The app serving on 127.0.0.1 (a free port) until the block ends."""
    ctx = _context(folder / "councilflow.sqlite3", template)
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "browser-tests", "SESSION_COOKIE_SECURE": False})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_port}", ctx)
    finally:
        httpd.shutdown()
        thread.join()
        ctx.db.dispose()


def add_staff(ctx: Context, email: str, name: str, roles: list[Role], teams: tuple[str, ...] = ()) -> str:
    """Another member of staff for a journey (same password as everyone in these tests)."""
    with ctx.db.transaction() as session:
        users.add_user(session, email, name, roles, ctx.clock.now(), list(teams), PASSWORD)
    return email


class _Chromium:
    """One Playwright driver and one Chromium per test process: Playwright's sync API cannot be
    started again while it runs, so every signed-in context comes from this one browser."""

    playwright: Any = None
    browser: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls.browser is None or not cls.browser.is_connected():
            from playwright.sync_api import sync_playwright
            if cls.playwright is None:
                cls.playwright = sync_playwright().start()
                atexit.register(cls.stop)
            cls.browser = cls.playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        return cls.browser

    @classmethod
    def stop(cls) -> None:
        if cls.browser is not None:
            cls.browser.close()
        if cls.playwright is not None:
            cls.playwright.stop()
        cls.browser = cls.playwright = None


@contextmanager
def chromium(server: Server, email: str = EMAIL, password: str = PASSWORD) -> Iterator[Any]:
    """A browser context signed in as ``email`` whose every request is recorded in ``server.requests``."""
    context = _Chromium.get().new_context(viewport={"width": 1024, "height": 900})
    try:
        context.on("request", lambda request: server.requests.append(request.url))
        page = context.new_page()
        page.goto(f"{server.url}/sign-in")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{server.url}/")
        page.close()
        yield context
    finally:
        context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now. axe is evaluated through the
    DevTools protocol, not added as a <script>: the page's own policy (script-src 'self') would block
    that, and the browser tests run under the real policy."""
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    return result["violations"]


def readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {json.dumps(node['target'])}: {node['failureSummary']}" for node in v["nodes"]]
    return "\n".join(lines)
