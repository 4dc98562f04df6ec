"""The staff notifications page: what a lead's assignment and a hand-back told each person, newest
first with the unread marked; opening one marks it read and goes to its task or case; "Mark all as
read" (a form with its CSRF token); the unread count in every page's menu."""
from __future__ import annotations

import re

from engine.casework import cases, handback
from engine.people import notifications
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.test_handback import RECORD
from tests.engine.helpers import complete, deploy_library, task_for
from tests.webui.conftest import csrf_token, sign_in

UNREAD = re.compile(r">\s*Unread\s*</strong>")


def _menu_count(body: str) -> str:
    """The menu's notifications item as text, tags stripped ("Notifications 2 unread")."""
    item = re.search(r'<a class="govuk-service-navigation__link" href="/notifications"[^>]*>(.*?)</a>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", item.group(1)).split())


def test_staff_see_open_and_clear_their_notifications(app, ctx, make_user):
    deploy_library(ctx)
    officer = make_user("officer@example.gov.uk", Role.BACK_OFFICE, teams=("Waste Services",))
    lead = make_user("lead@example.gov.uk", Role.TEAM_LEAD, teams=("Waste Services",))
    advisor = make_user("advisor@example.gov.uk", Role.FRONT_OFFICE, teams=("Customer Hub",))
    view = complete(ctx, cases.start_case(ctx, "missed_bin_collection", channel="phone"),
                    "record_missed_collection", RECORD)
    task_id = task_for(view, "arrange_recollection").id
    cases.assign_task(ctx, task_id, officer, actor=lead)
    question = handback.hand_back(ctx, task_id, "Which gate?", officer)
    handback.answer_question(ctx, question.id, "The blue one", advisor)

    client = app.test_client()
    assert sign_in(client, officer).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert _menu_count(home) == "Notifications 2 unread"
    body = client.get("/notifications").get_data(as_text=True)
    assert_good_page(body)
    listed = re.findall(r'href="/notifications/(\d+)">([^<]+)</a>', body)
    assert [text.split(":")[0] for _, text in listed] == [
        f"advisor answered your question about {view.reference} (Arrange re-collection and record result)",
        f"lead assigned you Arrange re-collection and record result on {view.reference}"]
    assert len(UNREAD.findall(body)) == 2 and "2 unread notifications" in body

    opened = client.get(f"/notifications/{listed[1][0]}")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/tasks/{task_id}"
    assert _menu_count(client.get("/notifications").get_data(as_text=True)) == "Notifications 1 unread"
    assert client.get(f"/notifications/{listed[1][0] + '0'}").status_code == 404

    page = client.get("/notifications").get_data(as_text=True)
    assert client.post("/notifications/read").status_code == 400  # no CSRF token, no change
    done = client.post("/notifications/read", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    cleared = done.get_data(as_text=True)
    assert "1 notification marked as read" in cleared and not UNREAD.findall(cleared)
    assert _menu_count(cleared) == "Notifications"

    front = app.test_client()  # the question went to the Customer Hub, and leads to its case
    assert sign_in(front, advisor).status_code == 302
    [(their_id, text)] = re.findall(r'href="/notifications/(\d+)">([^<]+)</a>',
                                    front.get("/notifications").get_data(as_text=True))
    assert text.startswith(f"officer asked Customer Hub about {view.reference}")
    assert front.get(f"/notifications/{their_id}").headers["Location"] == f"/cases/{view.reference}"
    assert front.get(f"/notifications/{listed[0][0]}").status_code == 404  # the officer's, not theirs
    assert notifications.notification_page(ctx, advisor, unread_only=True).total == 0


def test_no_notifications_says_what_will_appear(signed_in):
    body = signed_in(Role.ANALYST).get("/notifications").get_data(as_text=True)
    assert_good_page(body)
    assert "You have no notifications" in body and _menu_count(body) == "Notifications"
