"""In real Chromium on a phone (390 and 320 px wide): a councillor raises an enquiry for a resident,
sees it in "my enquiries" with its due date, the back office answers it through the REST API, and the
councillor reads the answer, having been sent a GOV.UK Notify email (the fake Notify server receives
it); another councillor reaches neither the enquiry's page nor its form by guessing their URLs. Every
page is well-formed, axe-clean and fits the screen without sideways scrolling, and links the web app
manifest.

This journey runs on its own server (the member-enquiry map deployed, an SLA set, a Notify sender
plugged in), so the shared server is left as it was. SCREENSHOTS_DIR keeps each page at each width."""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
import requests

from adapters.registry import AdapterRegistry
from engine.bpmn import registry
from engine.deadlines import sla
from engine.people import notifications, tokens
from engine.members.enquiry_answers import answered_text
from engine.types import Role, SlaUnit
from tests.conftest import FORMS, PROCESSES
from tests.fakes.notify import FakeNotify

from .journey import check, shoot
from .server import AXE, CHROMIUM, Server, add_staff, chromium, running_server

WIDTHS = (390, 320)
ANSWER = "The street light on Mill Road was repaired on 4 March.\nThank you for reporting it."


@pytest.fixture(scope="module")
def council(tmp_path_factory, sqlite_template) -> Iterator[tuple[Server, FakeNotify]]:
    if not CHROMIUM.exists() or not AXE.exists():
        pytest.skip("Chromium or axe-core is not installed")
    with running_server(tmp_path_factory.mktemp("councillors"), sqlite_template) as server, FakeNotify() as notify:
        ctx = server.ctx
        registry.deploy(ctx, registry.read_paths([PROCESSES / "member_enquiry.bpmn", FORMS]))
        sla.set_policy(ctx, "member_enquiry", None, sla.SlaTerms(SlaUnit.WORKING_DAYS, 10), "admin@example.gov.uk")
        config = {"notify": {"type": "notify", "base_url": notify.url, "api_key_env": "NOTIFY_API_KEY",
                             "templates": {"staff": notify.staff_template}, "staff_template": "staff"}}
        ctx.notifier = AdapterRegistry.from_config(config, {"NOTIFY_API_KEY": notify.api_key}).find("notify")  # type: ignore[assignment]
        yield server, notify


def _fits(page, width: int, name: str) -> None:
    """The page passes the checks, links the manifest and fits ``width`` without sideways scrolling."""
    check(page)
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/static/councillor/manifest.webmanifest"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
    shoot(page, f"councillor-{name}-{width}.png")


def _answer_through_the_api(server: Server, officer: str, reference: str) -> None:
    token = tokens.issue_token(server.ctx, officer, "councillor journey")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    details = {"ward": "Riverside", "enquiry_type": "ward_issue", "enquiry_summary": "Street light out on Mill Road",
               "priority": "standard", "service_area": "highways", "answer_route": "answer_directly"}
    for data in (details, {"response_text": ANSWER, "response_sent_date": "2026-03-04"}):
        found = api.get(f"{server.url}/api/v1/tasks", params={"case": reference})
        assert found.status_code == 200, found.text
        [task] = found.json()["items"]
        done = api.post(f"{server.url}/api/v1/tasks/{task['id']}/complete", json={"data": data})
        assert done.status_code == 200, done.text


@pytest.mark.parametrize("width", WIDTHS)
def test_a_councillor_raises_an_enquiry_on_a_phone_and_reads_the_answer(council, width):
    server, notify = council
    tag = uuid.uuid4().hex[:6]
    member = add_staff(server.ctx, f"cllr-{tag}@example.gov.uk", f"Jo Jones {tag}", [Role.COUNCILLOR])
    officer = add_staff(server.ctx, f"ms-{tag}@example.gov.uk", "Mo Services", [Role.BACK_OFFICE], ("Member Services",))
    with chromium(server, member) as context:
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server.url}/councillor/")
        _fits(page, width, "empty-list")
        page.click("text=Raise an enquiry")
        page.wait_for_url(re.compile(r"/councillor/enquiries/new$"))
        _fits(page, width, "new")
        page.click("button:has-text('Raise enquiry')")
        _fits(page, width, "new-errors")
        assert "Select what kind of enquiry it is" in page.locator(".govuk-error-summary").inner_text()
        page.check("input[name=enquiry_type][value=ward_issue]")
        page.fill("#enquiry_summary", "Street light out on Mill Road")
        page.fill("#ward", "Riverside")
        page.check("input[name=priority][value=standard]")
        page.click("button:has-text('Raise enquiry')")
        page.wait_for_url(re.compile(r"/councillor/enquiries/CF-\d+$"))
        reference = page.url.rsplit("/", 1)[1]
        _fits(page, width, "raised")
        assert "Due by" in page.locator("#enquiry").inner_text()

        page.goto(f"{server.url}/councillor/")
        _fits(page, width, "list")
        item = page.locator(".cf-enquiry", has_text=reference)
        assert "Received" in item.inner_text() and "due by" in item.inner_text()

        _answer_through_the_api(server, officer, reference)
        assert notifications.dispatch(server.ctx) >= 1
        sent = [n for n in notify.sent.values() if n["email_address"] == member]
        assert [n["personalisation"]["text"] for n in sent] == [answered_text(reference)]

        page.goto(f"{server.url}/councillor/enquiries/{reference}")
        _fits(page, width, "answered")
        assert page.locator("#answer").inner_text().strip() == ANSWER
        assert "Answered" in page.locator("h1").inner_text()
        assert "Answered" in page.locator("#timeline").inner_text()
        assert page.locator("#information").count() == 0  # an answered enquiry takes no more information

        # The same enquiry in Welsh, chosen with the toggle (the area's pages pass the checks in Welsh too).
        page.click("a[hreflang=cy]")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "cy"
        assert "Wedi’i ateb" in page.locator("h1").inner_text() and "Hanes" in page.locator("main").inner_text()
        _fits(page, width, "answered-cy")
        page.click("a[hreflang=en]")
        page.wait_for_load_state()

        manifest = page.evaluate("fetch('/static/councillor/manifest.webmanifest').then(r => r.text())")
        for icon in json.loads(manifest)["icons"]:
            assert page.evaluate(f"fetch('{icon['src']}').then(r => r.status)") == 200


def test_a_councillor_cannot_reach_another_councillors_enquiry(council):
    server, _ = council
    tag = uuid.uuid4().hex[:6]
    jones = add_staff(server.ctx, f"jones-{tag}@example.gov.uk", "Jo Jones", [Role.COUNCILLOR])
    patel = add_staff(server.ctx, f"patel-{tag}@example.gov.uk", "Pat Patel", [Role.COUNCILLOR])
    with chromium(server, jones) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{server.url}/councillor/enquiries/new")
        page.check("input[name=enquiry_type][value=policy_question]")
        page.fill("#enquiry_summary", "When does garden waste restart?")
        page.fill("#ward", "Hilltop")
        page.check("input[name=priority][value=standard]")
        page.click("button:has-text('Raise enquiry')")
        page.wait_for_url(re.compile(r"/councillor/enquiries/CF-\d+$"))
        reference = page.url.rsplit("/", 1)[1]
    with chromium(server, patel) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{server.url}/councillor/")
        _fits(page, 390, "other-member-list")
        assert reference not in page.locator("main").inner_text()
        for url in (f"/councillor/enquiries/{reference}", "/councillor/enquiries/CF-999999"):
            assert page.goto(server.url + url).status == 404
            check(page)
        posted = page.evaluate("""async url => {
            const token = document.querySelector('input[name=csrf_token]')?.value;
            const r = await fetch(url, {method: 'POST', body: new URLSearchParams({information: 'x'})});
            return r.status; }""", f"/councillor/enquiries/{reference}/information")
        assert posted in (400, 404)  # without the form's CSRF token, or with it: never accepted
        assert page.goto(f"{server.url}/member-services/enquiries/new").status == 403
