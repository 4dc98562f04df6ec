"""Finding 1 of issue 10: stored XSS from an analyst's upload to whoever opens it. Uploads that carry
markup a browser can run are refused with a located error; anything stored is served as a sandboxed
attachment; every page carries a strict script-src (no inline scripts) and still works under it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.bpmn import registry
from engine.people import tokens
from engine.persistence.tables import ProcessVersion
from engine.types import Role
from tests.conftest import PROCESSES, ROOT
from .conftest import csrf_token

KEY = "missed_bin_collection"
MAP = (PROCESSES / f"{KEY}.bpmn").read_text()
SANDBOX = "default-src 'none'; sandbox"
TEMPLATES = ROOT / "webui" / "templates"
# What the hostile test stored: XHTML script in the process's extension elements and documentation.
PAYLOAD = ('<bpmn:extensionElements><xhtml:script xmlns:xhtml="http://www.w3.org/1999/xhtml">'
           'fetch("/admin/users/new")</xhtml:script></bpmn:extensionElements>')
HOSTILE = {
    "xhtml script in extensionElements": PAYLOAD,
    "xhtml in documentation": '<bpmn:documentation><h:img xmlns:h="http://www.w3.org/1999/xhtml" src="x" '
                              'onerror="alert(1)"/></bpmn:documentation>',
    "svg script": '<bpmn:extensionElements><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                  '</svg></bpmn:extensionElements>',
    "javascript: url": '<bpmn:extensionElements><x:link xmlns:x="urn:x" xmlns:xlink="http://www.w3.org/1999/xlink" '
                       'xlink:href=" JavaScript:alert(1)"/></bpmn:extensionElements>',
}


def hostile_map(markup: str) -> str:
    """The shipped map with ``markup`` right after its process's documentation (where the schema allows
    both more documentation and extension elements), instead of the process's own extension elements
    (the schema allows one block of them; the public wordings they hold do not matter here)."""
    anchor = MAP.index("</bpmn:documentation>", MAP.index(f'<bpmn:process id="{KEY}"')) + len("</bpmn:documentation>")
    rest = MAP[anchor:]
    if rest.lstrip().startswith("<bpmn:extensionElements>"):
        rest = rest[rest.index("</bpmn:extensionElements>") + len("</bpmn:extensionElements>"):]
    return MAP[:anchor] + markup + rest


def upload(session, url: str, files: dict[str, str]):
    page = session.get(f"{url}/processes/upload", timeout=30)
    return session.post(f"{url}/processes/upload", data={"csrf_token": csrf_token(page.text), "action": "deploy"},
                        files=[("files", (name, body.encode())) for name, body in files.items()], timeout=60)


@pytest.fixture
def analyst(live):
    return live.as_role(Role.ANALYST, Role.ADMIN, Role.FRONT_OFFICE, Role.BACK_OFFICE)


@pytest.fixture
def stored_hostile(live) -> str:
    """A version deployed before uploads were checked for active markup: deployed clean, then its
    stored file rewritten the way the hostile test's upload was stored. Returns its file name."""
    registry.deploy(live.ctx, {f"{KEY}.bpmn": MAP.encode()})
    with live.ctx.db.transaction() as session:
        row = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == KEY)).one()
        row.files = {**row.files, f"{KEY}.bpmn": hostile_map(PAYLOAD)}
    return f"{KEY}.bpmn"


@pytest.mark.parametrize("markup", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_upload_carrying_markup_a_browser_runs_is_refused_with_file_line_and_element(live, analyst, markup):
    hostile = hostile_map(markup)
    answer = upload(analyst, live.url, {f"{KEY}.bpmn": hostile})
    assert answer.status_code == 400, answer.text[:2000]
    line = hostile[:hostile.index(markup)].count("\n") + 1
    assert re.search(rf"{KEY}\.bpmn, line {line}, element {KEY}: [^<]*(script|browser)", answer.text), answer.text
    with live.ctx.db.transaction(readonly=True) as session:
        assert session.scalars(select(ProcessVersion)).first() is None


def test_an_xml_stylesheet_instruction_is_refused(ctx):
    hostile = MAP.replace("?>", '?>\n<?xml-stylesheet type="text/xsl" href="data:text/xml,x"?>', 1)
    problems = registry.check(ctx, {f"{KEY}.bpmn": hostile.encode()}).errors
    assert [(p.file, p.line) for p in problems] == [(f"{KEY}.bpmn", 2)], problems


def test_camunda_and_spiff_extension_elements_still_deploy(ctx):
    """Foreign namespaces as such are fine (modellers' own extensions); only markup browsers run is not."""
    zeebe = ('<bpmn:extensionElements><zeebe:properties xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">'
             '<zeebe:property name="icon" value="data:image/svg+xml;utf8,%3Csvg%3E"/></zeebe:properties>'
             '<flowable:executionListener xmlns:flowable="http://flowable.org/bpmn" event="end" '
             'onTransaction="committed"/></bpmn:extensionElements>')
    assert registry.check(ctx, {f"{KEY}.bpmn": hostile_map(zeebe).encode()}).errors == []


@pytest.mark.parametrize("path", ["/diagrams/{key}/1.bpmn", "/processes/{key}/versions/1/files/{name}",
                                  "/api/v1/processes/{key}/versions/1/files/{name}"])
def test_a_stored_file_is_served_as_a_sandboxed_attachment(live, analyst, stored_hostile, path):
    if path.startswith("/api/"):
        email = live.add_user("api-analyst@example.gov.uk", Role.ANALYST)
        with live.ctx.db.transaction() as session:
            analyst.headers["Authorization"] = f"Bearer {tokens.create_token(session, email, live.ctx.clock.now())}"
    answer = analyst.get(live.url + path.format(key=KEY, name=stored_hostile), timeout=30)
    assert answer.status_code == 200 and "xhtml:script" in answer.text
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["Content-Security-Policy"] == SANDBOX
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def _script_src(policy: str) -> list[str]:
    """The sources a policy allows scripts from (script-src, else default-src); [] when unrestricted."""
    directives = {words[0]: words[1:] for words in (part.split() for part in policy.split(";")) if words}
    return directives.get("script-src", directives.get("default-src", []))


def test_every_page_has_a_strict_script_policy_and_no_inline_script(live, analyst):
    registry.deploy(live.ctx, {f"{KEY}.bpmn": MAP.encode()})
    pages = ["/", "/inbox", "/processes", f"/processes/{KEY}", f"/processes/{KEY}/versions/1", "/processes/upload",
             "/services", f"/services/{KEY}/start", "/forms/", "/admin/users", "/admin/sla", "/admin/incidents",
             "/customers", "/nowhere"]
    for path in pages:
        answer = analyst.get(live.url + path, timeout=30)
        assert "text/html" in answer.headers["Content-Type"], path
        source = _script_src(answer.headers.get("Content-Security-Policy", ""))
        assert source and "'unsafe-inline'" not in source and "'unsafe-eval'" not in source, (path, source)
        assert not [s for s in re.findall(r"<script\b[^>]*>", answer.text) if "src=" not in s], path
    signed_out = live.client().get(f"{live.url}/sign-in", timeout=30)
    assert "'unsafe-inline'" not in _script_src(signed_out.headers["Content-Security-Policy"])
    assert "<script>" not in signed_out.text


def test_no_template_has_an_inline_script_or_event_handler():
    """Ours, and every layout they extend (GOV.UK Frontend's page template writes an inline script)."""
    from webui.app import create_app
    loader = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}).jinja_loader
    inline = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=", re.IGNORECASE)
    pending = [p.relative_to(TEMPLATES).as_posix() for p in sorted(TEMPLATES.rglob("*.html"))]
    seen, found = set(), []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = re.sub(r"\{#.*?#\}", "", loader.get_source(None, name)[0], flags=re.DOTALL)
        found += [f"{name}: {match.group(0)}" for match in inline.finditer(source)]
        pending += re.findall(r"\{%-?\s*extends\s+[\"']([^\"']+)", source)
    assert found == []


WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_pages_work_in_chromium_under_the_real_policy(live, analyst):
    from tests.browser.server import _Chromium
    registry.deploy(live.ctx, {f"{KEY}.bpmn": MAP.encode()})
    context = _Chromium.get().new_context(viewport={"width": 1024, "height": 900})
    context.add_cookies([{"name": c.name, "value": c.value, "url": live.url} for c in analyst.cookies])
    context.add_init_script(WATCH)
    console: list[str] = []
    context.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page = context.new_page()
        for path in ["/", f"/processes/{KEY}", f"/processes/{KEY}/versions/1", f"/services/{KEY}/start",
                     "/admin/incidents", "/inbox"]:
            page.goto(live.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), path
            if "/processes/" in path:
                page.wait_for_selector(".cf-diagram--ready svg", timeout=15000)
            assert page.evaluate("window.__csp") == [], path
        assert console == []
        # The policy is enforced, not merely sent: a script injected into the page does not run.
        ran = page.evaluate("""() => { const s = document.createElement("script");
            s.textContent = "window.__ran = true"; document.body.append(s); return window.__ran === true; }""")
        assert not ran and len(page.evaluate("window.__csp")) == 1
    finally:
        context.close()
