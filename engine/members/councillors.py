"""Elected members (users with the ``councillor`` role) as the councillors' area and Member Services
see them: their ward, and whether an admin let them follow every enquiry from that ward.

A ward is a name as the council writes it (``Riverside``), compared case-insensitively; there is no
list of wards to keep in step. Ward visibility is off until an admin turns it on: a councillor sees
the enquiries they raised, and with it also those any member (or Member Services) raised for their ward.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import FormInvalid, NotFound
from ..people import users
from ..persistence.tables import CouncillorProfile, User
from ..types import Role

MAX_WARD = 60


class CouncillorNotFound(NotFound):
    pass


@dataclass(frozen=True)
class Councillor:
    id: int
    email: str
    name: str
    ward: str | None
    ward_visible: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def is_councillor(user: User) -> bool:
    return Role.COUNCILLOR.value in user.roles


def _profile(session: Session, user: User) -> CouncillorProfile | None:
    return session.get(CouncillorProfile, user.id)


def of(session: Session, user: User) -> Councillor:
    profile = _profile(session, user)
    return Councillor(user.id, user.email, user.name, profile.ward if profile else None,
                      bool(profile and profile.ward_visible))


def get_councillor(session: Session, email: str) -> tuple[User, Councillor]:
    """The active councillor with this email, or CouncillorNotFound in words an officer can act on."""
    user = users.find_user(session, email or "")
    if user is None or not user.active or not is_councillor(user):
        raise CouncillorNotFound(f"There is no councillor with the email address {email}")
    return user, of(session, user)


def list_councillors(ctx: Context) -> list[Councillor]:
    """Every active councillor, by name: whom Member Services may raise an enquiry for."""
    with ctx.db.transaction(readonly=True) as session:
        people = session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id))
        return [of(session, u) for u in people if is_councillor(u)]


def councillor_by_id(ctx: Context, user_id: int) -> Councillor:
    with ctx.db.transaction(readonly=True) as session:
        user = session.get(User, user_id)
        if user is None or not is_councillor(user):
            raise CouncillorNotFound(f"There is no councillor {user_id}")
        return of(session, user)


def councillor(ctx: Context, email: str) -> Councillor:
    with ctx.db.transaction(readonly=True) as session:
        return get_councillor(session, email)[1]


def clean_ward(ward: str | None) -> str | None:
    text = " ".join((ward or "").split())
    if len(text) > MAX_WARD:
        raise FormInvalid({"ward": f"The ward must be {MAX_WARD} characters or fewer"})
    return text or None


def set_ward(ctx: Context, email: str, ward: str | None, ward_visible: bool) -> Councillor:
    """An admin sets the councillor's ward (None or blank: no ward) and whether they see its enquiries."""
    name = clean_ward(ward)
    if ward_visible and name is None:
        raise FormInvalid({"ward": "Enter the ward before letting the councillor see its enquiries"})
    with ctx.db.transaction() as session:
        user, _ = get_councillor(session, email)
        profile = _profile(session, user)
        if profile is None:
            profile = CouncillorProfile(user_id=user.id)
            session.add(profile)
        profile.ward, profile.ward_visible, profile.updated_at = name, ward_visible, ctx.clock.now()
        session.flush()
        return of(session, user)
