"""The directory of services: every service the front office answers for, mapped or not, and the
partner organisations that run some of them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Partner(Base):
    """An organisation outside the council that now runs a service (a housing association, a
    leisure trust): where referrals go and what residents are told."""

    __tablename__ = "partner"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class DirectoryEntry(Base):
    """One service in the directory. Its synonyms are the service's keywords
    (``search_words``, keyed by the same key), so a mapped service and its entry share them."""

    __tablename__ = "directory_entry"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lgsl: Mapped[int | None]  # Local Government Service List id
    description: Mapped[str] = mapped_column(Text)  # a sentence for the results list
    public_info: Mapped[str] = mapped_column(Text)  # Markdown: what residents need to know
    guidance: Mapped[str] = mapped_column(Text)  # Markdown: the advisor's knowledge article
    guidance_owner: Mapped[str | None] = mapped_column(String(200))
    guidance_review_on: Mapped[date | None]
    action: Mapped[str] = mapped_column(String(20))  # types.DirectoryAction
    process_key: Mapped[str | None] = mapped_column(String(200))  # for "start"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))  # who delivers it in the council
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))  # or who outside it does
    sensitivity: Mapped[str] = mapped_column(String(20))  # types.Sensitivity
    related: Mapped[str] = mapped_column(Text)  # keys of related entries, comma separated
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class CaseAccessGrant(Base):
    """A team lead's or admin's emergency access to a restricted case outside their teams: given for
    a short time against a reason, which the case's history also records (``engine.people.restricted``)."""

    __tablename__ = "case_access_grant"
    __table_args__ = (Index("ix_case_access_grant_case_user", "case_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
