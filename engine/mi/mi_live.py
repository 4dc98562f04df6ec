"""The live hub board: today's contacts so far, hour by hour, against the same weekday in each of the
last four weeks, and the front office's open tasks and the questions waiting for it now.

Contacts come from the hourly roll-up (``mi_hour``, the definitions of docs/mi.md), hours in the
council's zone; the front office is ``Settings.default_team``, the team hand-back questions go to."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from ..context import Context
from ..deadlines import calendar_settings
from ..people import routing
from ..persistence.tables import MiHour, Question, Task
from ..types import TaskStatus
from .mi_open import midnight

WEEKS = 4  # same weekday in each of the last four weeks
WORKING_HOURS = range(8, 19)  # always shown, even when quiet; other hours only when they had contacts


def board(ctx: Context) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)
        local_now = calendar.local(now)
        today = local_now.date()
        days = [today - timedelta(weeks=k) for k in range(WEEKS + 1)]
        counts: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        bounds = [and_(MiHour.at >= midnight(calendar, d), MiHour.at < midnight(calendar, d + timedelta(days=1)))
                  for d in days]
        for at, n in session.execute(select(MiHour.at, func.sum(MiHour.n)).where(or_(*bounds)).group_by(MiHour.at)):
            local = calendar.local(at)
            counts[local.date()][local.hour] += int(n)
        team = routing.find_team(session, ctx.settings.default_team)
        open_tasks = questions = 0
        if team is not None:
            open_tasks = session.scalar(select(func.count()).select_from(Task).where(
                Task.team_id == team.id, Task.status == TaskStatus.OPEN)) or 0
            questions = session.scalar(select(func.count()).select_from(Question).where(
                Question.team_id == team.id, Question.answered_at.is_(None))) or 0
    before = days[1:]
    hours = sorted({*WORKING_HOURS, *(h for d in days for h, n in counts[d].items() if n)})
    rows = [{"hour": h, "today": counts[today][h] if h <= local_now.hour else None,
             "usual": round(sum(counts[d][h] for d in before) / WEEKS, 1),
             "weeks": [counts[d][h] for d in before]} for h in hours]
    so_far = sum(n for h, n in counts[today].items() if h <= local_now.hour)
    usual_so_far = sum(n for d in before for h, n in counts[d].items() if h <= local_now.hour) / WEEKS
    return {"as_of": local_now.isoformat(timespec="minutes"), "today": today.isoformat(),
            "weekday": today.strftime("%A"), "compared_with": [d.isoformat() for d in before],
            "contacts_so_far": so_far, "usual_so_far": round(usual_so_far, 1),
            "usual_whole_day": round(sum(sum(counts[d].values()) for d in before) / WEEKS, 1),
            "hours": rows, "front_office": ctx.settings.default_team,
            "open_front_office_tasks": int(open_tasks), "questions_waiting": int(questions)}
