"""Tables of the councillors' area: each elected member's ward, and each member enquiry's councillor
(engine.members.councillors, engine.members.member_enquiries)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CouncillorProfile(Base):
    """An elected member's ward, and whether they may follow every enquiry from it (engine/members/councillors.py)."""

    __tablename__ = "councillor_profile"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    ward: Mapped[str | None] = mapped_column(String(60))
    ward_visible: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


class MemberEnquiry(Base):
    """A member-enquiry case's councillor and ward, indexed for "my enquiries" (engine/members/member_enquiries.py)."""

    __tablename__ = "member_enquiry"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    councillor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    ward: Mapped[str | None] = mapped_column(String(60), index=True)
    raised_by: Mapped[str] = mapped_column(String(320))  # the councillor, or Member Services on their behalf
    answered_notified_at: Mapped[datetime | None]  # when the councillor was told it was answered
