"""Staff are told what needs them: the front office of a question handed back to it, the officer of
the answer, and whoever a lead gives a task to; never of what they did themselves. Each notification
is written in the same transaction as its cause, so a refused action tells nobody."""
from __future__ import annotations

import pytest

from engine.casework import cases, handback
from engine.people import notifications, users
from engine.context import Context
from engine.errors import NotFound, UserError
from tests.engine.test_handback import ADVISOR, COLLEAGUE, LEAD, OFFICER, waste  # noqa: F401  (fixture)


def _texts(ctx: Context, email: str, unread_only: bool = True) -> list[str]:
    return [n.text for n in notifications.notification_page(ctx, email, unread_only).items]


def _user_id(ctx: Context, email: str) -> int:
    with ctx.db.transaction(readonly=True) as session:
        return users.get_user(session, email).id


def test_the_front_office_hears_of_a_question_and_the_officer_of_its_answer(ctx, waste):  # noqa: F811
    reference, task_id = waste
    cases.claim_task(ctx, task_id, OFFICER)
    question = handback.hand_back(ctx, task_id, "Which gate is   the bin\nbehind?", OFFICER)

    assert _texts(ctx, ADVISOR) == [f"Olu Officer asked Customer Hub about {reference} (Arrange re-collection and record result): "
                                    "“Which gate is the bin behind?”"]
    told = notifications.notification_page(ctx, ADVISOR).items[0]
    assert told.case == reference and told.task_id is None  # the front office answers from the case
    assert _texts(ctx, OFFICER) == []

    handback.answer_question(ctx, question.id, "The blue gate at the back", ADVISOR)
    assert _texts(ctx, OFFICER) == [f"Alex Advisor answered your question about {reference} "
                                    "(Arrange re-collection and record result): “The blue gate at the back”"]
    assert notifications.notification_page(ctx, OFFICER).items[0].task_id == task_id
    assert len(_texts(ctx, ADVISOR)) == 1  # answering is not news to the one who answered


def test_a_task_given_by_a_lead_is_news_but_one_taken_is_not(ctx, waste):  # noqa: F811
    reference, task_id = waste
    cases.claim_task(ctx, task_id, OFFICER)
    cases.assign_task(ctx, task_id, OFFICER, actor=OFFICER)
    assert _texts(ctx, OFFICER) == []

    cases.assign_task(ctx, task_id, COLLEAGUE, actor=LEAD)
    assert _texts(ctx, COLLEAGUE) == [f"Lee Lead assigned you Arrange re-collection and record result on {reference}"]
    cases.assign_task(ctx, task_id, COLLEAGUE, actor=LEAD)  # already theirs: nothing new
    assert len(_texts(ctx, COLLEAGUE)) == 1 and _texts(ctx, LEAD) == []


def test_a_refused_hand_back_tells_nobody(ctx, waste):  # noqa: F811
    _, task_id = waste
    with pytest.raises(UserError):
        handback.hand_back(ctx, task_id, " ", OFFICER)
    cases.claim_task(ctx, task_id, OFFICER)
    cases.complete_task(ctx, task_id, {"recollection_result": "collected", "recollection_date": "2025-03-12"},
                        actor=OFFICER)
    with pytest.raises(UserError):
        handback.hand_back(ctx, task_id, "Too late?", OFFICER)
    assert _texts(ctx, ADVISOR) == []


def test_unread_are_counted_opened_and_all_marked_read(ctx, waste):  # noqa: F811
    reference, task_id = waste
    cases.assign_task(ctx, task_id, OFFICER, actor=LEAD)
    cases.assign_task(ctx, task_id, COLLEAGUE, actor=LEAD)
    cases.assign_task(ctx, task_id, OFFICER, actor=LEAD)
    officer = _user_id(ctx, OFFICER)
    assert notifications.unread_count(ctx, officer) == 2

    newest, oldest = notifications.notification_page(ctx, OFFICER).items
    assert newest.id > oldest.id
    opened = notifications.open_notification(ctx, OFFICER, oldest.id)
    assert opened.read and opened.task_id == task_id and opened.case == reference
    assert notifications.unread_count(ctx, officer) == 1
    page = notifications.notification_page(ctx, OFFICER)
    assert (page.total, page.unread, [n.read for n in page.items]) == (2, 1, [False, True])
    assert [n.id for n in notifications.notification_page(ctx, OFFICER, unread_only=True).items] == [newest.id]

    with pytest.raises(NotFound):  # another person's notification is not theirs to open
        notifications.open_notification(ctx, COLLEAGUE, newest.id)
    assert notifications.mark_all_read(ctx, OFFICER) == 1
    assert notifications.unread_count(ctx, officer) == 0
    assert notifications.unread_count(ctx, _user_id(ctx, COLLEAGUE)) == 1  # theirs are left alone
