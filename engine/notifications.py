"""Notifications to people: always an in-app row; also sent through an external sender (the GOV.UK
Notify adapter) when one is plugged in as ``Context.notifier``.

Rows are written in the same transaction as whatever caused them (an SLA warning, say), so a
rolled-back escalation notifies nobody. Sending happens afterwards, outside that transaction:
``dispatch`` takes unsent rows with ``FOR UPDATE SKIP LOCKED`` (so several workers never send the
same row), calls the sender and stamps ``sent_at``. A crash between sending and committing can send
one notification twice; it can never lose one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound
from .persistence.tables import Case, Membership, Notification, Task, User
from .types import Role

if TYPE_CHECKING:
    from .context import Context

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingNotification:
    """What an external sender needs: who, what, and which case it is about."""

    email: str
    name: str
    text: str
    case_reference: str | None


class NotificationSender(Protocol):
    """Implemented by the Notify adapter; raising leaves the row unsent, to be tried next time."""

    def send(self, message: OutgoingNotification) -> None: ...


def team_leads(session: Session, team_ids: set[int]) -> list[User]:
    """Active team leads who are members of any of these teams."""
    if not team_ids:
        return []
    members = session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.team_id.in_(team_ids), User.active.is_(True)).order_by(User.id))
    # De-duplicated here: PostgreSQL cannot DISTINCT rows with JSON columns (roles).
    return [u for u in dict.fromkeys(members) if Role.TEAM_LEAD.value in u.roles]


def notify(session: Session, people: list[User], text: str, now: datetime, case: Case | None = None,
           task: Task | None = None) -> int:
    for person in people:
        session.add(Notification(user_id=person.id, case_id=case.id if case else None,
                                 task_id=task.id if task else None, text=text, created_at=now))
    return len(people)


@dataclass
class NotificationView:
    id: int
    text: str
    case: str | None
    task_id: int | None
    created_at: str
    read: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def unread(ctx: "Context", email: str, limit: int = 50) -> list[NotificationView]:
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(select(Notification, Case.reference).outerjoin(Case, Case.id == Notification.case_id)
                               .join(User, User.id == Notification.user_id)
                               .where(User.email == email.strip().lower(), Notification.read_at.is_(None))
                               .order_by(Notification.id.desc()).limit(limit))
        return [NotificationView(n.id, n.text, ref, n.task_id, n.created_at.isoformat(), False) for n, ref in rows]


def mark_read(ctx: "Context", email: str, notification_id: int) -> None:
    with ctx.db.transaction() as session:
        row = session.scalar(select(Notification).join(User, User.id == Notification.user_id)
                             .where(Notification.id == notification_id, User.email == email.strip().lower()))
        if row is None:
            raise NotFound(f"There is no notification {notification_id} for {email}")
        row.read_at = ctx.clock.now()


def dispatch(ctx: "Context", limit: int = 100) -> int:
    """Send unsent notifications through ``ctx.notifier``; without one, in-app is all there is."""
    sender = ctx.notifier
    if sender is None:
        return 0
    sent = 0
    with ctx.db.transaction() as session:
        rows = session.execute(select(Notification, User, Case.reference)
                               .join(User, User.id == Notification.user_id)
                               .outerjoin(Case, Case.id == Notification.case_id)
                               .where(Notification.sent_at.is_(None)).order_by(Notification.id).limit(limit)
                               .with_for_update(of=Notification, skip_locked=True))
        for row, person, reference in rows:
            try:
                sender.send(OutgoingNotification(person.email, person.name, row.text, reference))
            except Exception:  # one failing address must not stop the others; retried next sweep
                logger.exception("notification %s not sent", row.id, extra={"notification": row.id})
                continue
            row.sent_at = ctx.clock.now()
            sent += 1
    return sent
