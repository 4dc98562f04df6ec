"""An admin sets up a new team in real Chromium: adds the team, maps a lane of a deployed map to
it (new cases' tasks go there), adds a member of staff to it and gives them an API token, which is
shown once. Every page on the way is checked with axe-core."""
from __future__ import annotations

import re
import uuid

import requests

from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role

from .journey import check
from .server import add_staff, chromium

LICENSING_MAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_{key}"
    targetNamespace="https://councilflow.example">
  <bpmn:collaboration id="collab_{key}"><bpmn:participant id="p_{key}" processRef="{key}" /></bpmn:collaboration>
  <bpmn:process id="{key}" name="Street trading licence" isExecutable="true">
    <bpmn:laneSet id="lanes_{key}">
      <bpmn:lane id="lane_{key}" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the application">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_admin_maps_a_lane_to_a_new_team_adds_a_member_and_gives_them_a_token(server):
    suffix = uuid.uuid4().hex[:6]
    key, lane, team = f"street_trading_{suffix}", f"Licensing {suffix}", f"Street Trading {suffix}"
    registry.deploy(server.ctx, {f"{key}.bpmn": LICENSING_MAP.format(key=key, lane=lane).encode()})
    admin = add_staff(server.ctx, f"admin-{suffix}@example.gov.uk", "Ada Admin", [Role.ADMIN])
    with chromium(server, admin) as context:
        page = context.new_page()
        page.goto(f"{server.url}/admin/teams")
        check(page)
        page.fill("#team_name", team)
        page.click("button:has-text('Add team')")
        assert f"Added the team {team}" in page.inner_text(".govuk-notification-banner")
        check(page)

        page.click("text=Choose which team works each lane")
        assert page.url.endswith("/admin/lanes") and "applies to new tasks" in page.inner_text("main")
        check(page)
        page.get_by_label(f"Team for {lane}", exact=True).select_option(team)
        page.click("button:has-text('Save lanes')")
        assert lane in page.inner_text(".govuk-notification-banner")
        assert page.get_by_label(f"Team for {lane}", exact=True).input_value() == team
        check(page)

        started = cases.start_case(server.ctx, key, {})
        assert started.tasks[0].team == team
        page.goto(f"{server.url}/admin/teams")
        row = page.locator("tr", has_text=team)
        assert row.locator("td").nth(2).inner_text().strip() == "1"  # its open task
        check(page)

        email = f"trader-officer-{suffix}@example.gov.uk"
        page.goto(f"{server.url}/admin/users/new")
        check(page)
        page.fill("#email", email)
        page.fill("#name", "Tariq Trader")
        page.get_by_label("Back office", exact=True).check()
        page.get_by_label(team, exact=True).check()
        page.fill("#password", "street trading passphrase")
        page.click("button:has-text('Add user')")
        assert "can now use councilflow" in page.inner_text(".govuk-notification-banner")
        assert page.get_by_label(team, exact=True).is_checked()
        check(page)
        page.goto(f"{server.url}/admin/users?team={team}")
        assert email in page.inner_text("table")
        check(page)

        page.goto(f"{server.url}/admin/tokens")
        check(page)
        page.select_option("#owner", email)
        page.fill("#label", "Licensing system")
        page.click("button:has-text('Create token')")
        token = page.inner_text("#new-token").strip()
        assert token.startswith("cf_") and "shown only this once" in page.inner_text("main")
        check(page)
        answer = requests.get(f"{server.url}/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200 and started.reference in answer.text
        page.goto(f"{server.url}/admin/tokens")
        assert token not in page.content() and re.search("Licensing system", page.inner_text("table"))
        check(page)
