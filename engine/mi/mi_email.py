"""Email figures for MI (``engine.mi.mi`` puts them under ``email``): emails received per mailbox per day,
what became of them (the outcome split), the time to the first reply sent from the case, and bounces.

Read straight from the email tables (no roll-up: a council's mailboxes take thousands of emails a day,
not millions), for the emails *received* in the period; days are local (``calendar.local``). The team
filter is the email's triage team; the channel filter the mailbox's channel (email or councillor).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..deadlines.calendar import WorkingCalendar
from ..persistence.tables import Email, EmailReply, Mailbox
from ..types import EmailStatus

OUTCOMES = (EmailStatus.STARTED, EmailStatus.LINKED, EmailStatus.RESOLVED, EmailStatus.OPEN, EmailStatus.IGNORED,
            EmailStatus.NEW)


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, -(-int(share * 100) * len(ordered) // 100) - 1)], 1)


def figures(session: Session, start: date, end: date, calendar: WorkingCalendar, team_id: int | None = None,
            channel: str | None = None) -> dict[str, Any]:
    """The email figures for the local days ``start`` to ``end`` (included)."""
    since = datetime.combine(start, time(), tzinfo=calendar.zone)
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=calendar.zone)
    query = (select(Email.id, Mailbox.name, Mailbox.channel, Email.received_at, Email.status, Email.bounce_of)
             .join(Mailbox, Mailbox.id == Email.mailbox_id)
             .where(Email.received_at >= since, Email.received_at < until))
    if team_id is not None:
        query = query.where(Email.team_id == team_id)
    if channel is not None:
        query = query.where(Mailbox.channel == channel)
    rows = session.execute(query).all()
    first_sent: dict[int, datetime] = dict(session.execute(  # type: ignore[arg-type]
        select(EmailReply.email_id, func.min(EmailReply.sent_at)).join(Email, Email.id == EmailReply.email_id)
        .where(Email.received_at >= since, Email.received_at < until, EmailReply.sent_at.is_not(None))
        .group_by(EmailReply.email_id)).all())
    daily: Counter[tuple[str, str]] = Counter()
    boxes: dict[str, Counter[str]] = {}
    channels: dict[str, str] = {}
    waits: list[float] = []
    bounces = unanswered = 0
    for email_id, box, box_channel, received_at, status, bounce_of in rows:
        daily[(calendar.local(received_at).date().isoformat(), box)] += 1
        boxes.setdefault(box, Counter())[status] += 1
        channels[box] = box_channel
        bounces += bounce_of is not None
        if email_id in first_sent:
            waits.append((first_sent[email_id] - received_at).total_seconds() / 60)
        elif status != EmailStatus.IGNORED:  # automatic messages are never answered
            unanswered += 1
    outcomes = {str(s): sum(c[s] for c in boxes.values()) for s in OUTCOMES}
    return {
        "received": len(rows),
        "outcomes": outcomes,
        "by_mailbox": [{"mailbox": box, "channel": channels[box], "received": sum(c.values()),
                        **{str(s): c[s] for s in OUTCOMES}} for box, c in sorted(boxes.items())],
        "daily": [{"day": day, "mailbox": box, "received": n} for (day, box), n in sorted(daily.items())],
        "first_response": {"answered": len(waits), "unanswered": unanswered,
                           "median_minutes": _percentile(waits, 0.5), "p90_minutes": _percentile(waits, 0.9)},
        "bounces": bounces,
    }
