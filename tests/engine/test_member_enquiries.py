"""Issue 14, item 2 (engine): a councillor raises member enquiries (or Member Services raise them for
them), follows their own (and, when an admin allows it, their ward's) and nobody else's, adds
information through the case writer, and is told through Notify when an enquiry is answered."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.members import councillors, member_enquiries as me
from engine.people import notifications, users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.members.enquiry_answers import answered_text
from engine.errors import CaseNotFound, CaseNotOpen, Forbidden, FormInvalid
from engine.persistence.db import Database
from engine.persistence.tables import Case, CaseContact, Notification
from engine.types import Channel, ContactKind, Role
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library
from engine.casework import cases

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
JONES, PATEL, OFFICER = "cllr.jones@example.gov.uk", "cllr.patel@example.gov.uk", "ms@example.gov.uk"
ENQUIRY = {"ward": "Riverside", "enquiry_type": "on_behalf_of_resident", "resident_name": "Mrs A Smith",
           "resident_address": "4 Canal Row, Anytown AT4 5EF", "resident_consent": "yes",
           "enquiry_summary": "Bins missed twice this month", "priority": "standard"}


class Sender:
    def __init__(self) -> None:
        self.sent: list[notifications.OutgoingNotification] = []

    def send(self, message: notifications.OutgoingNotification) -> None:
        self.sent.append(message)


@pytest.fixture
def council(database_url, cli):
    ctx = Context(Database(database_url), clock=FixedClock(MONDAY), settings=Settings(forms_dir=FORMS))
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        now = ctx.clock.now()
        users.add_user(s, JONES, "Jones", [Role.COUNCILLOR], now, [])
        users.add_user(s, PATEL, "Patel", [Role.COUNCILLOR], now, [])
        users.add_user(s, OFFICER, "Mo", [Role.BACK_OFFICE], now, ["Member Services"])
        users.add_user(s, "hw@example.gov.uk", "Hal", [Role.BACK_OFFICE], now, ["Highways"])
    result = cli("sla", "set", "member_enquiry", "--working-days", "10", "--when", 'priority == "urgent"=2')
    assert result.exit_code == 0, result.output
    yield ctx
    ctx.db.dispose()


def _case(ctx: Context, reference: str) -> Case:
    with ctx.db.transaction(readonly=True) as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        s.expunge(case)
        return case


def test_councillor_raises_an_enquiry_sees_it_due_and_is_told_when_it_is_answered(council):
    reference = me.raise_enquiry(council, JONES, ENQUIRY, JONES)
    case = _case(council, reference)
    assert case.channel == Channel.COUNCILLOR and case.data["customer_email"] == JONES
    [mine] = me.my_enquiries(council, JONES)
    assert (mine.reference, mine.status, mine.mine) == (reference, "Received", True)
    assert mine.due_at == "2026-03-16T17:00:00+00:00"  # 10 working days
    urgent = me.raise_enquiry(council, JONES, {**ENQUIRY, "priority": "urgent"}, JONES)
    assert me.enquiry(council, JONES, urgent).enquiry.due_at == "2026-03-04T17:00:00+00:00"  # 2 working days

    view = cases.show_case(council, reference).case
    view = complete(council, view, "log_member_enquiry", {**ENQUIRY, "service_area": "waste",
                                                           "answer_route": "answer_directly"}, OFFICER)
    assert me.enquiry(council, JONES, reference).enquiry.status == "In progress"
    complete(council, view, "answer_directly", {"response_text": "Your collection is on Tuesdays.",
                                                "response_sent_date": "2026-03-03"}, OFFICER)
    detail = me.enquiry(council, JONES, reference)
    assert detail.enquiry.status == "Answered" and detail.answer == "Your collection is on Tuesdays."
    assert not detail.may_add_information
    assert [h.text for h in detail.history] == [
        "Enquiry raised", "Member Services: Log member enquiry", "Member Services: Answer from published information",
        "Answered", "Enquiry closed"]
    sender = Sender()
    council.notifier = sender
    assert notifications.dispatch(council) == 1
    assert [(m.email, m.text, m.case_reference) for m in sender.sent] == [(JONES, answered_text(reference), reference)]
    assert notifications.dispatch(council) == 0  # told once


def test_a_councillor_sees_only_their_own_enquiries_unless_an_admin_shows_them_their_ward(council, cli):
    own = me.raise_enquiry(council, JONES, ENQUIRY, JONES)
    elsewhere = me.raise_enquiry(council, JONES, {**ENQUIRY, "ward": "Hilltop"}, JONES)
    assert me.my_enquiries(council, PATEL) == []
    with pytest.raises(CaseNotFound, match=f"There is no enquiry {own}"):
        me.enquiry(council, PATEL, own)
    with pytest.raises(CaseNotFound):
        me.add_information(council, PATEL, own, "I know more")

    result = cli("councillors", "set-ward", PATEL, "riverside", "--ward-visible", "--json")
    assert result.exit_code == 0, result.output
    assert result.json() == {"id": result.json()["id"], "email": PATEL, "name": "Patel", "ward": "riverside",
                             "ward_visible": True}
    [seen] = me.my_enquiries(council, PATEL)
    assert (seen.reference, seen.mine, seen.councillor) == (own, False, "Jones")
    assert me.enquiry(council, PATEL, own).may_add_information is False
    with pytest.raises(Forbidden):
        me.add_information(council, PATEL, own, "I know more")
    with pytest.raises(CaseNotFound):
        me.enquiry(council, PATEL, elsewhere)
    councillors.set_ward(council, PATEL, "Riverside", False)
    assert me.my_enquiries(council, PATEL) == []
    with pytest.raises(CaseNotFound):  # a staff member's case reference is not an enquiry
        me.enquiry(council, JONES, "CF-999999")


def test_adding_information_is_a_councillor_contact_in_the_history_and_tells_the_team(council):
    reference = me.raise_enquiry(council, JONES, ENQUIRY, JONES)
    with pytest.raises(FormInvalid) as empty:
        me.add_information(council, JONES, reference, "  ")
    assert empty.value.errors == {"information": "Enter the information you want to add"}
    me.add_information(council, JONES, reference, "The resident says it was missed again today")
    with council.db.transaction(readonly=True) as s:
        [contact] = s.scalars(select(CaseContact))
        assert (contact.channel, contact.kind, contact.logged_by) == (Channel.COUNCILLOR, ContactKind.ADDING_INFORMATION,
                                                                      JONES)
        told = [(n.user_id, n.text) for n in s.scalars(select(Notification))]
    assert len(told) == 1 and "Cllr Jones added information to" in told[0][1]
    assert me.enquiry(council, JONES, reference).history[-1].quote == "The resident says it was missed again today"

    cases.cancel_case(council, reference, OFFICER, "duplicate of another enquiry")
    with pytest.raises(CaseNotOpen):
        me.add_information(council, JONES, reference, "more")
    history = me.enquiry(council, JONES, reference).history
    assert history[-1].text.startswith("Closed without an answer") and "duplicate" not in str(history)


def test_member_services_raise_for_a_councillor_and_others_may_not(council):
    with pytest.raises(Forbidden):
        me.raise_enquiry(council, JONES, ENQUIRY, "hw@example.gov.uk", "phone")
    with pytest.raises(Forbidden):
        me.raise_enquiry(council, JONES, ENQUIRY, PATEL, "phone")  # a member raises only their own
    with pytest.raises(FormInvalid) as how:
        me.raise_enquiry(council, JONES, ENQUIRY, OFFICER)
    assert how.value.errors == {"received_by": "Select how the councillor got in touch"}
    reference = me.raise_enquiry(council, JONES, ENQUIRY, OFFICER, "phone")
    assert me.may_raise_for_members(council, OFFICER) and not me.may_raise_for_members(council, "hw@example.gov.uk")
    [mine] = me.my_enquiries(council, JONES)
    assert mine.reference == reference
    assert me.enquiry(council, JONES, reference).history[0].text == "Enquiry raised for you by Member Services"
    assert _case(council, reference).data["received_by"] == "phone"


def test_the_map_s_own_form_checks_what_the_councillor_gives(council):
    with pytest.raises(FormInvalid) as bad:
        me.raise_enquiry(council, JONES, {"enquiry_type": "on_behalf_of_resident", "ward": "x" * 61}, JONES)
    assert bad.value.errors == {
        "ward": "Ward must be 60 characters or fewer", "resident_name": "Enter the resident's name",
        "resident_address": "Enter the resident's address",
        "resident_consent": "Select whether the resident has agreed to their details being shared",
        "enquiry_summary": "Enter what the enquiry is", "priority": "Select the priority"}
    with pytest.raises(councillors.CouncillorNotFound):
        me.raise_enquiry(council, OFFICER, ENQUIRY, OFFICER, "phone")  # staff are not councillors
