"""SpiffArena's script helpers answer from the case in the running engine: who acts, who started the
case, who last completed a task, who is in a team, and which case and process this is."""
from __future__ import annotations

from engine.casework import cases
from engine.people import users
from engine.people.users import Role
from tests.engine.helpers import complete, deploy_text
from tests.engine.maps import process

ADVISOR, OFFICER = "alex.advisor@example.gov.uk", "olu.officer@example.gov.uk"
MAP = process("helpers_demo", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="on_start" />
    <bpmn:scriptTask id="on_start"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>opened_by = get_current_user()["username"]</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="on_start" targetRef="review" />
    <bpmn:userTask id="review" name="Review"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="after" />
    <bpmn:scriptTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>me = get_current_user()["display_name"]
starter = get_process_initiator_user()["username"]
reviewer = get_last_user_completing_task("helpers_demo", "review")["username"]
team = get_group_members("Customer Hub")
info = get_toplevel_process_info()
task = get_current_task_info()["bpmn_identifier"]</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def test_helpers_answer_from_the_case_and_its_people(ctx):
    deploy_text(ctx, "helpers_demo.bpmn", MAP)
    with ctx.db.transaction() as session:
        users.add_user(session, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], ctx.clock.now(), ["Customer Hub"])
        users.add_user(session, OFFICER, "Olu Officer", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
    view = cases.start_case(ctx, "helpers_demo", actor=ADVISOR)
    done = complete(ctx, view, "review", {}, actor=OFFICER)
    assert done.status == "completed", done.error
    data = cases.show_case(ctx, done.reference).data
    assert data["opened_by"] == ADVISOR
    assert (data["me"], data["starter"], data["reviewer"]) == ("Olu Officer", ADVISOR, OFFICER)
    assert data["team"] == sorted([ADVISOR, OFFICER])
    assert data["info"] == {"process_instance_id": done.reference, "process_model_identifier": "helpers_demo"}
    assert data["task"] == "after"
