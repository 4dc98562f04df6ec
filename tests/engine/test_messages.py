"""BPMN messages to a case: catch events, receive tasks and boundary events; refusals are kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.errors import CaseNotFound, UserError
from engine.casework.messages import MessageRefused, deliver_message
from engine.persistence.tables import InboundMessage
from tests.engine.helpers import complete, deploy_text
from tests.engine.maps import boundary, catch, end, flow, message, process, start, user_task

WAIT_FOR_REPLY = process("reply", "\n".join([
    start("f1"), user_task("ask", "Ask the resident", "f1", "f2"),
    catch("wait_reply", "f2", "f3", message("resident_reply", variable="reply")),
    user_task("review", "Review the reply", "f3", "f4"), end("done", "f4"),
    flow("f1", "start", "ask"), flow("f2", "ask", "wait_reply"), flow("f3", "wait_reply", "review"),
    flow("f4", "review", "done")]), messages=("resident_reply",))

RECEIVE = process("job", "\n".join([
    start("f1"),
    '<bpmn:receiveTask id="await_job" name="Await the contractor" messageRef="job_done">'
    '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:receiveTask>',
    user_task("check", "Check the work", "f2", "f3"), end("done", "f3"),
    flow("f1", "start", "await_job"), flow("f2", "await_job", "check"), flow("f3", "check", "done")]),
    messages=("job_done",))

WITHDRAWABLE = process("application", "\n".join([
    start("f1"), user_task("assess", "Assess the application", "f1", "f2"), end("decided", "f2"),
    boundary("withdrawn", "assess", "f3", message("application_withdrawn")),
    '<bpmn:scriptTask id="close" name="Close"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>'
    '<bpmn:script>outcome = "withdrawn"</bpmn:script></bpmn:scriptTask>',
    end("withdrawn_end", "f4"),
    flow("f1", "start", "assess"), flow("f2", "assess", "decided"), flow("f3", "withdrawn", "close"),
    flow("f4", "close", "withdrawn_end")]), messages=("application_withdrawn",))


def _stored(ctx) -> list[tuple[str, str, str | None]]:
    with ctx.db.transaction(readonly=True) as s:
        return [(m.name, m.status, m.reason) for m in s.scalars(select(InboundMessage).order_by(InboundMessage.id))]


def test_resident_reply_reaches_the_waiting_catch_event_and_its_variable(ctx):
    deploy_text(ctx, "reply.bpmn", WAIT_FOR_REPLY)
    view = complete(ctx, cases.start_case(ctx, "reply"), "ask", {})
    assert view.tasks == []
    after = deliver_message(ctx, view.reference, "resident_reply", {"answer": "green gate"}, actor="portal")
    assert [t.bpmn_id for t in after.tasks] == ["review"]
    detail = cases.show_case(ctx, view.reference)
    assert detail.data["reply"] == {"answer": "green gate"}
    delivered = [e for e in detail.history if e.kind == "message_delivered"]
    assert delivered[0].actor == "portal" and delivered[0].detail["message"] == "resident_reply"
    assert _stored(ctx) == [("resident_reply", "delivered", None)]


def test_a_message_the_case_is_not_waiting_for_is_refused_clearly_and_kept(ctx):
    deploy_text(ctx, "reply.bpmn", WAIT_FOR_REPLY)
    view = cases.start_case(ctx, "reply")
    with pytest.raises(MessageRefused) as refused:
        deliver_message(ctx, view.reference, "resident_reply", {"answer": "too early"})
    assert refused.value.message == f"Case {view.reference} is not waiting for the message 'resident_reply'"
    assert isinstance(refused.value, UserError)
    view = complete(ctx, view, "ask", {})
    with pytest.raises(MessageRefused, match="it is waiting for: resident_reply"):
        deliver_message(ctx, view.reference, "wrong_name")
    with pytest.raises(CaseNotFound):
        deliver_message(ctx, "CF-999999", "resident_reply")
    assert [(n, s) for n, s, _ in _stored(ctx)] == [("resident_reply", "refused"), ("wrong_name", "refused"),
                                                    ("resident_reply", "refused")]
    assert "message_refused" in [e.kind for e in cases.show_case(ctx, view.reference).history]


def test_receive_task_takes_the_back_office_reply_into_the_case_data(ctx):
    deploy_text(ctx, "job.bpmn", RECEIVE)
    view = cases.start_case(ctx, "job")
    after = deliver_message(ctx, view.reference, "job_done", {"completed_on": "2026-03-04", "crew": "B"})
    assert [t.bpmn_id for t in after.tasks] == ["check"]
    assert cases.show_case(ctx, view.reference).data["crew"] == "B"


def test_interrupting_boundary_message_withdraws_the_application(ctx):
    deploy_text(ctx, "application.bpmn", WITHDRAWABLE)
    view = cases.start_case(ctx, "application")
    after = deliver_message(ctx, view.reference, "application_withdrawn")
    assert after.status == "completed" and after.tasks == []
    detail = cases.show_case(ctx, view.reference)
    assert detail.data["outcome"] == "withdrawn"
    assert [e.kind for e in detail.history].count("task_cancelled") == 1
    with pytest.raises(MessageRefused, match="is completed"):
        deliver_message(ctx, view.reference, "application_withdrawn")
