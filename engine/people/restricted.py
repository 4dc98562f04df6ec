"""Opening a restricted case in an emergency: a team lead or admin outside its teams gives a reason
and gets access for a short time; the reason, who and when go into the case's history, where its
teams see them. The rule of who sees what is ``engine.people.permissions``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..casework import history
from ..context import Context
from ..errors import CaseNotFound, Forbidden, UserError
from ..persistence.tables import Case, CaseAccessGrant
from ..types import EventKind, Sensitivity
from . import permissions, users

GRANT = timedelta(minutes=30)
MIN_REASON, MAX_REASON = 10, 1000


@dataclass(frozen=True)
class Granted:
    reference: str
    until: datetime


def open_with_reason(ctx: Context, reference: str, viewer_email: str, reason: str) -> Granted:
    """Let ``viewer_email`` (a team lead or admin who may know the case exists) open the restricted
    case for ``GRANT``, recording ``reason`` in its history; refused for anyone else."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise UserError(f"Say why you need to open this case (at least {MIN_REASON} characters)")
    if len(reason) > MAX_REASON:
        raise UserError(f"The reason must be {MAX_REASON} characters or fewer")
    with ctx.db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        viewer = users.get_user(session, viewer_email)
        known = permissions.known_cases(session, viewer)
        if known is not None and session.scalar(select(Case.id).where(Case.id == case.id, known)) is None:
            raise CaseNotFound(f"There is no case {reference}")
        if case.sensitivity != Sensitivity.RESTRICTED:
            raise UserError(f"Case {reference} is not restricted: open it as usual")
        if not permissions.may_break_glass(viewer):
            raise Forbidden(f"Only team leads and admins can open restricted case {reference} with a reason")
        now = ctx.clock.now()
        until = now + GRANT
        session.add(CaseAccessGrant(case_id=case.id, user_id=viewer.id, reason=reason, granted_at=now,
                                    expires_at=until))
        history.add_event(session, case.id, None, viewer.email, now, EventKind.RESTRICTED_CASE_OPENED,
                          {"reason": reason, "until": until.isoformat()})
        return Granted(reference, until)
