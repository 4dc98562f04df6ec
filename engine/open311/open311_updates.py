"""Updates a partner posts to its own requests: FixMyStreet's ``POST servicerequestupdates`` (a
resident commented on their report there, or marked it fixed). Each becomes a repeat contact on the
case (channel ``partner``, ``adding_information``), with what they said; a status the partner sends is
recorded in words, never applied to the case (staff close cases, not a partner's user).

Idempotent on the partner's ``update_id``: the same update sent again, even at the same moment, gives
the first one's answer and adds nothing (``open311_update`` is unique per partner and update_id).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..casework import contacts, writer
from ..context import Context
from ..errors import CaseNotFound, FormInvalid
from ..persistence.tables import Open311Request, Open311Update
from ..types import Channel, ContactKind
from . import partner_keys
from .open311_requests import UNSTORABLE
from .open311_status import RequestNotFound

logger = logging.getLogger(__name__)

MAX_ID = 200
STATUSES = {"open": "still open", "closed": "fixed or closed", "fixed": "fixed", "investigating": "being investigated",
            "in_progress": "in progress", "action_scheduled": "scheduled for action"}


@dataclass(frozen=True)
class PostedUpdate:
    """A POST to servicerequestupdates as FixMyStreet sends it."""

    update_id: str
    service_request_id: str
    description: str = ""
    status: str = ""
    updated_datetime: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""


def _problems(sent: PostedUpdate) -> dict[str, str]:
    problems = {}
    for name in ("update_id", "service_request_id"):
        value = getattr(sent, name).strip()
        if not value:
            problems[name] = f"{name} is required"
        elif len(value) > MAX_ID:
            problems[name] = f"{name} must be {MAX_ID} characters or fewer"
    for name in ("description", "first_name", "last_name", "email", "status", "update_id"):
        if UNSTORABLE.search(getattr(sent, name)):
            problems[name] = f"{name} holds a control character or a lone surrogate, which cannot be accepted"
    if len(sent.description) > contacts.MAX_TEXT - 200:
        problems["description"] = f"description must be {contacts.MAX_TEXT - 200:,} characters or fewer"
    if not sent.description.strip() and not sent.status.strip():
        problems["description"] = "Send a description or a status"
    return problems


def _text(sent: PostedUpdate, partner: str) -> str:
    who = " ".join(p for p in (sent.first_name.strip(), sent.last_name.strip()) if p) or "The reporter"
    status = sent.status.strip().lower()
    said = f" They marked it {STATUSES.get(status, status.replace('_', ' '))}." if status else ""
    text = sent.description.strip().rstrip(".") or "(nothing)"
    return f"Update from {partner}: {who} wrote: {text}.{said}"


def _answered(ctx: Context, partner_id: int, update_id: str) -> str | None:
    with ctx.db.transaction(readonly=True) as session:
        found = session.scalar(select(Open311Update.id).where(Open311Update.partner_id == partner_id,
                                                              Open311Update.update_id == update_id))
    return str(found) if found is not None else None


def post_update(ctx: Context, api_key: str, sent: PostedUpdate) -> str:
    """Record the partner's update on its request's case; our id for it (the same for the same
    ``update_id``). SignInFailed for a bad key, FormInvalid, RequestNotFound for a request that is not
    this partner's."""
    holder = partner_keys.holder(ctx, api_key)
    if problems := _problems(sent):
        raise FormInvalid(problems)
    update_id = sent.update_id.strip()
    if (known := _answered(ctx, holder.partner_id, update_id)) is not None:
        return known
    reference = sent.service_request_id.strip()
    try:
        with writer.open_case(ctx, reference=reference, actor=holder.name, person=False) as w:
            theirs = w.session.scalar(select(Open311Request.case_id).where(
                Open311Request.case_id == w.case.id, Open311Request.partner_id == holder.partner_id))
            if theirs is None:
                raise RequestNotFound(f"There is no service request '{reference}'")
            row = Open311Update(partner_id=holder.partner_id, update_id=update_id, case_id=w.case.id, created_at=w.now)
            w.session.add(row)
            w.session.flush()  # the same update_id a moment ago fails here, before the contact is written
            contacts.record_contact(w, Channel.PARTNER, ContactKind.ADDING_INFORMATION, _text(sent, holder.name))
            ours = str(row.id)
    except CaseNotFound:
        raise RequestNotFound(f"There is no service request '{reference}'") from None
    except IntegrityError:
        if (known := _answered(ctx, holder.partner_id, update_id)) is None:
            raise
        return known
    logger.info("Open311 update %s from %s on %s", ours, holder.name, reference,
                extra={"case": reference, "partner": holder.name})
    return ours
