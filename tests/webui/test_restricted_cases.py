"""Need-to-know cases: a case of a restricted directory service is seen in full only by its teams;
other staff who would see an ordinary case learn only that it exists and whom to contact, in pages,
the API, case search and a customer's history; a team lead or admin may open it with a reason, which
its history records, for a short time."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.casework import casesearch, cases, customers, queries
from engine.catalogue import directory_entries
from engine.people import restricted
from engine.clock import FixedClock
from engine.errors import CaseNotFound, CaseRestricted, Forbidden, UserError
from engine.types import Role
from tests.engine.helpers import deploy_library

from .conftest import csrf_token
from .test_api import Api, api_as  # noqa: F401  (fixture)

ADMIN = "admin@example.gov.uk"


@pytest.fixture
def world(ctx, make_user):
    """Pat's adult safeguarding concern (restricted; delivered by Adult Social Care, its task with
    Member Services) and Pat's ordinary pothole report."""
    deploy_library(ctx)
    directory_entries.save_entry(ctx, directory_entries.Entry(
        key="adult_safeguarding", name="Concern about an adult", action="hand_off", team="Adult Social Care",
        sensitivity="restricted"), ADMIN)
    pat = customers.create_customer(ctx, {"name": "Pat Restricted", "postcode": "AN1 2BC"})
    concern = cases.start_case(ctx, "member_enquiry", {}, customer_id=pat.id, service="adult_safeguarding")
    pothole = cases.start_case(ctx, "pothole_report", {}, customer_id=pat.id)
    people = {"advisor": make_user("advisor@example.gov.uk", Role.FRONT_OFFICE, teams=("Customer Hub",)),
              "social_worker": make_user("sw@example.gov.uk", Role.BACK_OFFICE, teams=("Adult Social Care",)),
              "member_services": make_user("ms@example.gov.uk", Role.BACK_OFFICE, teams=("Member Services",)),
              "waste": make_user("waste@example.gov.uk", Role.BACK_OFFICE, teams=("Waste Services",)),
              "waste_lead": make_user("lead@example.gov.uk", Role.TEAM_LEAD, teams=("Waste Services",)),
              "admin": make_user(ADMIN, Role.ADMIN)}
    return concern.reference, pothole.reference, pat, people


def test_only_its_teams_see_a_restricted_case_and_others_learn_whom_to_contact(ctx, world):
    concern, pothole, _, people = world
    for who in ("social_worker", "member_services"):
        queries.require_case_visible(ctx, concern, people[who])  # the delivering team and the task's team
    for who in ("advisor", "admin"):
        with pytest.raises(CaseRestricted) as notice:
            queries.require_case_visible(ctx, concern, people[who])
        assert notice.value.contact == ["Adult Social Care", "Member Services"]
        assert notice.value.may_open_with_reason is (who == "admin")
        queries.require_case_visible(ctx, pothole, people[who])  # ordinary cases as before
    for who in ("waste", "waste_lead"):  # not even told it exists: as any other team's case
        with pytest.raises(CaseNotFound):
            queries.require_case_visible(ctx, concern, people[who])


def test_search_and_a_customers_history_show_only_that_it_exists(ctx, world):
    concern, pothole, pat, people = world
    found = {h.reference: h for h in casesearch.find_cases(ctx, casesearch.CaseSearch("pat restricted"),
                                                           people["advisor"]).items}
    assert found[pothole].service == "Pothole report" and found[pothole].customer == "Pat Restricted"
    assert (found[concern].restricted, found[concern].service, found[concern].customer, found[concern].team) == (
        True, "Restricted case", None, "Adult Social Care, Member Services")
    full = casesearch.find_cases(ctx, casesearch.CaseSearch(concern), people["social_worker"]).items
    assert [(h.restricted, h.customer) for h in full] == [(False, "Pat Restricted")]
    history = {c.reference: c for c in customers.customer_history(ctx, pat.id, people["advisor"])}
    assert history[concern].service == "Restricted case" and history[concern].outcome is None
    assert customers.customer_history(ctx, pat.id)[1].service != "Restricted case"  # the operator sees all


def test_a_team_lead_or_admin_opens_it_with_a_reason_recorded_for_thirty_minutes(ctx, world):
    concern, pothole, _, people = world
    with pytest.raises(UserError, match="at least 10 characters"):
        restricted.open_with_reason(ctx, concern, people["admin"], "urgent")
    with pytest.raises(Forbidden, match="Only team leads and admins"):
        restricted.open_with_reason(ctx, concern, people["advisor"], "The resident is at the desk in distress")
    with pytest.raises(CaseNotFound):
        restricted.open_with_reason(ctx, concern, people["waste_lead"], "The resident is at the desk in distress")
    with pytest.raises(UserError, match="not restricted"):
        restricted.open_with_reason(ctx, pothole, people["admin"], "The resident is at the desk in distress")
    granted = restricted.open_with_reason(ctx, concern, people["admin"], "Police asked for the contact details")
    queries.require_case_visible(ctx, concern, people["admin"])
    assert granted.until - ctx.clock.now() <= timedelta(minutes=30)
    opened = [e for e in cases.show_case(ctx, concern).history if e.kind == "restricted_case_opened"]
    assert [(e.actor, e.detail["reason"]) for e in opened] == [(ADMIN, "Police asked for the contact details")]


def test_an_old_grant_no_longer_opens_it(ctx, world):
    concern, _, _, people = world
    ctx.clock = FixedClock(ctx.clock.now() - timedelta(hours=2))  # granted two hours ago
    restricted.open_with_reason(ctx, concern, people["admin"], "Checking an old referral for audit")
    with pytest.raises(CaseRestricted):
        queries.require_case_visible(ctx, concern, people["admin"])


def test_the_case_page_shows_the_notice_and_opens_with_a_reason(app, ctx, world):
    from .conftest import sign_in

    concern, _, _, people = world
    advisor = app.test_client()
    sign_in(advisor, people["advisor"])
    page = advisor.get(f"/cases/{concern}")
    body = page.get_data(as_text=True)
    assert page.status_code == 403 and "This case is restricted" in body
    assert "Adult Social Care or Member Services" in body and "Open it in an emergency" not in body
    assert "Concern about an adult" not in body
    admin = app.test_client()
    sign_in(admin, people["admin"])
    notice = admin.get(f"/cases/{concern}").get_data(as_text=True)
    assert "Open it in an emergency" in notice
    short = admin.post(f"/cases/{concern}/open-with-reason", data={"csrf_token": csrf_token(notice), "reason": "now"})
    assert short.status_code == 403 and 'href="#reason"' in short.get_data(as_text=True)
    opened = admin.post(f"/cases/{concern}/open-with-reason",
                        data={"csrf_token": csrf_token(notice), "reason": "Police asked for the contact details"})
    assert opened.status_code == 302
    case_page = admin.get(f"/cases/{concern}").get_data(as_text=True)
    assert "opened this restricted case: Police asked for the contact details" in case_page


def test_the_api_answers_403_with_whom_to_contact(world, api_as):  # noqa: F811
    concern, pothole, _, _ = world
    advisor = api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))
    refused = advisor.get(f"/cases/{concern}")
    assert refused.status_code == 403
    assert refused.get_json()["restricted"] is True
    assert refused.get_json()["contact"] == ["Adult Social Care", "Member Services"]
    assert advisor.get(f"/cases/{pothole}").status_code == 200
    social_worker = api_as(Role.BACK_OFFICE, teams=("Adult Social Care",))
    assert social_worker.get(f"/cases/{concern}").status_code == 200
