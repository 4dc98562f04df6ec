"""Hand-backs through the API: a back-office officer hands a task back to the front office with a
question; the front office lists the questions put to their teams and answers them. The same
engine use cases as the web pages (engine/casework/handback.py), so both are audited the same way."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from engine import casework

from . import bp, context
from .payload import json_body
from .roles import STAFF, current_user, requires
from .schemas import MAX_ID
from .tasks import TASK_ID

QUESTION_ID = f"<int(min=1, max={MAX_ID}):question_id>"


@bp.post(f"/tasks/{TASK_ID}/hand-back")
@requires(*STAFF)
def hand_back_task(task_id: int) -> Any:
    """Put the task on hold and ask the front office; it returns to the same person when answered."""
    question = json_body("HandBack")["question"]
    return jsonify(asdict(casework.hand_back(context(), task_id, question, current_user().email)))


@bp.get("/questions")
@requires(*STAFF)
def list_questions() -> Any:
    """Unanswered questions put to the caller's teams (every team's for admins), oldest first."""
    return jsonify([asdict(q) for q in casework.open_questions(context(), current_user().email)])


@bp.post(f"/questions/{QUESTION_ID}/answer")
@requires(*STAFF)
def answer_question(question_id: int) -> Any:
    answer = json_body("AnswerQuestion")["answer"]
    return jsonify(asdict(casework.answer_question(context(), question_id, answer, current_user().email)))
