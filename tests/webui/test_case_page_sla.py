"""On the case page: the SLA clocks are paused while the council waits for the resident and resumed
(each step in the history), and an open incident is shown above everything else."""
from __future__ import annotations

from engine.casework import cases
from engine.deadlines import sla, sla_clocks
from engine.types import Role, SlaUnit
from tests.browser.pagecheck import assert_good_page
from tests.webui.conftest import csrf_token
from tests.webui.test_admin_incidents import edrms, incident  # noqa: F401  (fixtures)
from tests.webui.test_case_page import ADVISOR, OFFICER, case, client_for, text  # noqa: F401  (fixtures)


def test_clocks_are_paused_with_a_reason_and_resumed_from_the_case_page(app, ctx, case):  # noqa: F811
    sla.set_policy(ctx, "missed_bin_collection", None, sla.SlaTerms(SlaUnit.WORKING_DAYS, 5), "admin")
    # The policy applies to clocks started from now on: a new case of the same process.
    reference = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Sam Jones"}, actor=ADVISOR).reference
    advisor = client_for(app, ADVISOR)
    page = text(advisor.get(f"/cases/{reference}"))
    assert_good_page(page)
    assert "Pause the clocks" in page

    blank = advisor.post(f"/cases/{reference}/sla/pause", data={"csrf_token": csrf_token(page), "reason": " "})
    assert "Enter why the clocks are paused" in text(advisor.get(blank.headers["Location"]))
    assert all(c.state != "paused" for c in sla_clocks.case_clocks(ctx, reference))

    advisor.post(f"/cases/{reference}/sla/pause", data={"csrf_token": csrf_token(page), "reason": "Awaiting photos"})
    assert {c.state for c in sla_clocks.case_clocks(ctx, reference)} == {"paused"}
    paused = text(advisor.get(f"/cases/{reference}"))
    assert "Resume the clocks" in paused and "Awaiting photos" in paused  # the reason is in the timeline
    advisor.post(f"/cases/{reference}/sla/resume", data={"csrf_token": csrf_token(paused)})
    assert "paused" not in {c.state for c in sla_clocks.case_clocks(ctx, reference)}


def test_nobody_outside_the_case_pauses_its_clocks(app, ctx, case, make_user):  # noqa: F811
    reference, _ = case
    make_user("elsewhere@example.gov.uk", Role.BACK_OFFICE, teams=("Highways",))
    outsider = client_for(app, "elsewhere@example.gov.uk")
    token = csrf_token(text(outsider.get("/inbox")))
    response = outsider.post(f"/cases/{reference}/sla/pause", data={"csrf_token": token, "reason": "No"})
    assert response.status_code == 404  # a case outside one's teams answers as if it did not exist


def test_an_open_incident_is_shown_on_its_case_with_a_link_for_admins(signed_in, incident):  # noqa: F811
    page = signed_in(Role.ADMIN).get(f"/cases/{incident.case}").get_data(as_text=True)
    assert_good_page(page)
    assert "A hand-off to a back-office system needs a person" in page
    assert f'href="/admin/incidents/{incident.id}"' in page
