"""The SLA editor on /admin/sla/policy: escalations as checkboxes (notify the team lead, reassign to a
team, send a BPMN message) per trigger, conditional targets as rows, every mistake in GOV.UK's error
summary; and the list of SLAs naming each task once."""
from __future__ import annotations

import re

import pytest

from engine.deadlines import sla
from engine.types import Role
from tests.engine import maps
from tests.engine.helpers import deploy_library, deploy_text

from .conftest import csrf_token
from .test_documents import REVIEW

RENAMED = REVIEW.replace('name="Review the letter"', 'name="Check the letter"')


@pytest.fixture
def admin(ctx, signed_in, make_user):
    deploy_text(ctx, "review_letter.bpmn", REVIEW)
    make_user("waste-lead@example.gov.uk", Role.TEAM_LEAD, teams=("Waste Services",))
    return signed_in(Role.ADMIN)


def post(client, data):
    token = csrf_token(client.get("/admin/sla/policy").get_data(as_text=True))
    return client.post("/admin/sla/policy", data={"csrf_token": token, **data})


FULL = {"target": "review_letter:review", "unit": "working_days", "amount": "10", "warn_at": "75",
        "when_1": 'priority == "urgent"', "then_1": "2", "when_2": "", "then_2": "",
        "warning_actions": ["notify-team-lead"], "breach_actions": ["reassign", "message"],
        "breach_team": "Waste Services", "breach_message": "review_overdue", "warning_team": "", "warning_message": ""}


def test_an_admin_ticks_escalations_and_writes_a_condition_and_gets_them_back(admin, ctx):
    response = post(admin, FULL)
    assert response.status_code == 302, response.get_data(as_text=True)
    [policy] = sla.list_policies(ctx)
    assert [str(e) for e in policy.terms.escalations] == [  # the stored words the CLI and API use
        "warning:notify-team-lead", "breach:reassign:Waste Services", "breach:message:review_overdue"]
    assert [(r.when, r.amount) for r in policy.terms.rules] == [('priority == "urgent"', 2)]
    listing = admin.get("/admin/sla").get_data(as_text=True)
    assert "2 working days if priority == &#34;urgent&#34;, otherwise 10 working days" in listing
    assert "At the warning: notify the team lead" in listing
    assert "At breach: reassign to another team (Waste Services)" in listing
    assert "At breach: send a BPMN message to the case (review_overdue)" in listing

    edit = admin.get("/admin/sla/policy?process=review_letter&task=review").get_data(as_text=True)
    assert "Change an SLA" in edit
    assert re.search(r'name="warning_actions" type="checkbox" value="notify-team-lead"[^>]*checked', edit)
    assert re.search(r'name="breach_actions" type="checkbox" value="reassign"[^>]*checked', edit)
    assert re.search(r'name="breach_actions" type="checkbox" value="message"[^>]*checked', edit)
    assert not re.search(r'name="breach_actions" type="checkbox" value="notify-team-lead"[^>]*checked', edit)
    assert '<option value="Waste Services" selected>' in edit and 'value="review_overdue"' in edit
    assert 'value="priority == &#34;urgent&#34;"' in edit and 'name="then_1" type="text" value="2"' in edit

    # Saving the page as shown changes nothing: the form and the stored words translate both ways.
    form = {**FULL, "warning_actions": ["notify-team-lead"]}
    assert post(admin, form).status_code == 302
    assert [str(e) for e in sla.list_policies(ctx)[0].terms.escalations] == [str(e) for e in policy.terms.escalations]


def test_unticking_removes_an_escalation_and_the_cli_words_still_work(admin, ctx):
    post(admin, FULL)
    post(admin, {**FULL, "breach_actions": ["message"], "when_1": "", "then_1": ""})
    [policy] = sla.list_policies(ctx)
    assert [str(e) for e in policy.terms.escalations] == ["warning:notify-team-lead", "breach:message:review_overdue"]
    assert policy.terms.rules == ()


@pytest.mark.parametrize("change, field, message", [
    ({"breach_team": ""}, "breach_team", "Select the team to reassign to when the target is missed"),
    ({"breach_message": ""}, "breach_message", "Enter the name of the BPMN message to send when the target is missed"),
    ({"warn_at": ""}, "warn_at", "Enter when to warn, or untick the actions at the warning"),
    ({"when_1": 'priority == "urgent'}, "when_1", "The condition &#39;priority == &#34;urgent&#39; cannot be used"),
    ({"when_1": "().__class__"}, "when_1", "names that start with an underscore are not allowed"),
    ({"then_1": "soon"}, "then_1", "The target of condition 1 must be a whole number"),
    ({"when_1": ""}, "when_1", "Enter a condition for each conditional target"),
    ({"amount": "0"}, "amount", "An SLA target must be at least 1"),
])
def test_each_mistake_is_in_the_error_summary_linked_to_its_field(admin, ctx, change, field, message):
    response = post(admin, {**FULL, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and page.startswith("<!DOCTYPE html>")
    assert re.search(f'<a href="#{field}">[^<]*{re.escape(message)}', page)  # the summary's link to the field
    assert f'id="{field}-error"' in page  # and the message beside the field
    assert sla.list_policies(ctx) == []
    assert 'value="Waste Services" selected' in page or change.get("breach_team") == ""  # what was typed stays


def test_all_mistakes_are_listed_at_once_in_the_order_of_the_page(admin):
    page = post(admin, {**FULL, "target": "", "amount": "x", "breach_team": "", "breach_message": ""}).get_data(
        as_text=True)
    links = re.findall(r'<a href="#([a-z_0-9]+)">', page)
    assert links[:4] == ["target", "amount", "breach_team", "breach_message"]


def test_the_list_shows_each_task_once_named_by_the_version_that_applies(admin, ctx):
    post(admin, {"target": "review_letter:review", "unit": "working_days", "amount": "3"})
    post(admin, {"target": "review_letter:", "unit": "working_days", "amount": "5"})
    deploy_text(ctx, "review_letter.bpmn", RENAMED)  # version 2 renames the task
    page = admin.get("/admin/sla").get_data(as_text=True)
    table = page[page.index("<tbody"):page.index("</tbody>")]
    assert table.count("<tr") == 2 and table.count(">review_letter – Check the letter<br>") == 1
    assert "Review the letter" not in table and table.count("as in version 2") == 2
    choices = admin.get("/admin/sla/policy").get_data(as_text=True)
    assert choices.count('value="review_letter:review"') == 1 and "review_letter – Check the letter" in choices


def test_tasks_that_share_a_name_can_be_told_apart_when_choosing(ctx, signed_in):
    deploy_library(ctx)
    page = signed_in(Role.ADMIN).get("/admin/sla/policy").get_data(as_text=True)
    labels = re.findall(r'<option value="member_enquiry:[^"]*"[^>]*>([^<]*)<', page)
    assert "Member enquiry – Prepare draft response (Highways)" in labels and len(labels) == len(set(labels))


def test_an_sla_for_a_task_of_an_older_version_only_says_so(admin, ctx):
    extra = maps.process("review_letter", maps.start("f1") + maps.user_task("triage", "Triage", "f1", "f2")
                         + maps.end("done", "f2") + maps.flow("f1", "start", "triage") + maps.flow("f2", "triage", "done"))
    post(admin, {"target": "review_letter:review", "unit": "working_days", "amount": "3"})
    deploy_text(ctx, "review_letter.bpmn", extra)  # version 2 has no 'review' task
    table = admin.get("/admin/sla").get_data(as_text=True)
    assert "review_letter – Review the letter" in table and "as in version 1" in table
