"""Journey: a process analyst uploads a map (and first a broken one), finds it listed, opens it,
sees its diagram drawn by bpmn-js with the cases waiting at a task, and downloads the version."""
from __future__ import annotations

import re

from engine.casework import cases
from engine.types import Role

from .journey import check
from .server import add_staff, chromium

KEY = "analyst_journey_pest_control"
ANALYST = "pat.analyst@example.gov.uk"


def pest_control(script: str = "visit_booked = True") -> str:
    """Start -> "Book a pest control visit" -> script -> end, laid out for the modeller."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" targetNamespace="https://councilflow.example">
  <bpmn:process id="{KEY}" name="Pest control visit" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="hub" name="Customer Hub">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>book</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>record</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="Resident calls"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="book" name="Book a pest control visit">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="record" name="Record the booking">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" name="Visit booked"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book" />
    <bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="record" />
    <bpmn:sequenceFlow id="f3" sourceRef="record" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{KEY}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="book_di" bpmnElement="book"><dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="record_di" bpmnElement="record"><dc:Bounds x="360" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="520" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="460" y="118" /><di:waypoint x="520" y="118" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_analyst_uploads_a_map_and_sees_it(server, tmp_path):
    add_staff(server.ctx, ANALYST, "Pat Analyst", [Role.ANALYST])
    broken, good = tmp_path / "broken" / "pest_control.bpmn", tmp_path / "good" / "pest_control.bpmn"
    broken.parent.mkdir()
    good.parent.mkdir()
    broken.write_text(pest_control("import os"))
    good.write_text(pest_control())
    bad_line = next(n for n, line in enumerate(broken.read_text().splitlines(), 1) if "import os" in line)

    with chromium(server, ANALYST) as context:
        page = context.new_page()
        page.goto(f"{server.url}/processes")
        check(page)
        page.click("text=Upload process maps")
        page.wait_for_url(f"{server.url}/processes/upload")
        check(page)

        page.set_input_files("#files", str(broken))
        page.click("button:has-text('Deploy')")
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        assert f"pest_control.bpmn, line {bad_line}, element record:" in summary.inner_text()
        check(page)

        page.set_input_files("#files", str(good))
        page.click("button:has-text('Deploy')")
        page.wait_for_url(f"{server.url}/processes/{KEY}")
        assert "Version 1 of Pest control visit deployed" in page.locator(".govuk-notification-banner").inner_text()
        check(page)

        page.goto(f"{server.url}/processes")
        row = page.locator("tr", has=page.locator(f"a[href='/processes/{KEY}']"))
        assert re.search(rf"Pest control visit\s+{KEY}\s+1\s+{re.escape(ANALYST)}", row.inner_text())
        check(page)

        cases.start_case(server.ctx, KEY, actor=ANALYST)
        row.locator("a").click()
        page.wait_for_url(f"{server.url}/processes/{KEY}")
        page.locator(".cf-diagram .djs-container svg").wait_for()
        badge = page.locator(".cf-diagram .djs-overlay .cf-diagram__count")
        badge.wait_for()
        assert badge.inner_text() == "1"
        assert page.locator(".cf-diagram .bjs-powered-by").is_visible()  # the bpmn.io watermark stays
        waiting = page.locator("table", has=page.locator("caption", has_text="Cases waiting at each user task"))
        assert re.search(r"Book a pest control visit\s+book\s+1", waiting.inner_text())
        check(page)

        with page.expect_download() as download:
            page.click(f"a[href='/processes/{KEY}/versions/1/files/pest_control.bpmn']")
        saved = tmp_path / "downloaded.bpmn"
        download.value.save_as(saved)
        assert f'id="{KEY}"' in saved.read_text() and "Book a pest control visit" in saved.read_text()

        page.click("a:has-text('Version 1')")
        page.wait_for_url(f"{server.url}/processes/{KEY}/versions/1")
        page.locator(".cf-diagram .djs-container").wait_for()
        check(page)


def redraw(page, data: dict[str, str], run: str) -> None:
    """Replace the page's diagram box by a copy with other data attributes and draw it again, as the
    bpmn_viewer macro would have drawn it with those arguments."""
    page.evaluate("""([data, run]) => {
        const box = document.querySelector('.cf-diagram');
        const copy = box.cloneNode(false);
        copy.className = 'cf-diagram';
        copy.setAttribute('role', 'img');
        Object.assign(copy.dataset, data);
        box.replaceWith(copy);
        return import('/static/diagram.js?' + run);
    }""", [data, run])


def test_a_cases_finished_and_waiting_elements_are_marked(server, page):
    page.goto(f"{server.url}/processes/missed_bin_collection")
    page.locator(".cf-diagram .djs-container").wait_for()
    redraw(page, {"counts": "{}", "completed": '["record_missed_collection"]',
                  "active": '["explain_crew_report", "not_in_this_map"]'}, "marks")
    page.locator(".cf-diagram--ready").wait_for()
    assert page.locator(".djs-element.cf-completed[data-element-id='record_missed_collection']").count() == 1
    assert page.locator(".djs-element.cf-active[data-element-id='explain_crew_report']").count() == 1
    assert page.locator(".cf-diagram__count").count() == 0
    check(page)


def test_a_diagram_that_cannot_be_loaded_or_drawn_says_so(server, page):
    """The viewer's box tells the reader, in words, when the map cannot be fetched or drawn."""
    page.goto(f"{server.url}/processes/missed_bin_collection")
    page.locator(".cf-diagram .djs-container").wait_for()
    redraw(page, {"xmlUrl": "/diagrams/missed_bin_collection/999.bpmn"}, "missing")
    message = page.locator(".cf-diagram--failed .cf-diagram__message")
    message.wait_for()
    assert "could not be loaded (the server answered 404)" in message.inner_text()
    check(page)

    page.goto(f"{server.url}/processes/noise_complaint")  # written by hand: no diagram layout
    message.wait_for()
    assert "has no diagram layout" in message.inner_text()
    check(page)
