"""Handing a task back to the front office with a question, and the front office's answer.

Hand-back is a visible, audited step, not a side door: the task keeps its row and its assignee but
waits in ``handed_back`` (it cannot be completed), a ``Question`` row is put to the front-office
team (``Settings.default_team``), and both the question and the answer are in the case's history.
The team's members are notified of the question, and whoever asked of the answer, in the same
transaction (engine/people/notifications.py).
Both writes go through the case writer, which locks the case row first, so a hand-back racing a completion
of the same task is serialised: one wins, the other is told why it cannot go ahead.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import Conflict, Forbidden, NotFound, TaskClaimedByOther, UserError
from ..people import notifications, permissions, routing, users
from ..persistence.tables import Case, Question, Task, Team, User
from ..types import EventKind, TaskStatus
from . import cases, writer
from .views import iso

MAX_TEXT = 2000


class QuestionNotFound(NotFound):
    pass


@dataclass(frozen=True)
class QuestionView:
    id: int
    task_id: int
    task_name: str
    task_status: str
    case: str
    process: str
    team: str
    question: str
    asked_by: str
    asked_at: str | None
    answer: str | None
    answered_by: str | None
    answered_at: str | None

    @classmethod
    def of(cls, row: Question, task: Task, case: Case, team: Team) -> "QuestionView":
        return cls(row.id, task.id, task.name, task.status, case.reference or "", case.process_key, team.name,
                   row.question, row.asked_by, iso(row.asked_at), row.answer, row.answered_by,
                   iso(row.answered_at))


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UserError(f"Enter your {what}")
    if len(text) > MAX_TEXT:
        raise UserError(f"Your {what} must be {MAX_TEXT} characters or fewer (it is {len(text)})")
    return text


def hand_back(ctx: Context, task_id: int, question: str, actor: str) -> QuestionView:
    """Put ``task_id`` on hold and ask the front office ``question``; the task comes back (to the
    same assignee) when they answer."""
    text = _text(question, "question")
    with writer.open_case(ctx, task_id=task_id, actor=actor) as w:
        case, task, who, session = w.case, w.task, w.user, w.session
        assert task is not None and who is not None
        cases.require_open(task)
        permissions.require_team_member(session, who, task)
        if task.assignee_id not in (None, who.id) and not permissions.is_admin(who):
            raise TaskClaimedByOther(f"Task {task.id} is claimed by {permissions.claimant(task)}; "
                                     f"only they can hand it back")
        team = routing.ensure_team(session, ctx.settings.default_team, w.now)
        if task.team_id == team.id:
            raise UserError(f"Task {task.id} is already {team.name}'s own task, so it cannot be handed back to them")
        task.status = TaskStatus.HANDED_BACK
        row = Question(task_id=task.id, case_id=case.id, team_id=team.id, question=text, asked_by=who.email,
                       asked_at=w.now)
        session.add(row)
        session.flush()
        w.record(EventKind.TASK_HANDED_BACK, task, task_name=task.name, question=text, team=team.name,
                 question_id=row.id)
        # To the case, not the task: the front office answers from the case, not from a task of another team's.
        notifications.notify(session, notifications.team_members(session, {team.id}),
                             f"{who.name} asked {team.name} about {case.reference} ({task.name}): "
                             f"{notifications.quoted(text)}", w.now, case, actor=who)
        return QuestionView.of(row, task, case, team)


def _may_answer(session: Session, user: User, row: Question) -> bool:
    return permissions.is_admin(user) or row.team_id in users.team_ids(session, user)


def answer_question(ctx: Context, question_id: int, answer: str, actor: str) -> QuestionView:
    """Record the front office's answer and give the task back to whoever had it."""
    text = _text(answer, "answer")
    with ctx.db.transaction(readonly=True) as session:
        task_id = session.scalar(select(Question.task_id).where(Question.id == question_id))
    if task_id is None:
        raise QuestionNotFound(f"There is no question {question_id}")
    with writer.open_case(ctx, task_id=task_id, actor=actor) as w:
        case, task, who, session = w.case, w.task, w.user, w.session
        assert task is not None and who is not None
        row = session.get_one(Question, question_id, populate_existing=True)
        team = session.get_one(Team, row.team_id)
        if not _may_answer(session, who, row):
            raise Forbidden(f"Question {row.id} was put to {team.name}; only its members can answer it")
        if row.answer is not None:
            raise Conflict(f"Question {row.id} was already answered by {row.answered_by}")
        if task.status != TaskStatus.HANDED_BACK:
            raise Conflict(f"Task {task.id} ({task.name}) is no longer waiting for this answer (it is {task.status})")
        row.answer, row.answered_by, row.answered_at = text, who.email, w.now
        task.status = TaskStatus.OPEN
        w.record(EventKind.QUESTION_ANSWERED, task, task_name=task.name, question=row.question, answer=text,
                 team=team.name, question_id=row.id)
        asker = users.find_user(session, row.asked_by)
        notifications.notify(session, [asker] if asker is not None and asker.active else [],
                             f"{who.name} answered your question about {case.reference} ({task.name}): "
                             f"{notifications.quoted(text)}", w.now, case, task, actor=who)
        return QuestionView.of(row, task, case, team)


def _views(session: Session, query: Select[Question]) -> list[QuestionView]:
    rows = session.execute(query.join(Task, Task.id == Question.task_id).join(Case, Case.id == Question.case_id)
                           .join(Team, Team.id == Question.team_id).add_columns(Task, Case, Team)
                           .order_by(Question.asked_at, Question.id))
    return [QuestionView.of(row, task, case, team) for row, task, case, team in rows]


def open_questions(ctx: Context, viewer_email: str) -> list[QuestionView]:
    """Unanswered questions put to the viewer's teams (every team's for admins), oldest first; a
    question whose task was withdrawn meanwhile (a timer, a cancelled case) is no longer asked."""
    with ctx.db.transaction(readonly=True) as session:
        viewer = users.get_user(session, viewer_email)
        query = select(Question).where(Question.answer.is_(None), Task.status == TaskStatus.HANDED_BACK)
        if not permissions.is_admin(viewer):
            query = query.where(Question.team_id.in_(users.team_ids(session, viewer)))
        return _views(session, query)


def get_question(ctx: Context, question_id: int, viewer_email: str) -> QuestionView:
    """One question, for a member of the team it was put to (or an admin)."""
    with ctx.db.transaction(readonly=True) as session:
        row = session.get(Question, question_id)
        if row is None:
            raise QuestionNotFound(f"There is no question {question_id}")
        if not _may_answer(session, users.get_user(session, viewer_email), row):
            raise Forbidden(f"Question {row.id} was put to another team")
        return _views(session, select(Question).where(Question.id == question_id))[0]


def task_questions(ctx: Context, task_id: int) -> list[QuestionView]:
    """Every question asked about a task, with its answer, oldest first."""
    with ctx.db.transaction(readonly=True) as session:
        return _views(session, select(Question).where(Question.task_id == task_id))


def case_questions(ctx: Context, reference: str) -> list[QuestionView]:
    """Every question asked on a case, with its answer, oldest first."""
    with ctx.db.transaction(readonly=True) as session:
        return _views(session, select(Question).where(Case.reference == reference))
