"""Bounces: a delivery failure report (RFC 3464 ``multipart/report``, or a mailer daemon's message quoting
the original's headers) read from a mailbox names the Message-ID it could not deliver. When that is a reply
sent from a case (``engine.email.email_replies``), the reply is marked bounced and an incident is raised on the
case, where incidents are shown (the case page's banner, Admin > Incidents): someone must reach the
resident another way. The bounce is kept as an automatic message, never a new contact and never answered.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update

from ..casework import history, writer
from ..context import Context
from ..persistence.tables import Email, EmailReply, Incident
from ..types import EmailStatus, EventKind, IncidentStatus

logger = logging.getLogger(__name__)
BOUNCE_ACTOR = "mail-intake"
INCIDENT_KIND = "email_bounced"


def reply_bounced(ctx: Context, email_id: int, bounce_of: str) -> bool:
    """If ``bounce_of`` is a reply we sent, record the bounce ``email_id`` against it (an incident on its
    case) and return True; False when it is not one of ours (the bounce is then triaged as automatic)."""
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(EmailReply.case_id).where(EmailReply.message_id == bounce_of))
    if case_id is None:
        return False
    with writer.open_case(ctx, case_id=case_id, actor=BOUNCE_ACTOR, person=False) as w:
        email = w.session.get_one(Email, email_id)
        reply = w.session.scalar(select(EmailReply).where(EmailReply.message_id == bounce_of))
        assert reply is not None
        claimed = w.session.execute(update(Email).where(Email.id == email_id, Email.status == EmailStatus.NEW).values(
            status=EmailStatus.IGNORED, case_id=case_id, handled_by=BOUNCE_ACTOR, handled_at=w.now)
        ).rowcount  # type: ignore[attr-defined]
        if claimed != 1:
            return True  # another worker took it
        why = (email.ignored_reason or "a bounce").removeprefix("a bounce: ")
        reply.bounced_at = reply.bounced_at or w.now
        message = f"The email reply to {reply.to_address} ({reply.subject}) bounced: {why}. Reach the resident another way."
        incident = Incident(case_id=case_id, outbox_id=None, kind=INCIDENT_KIND, message=message[:2000],
                            details={"reply_id": reply.id, "email_id": email_id, "reason": why},
                            status=IncidentStatus.OPEN, created_at=w.now)
        w.session.add(incident)
        w.session.flush()
        # As engine.outbox.calls.raise_incident writes it (its detail has a "kind" of its own, which record() takes).
        history.add_event(w.session, case_id, None, w.actor, w.now, EventKind.INCIDENT_RAISED,
                          {"operation": "email reply", "reason": message, "kind": INCIDENT_KIND,
                           "incident": incident.id})
    logger.warning("reply %s bounced; incident %s", reply.id, incident.id, extra={"reply": reply.id})
    return True
