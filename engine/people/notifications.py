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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..persistence.tables import Case, Membership, Notification, Task, User
from ..types import Role

if TYPE_CHECKING:
    from ..context import Context

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


def team_members(session: Session, team_ids: set[int]) -> list[User]:
    """Active members of any of these teams, each once."""
    if not team_ids:
        return []
    members = session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.team_id.in_(team_ids), User.active.is_(True)).order_by(User.id))
    # De-duplicated here: PostgreSQL cannot DISTINCT rows with JSON columns (roles).
    return list(dict.fromkeys(members))


def team_leads(session: Session, team_ids: set[int]) -> list[User]:
    """Active team leads who are members of any of these teams."""
    return [u for u in team_members(session, team_ids) if Role.TEAM_LEAD.value in u.roles]


def notify(session: Session, people: list[User], text: str, now: datetime, case: Case | None = None,
           task: Task | None = None, actor: User | None = None) -> int:
    """Add a row per person in the caller's transaction; never to ``actor``, who knows what they did."""
    told = [p for p in people if actor is None or p.id != actor.id]
    for person in told:
        session.add(Notification(user_id=person.id, case_id=case.id if case else None,
                                 task_id=task.id if task else None, text=text, created_at=now))
    return len(told)


def quoted(text: str, limit: int = 120) -> str:
    """A person's words as a notification quotes them: one line, cut short with an ellipsis."""
    line = " ".join(text.split())
    if len(line) > limit:
        line = line[:limit - 1].rstrip() + "…"
    return f"“{line}”"


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
    open_notification(ctx, email, notification_id)


@dataclass
class NotificationPage:
    """One page of a person's notifications, newest first, with how many are unread in all."""

    items: list[NotificationView]
    page: int
    page_size: int
    total: int
    unread: int

    def to_dict(self) -> dict[str, Any]:
        return {"items": [n.to_dict() for n in self.items], "page": self.page, "page_size": self.page_size,
                "total": self.total, "unread": self.unread}


def _user_id(session: Session, email: str) -> int:
    found = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if found is None:
        raise NotFound(f"There is no user {email}")
    return found


def _count(session: Session, user_id: int, unread_only: bool) -> int:
    """One count on ``ix_notification_user`` (user_id, read_at): cheap enough for every page's header."""
    query = select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return session.scalar(query) or 0


def unread_count(ctx: "Context", user_id: int) -> int:
    """How many notifications ``user_id`` has not read (the staff header shows it)."""
    with ctx.db.transaction(readonly=True) as session:
        return _count(session, user_id, True)


def notification_page(ctx: "Context", email: str, unread_only: bool = False, page: int = 1,
                      page_size: int = 25) -> NotificationPage:
    """A person's notifications, newest first (only the unread ones when asked)."""
    with ctx.db.transaction(readonly=True) as session:
        user_id = _user_id(session, email)
        query = (select(Notification, Case.reference).outerjoin(Case, Case.id == Notification.case_id)
                 .where(Notification.user_id == user_id))
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        rows = session.execute(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                               .offset((page - 1) * page_size).limit(page_size))
        items = [NotificationView(n.id, n.text, ref, n.task_id, n.created_at.isoformat(), n.read_at is not None)
                 for n, ref in rows]
        return NotificationPage(items, page, page_size, _count(session, user_id, unread_only),
                                _count(session, user_id, True))


def open_notification(ctx: "Context", email: str, notification_id: int) -> NotificationView:
    """The notification, marked read (opening it is reading it); only its own person may."""
    with ctx.db.transaction() as session:
        found = session.execute(select(Notification, Case.reference).outerjoin(Case, Case.id == Notification.case_id)
                                .where(Notification.id == notification_id,
                                       Notification.user_id == _user_id(session, email))).first()
        if found is None:
            raise NotFound(f"There is no notification {notification_id} for {email}")
        row, reference = found
        row.read_at = row.read_at or ctx.clock.now()
        return NotificationView(row.id, row.text, reference, row.task_id, row.created_at.isoformat(), True)


def mark_all_read(ctx: "Context", email: str, ids: list[int] | None = None) -> int:
    """Mark the person's unread notifications read (only ``ids`` when given); how many were."""
    with ctx.db.transaction() as session:
        wanted = update(Notification).where(Notification.user_id == _user_id(session, email),
                                            Notification.read_at.is_(None))
        if ids is not None:
            wanted = wanted.where(Notification.id.in_(ids))
        result = session.execute(wanted.values(read_at=ctx.clock.now()))
        return int(getattr(result, "rowcount", 0) or 0)


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
