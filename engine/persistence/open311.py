"""Partners' systems over Open311: the API keys each partner organisation holds, the service requests
they made (one row per case that came in through ``/open311/v2``), the reporters they sent (so one
reporter is one customer), the updates they posted (once each, by their ``update_id``) and the calls
each key made per minute (the rate limit every ``serve`` process shares)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PartnerKey(Base):
    """An Open311 API key of a partner organisation (``partner``: the same organisations the
    directory refers residents to). Only its SHA-256 is kept; the key is shown once."""

    __tablename__ = "partner_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Open311Request(Base):
    """A service request a partner's system posted: the case it became and what the Open311 calls
    answer with, so listing requests by code and date reads this table, never case JSON."""

    __tablename__ = "open311_request"
    __table_args__ = (Index("ix_open311_request_code_at", "service_code", "requested_at"),
                      Index("ix_open311_request_at", "requested_at"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(String(2000))
    # The photo at media_url: pending until the worker fetches it (engine.open311.open311_media), then stored,
    # refused (a host not on the allowlist) or failed; None when no media_url was sent.
    media_status: Mapped[str | None] = mapped_column(String(20), index=True)


class Open311Reporter(Base):
    """The customer a partner's reporter became: the same reporter (their email, else phone, with
    their name) sending again is given the same customer, never a second one. Unique per partner, so
    two first reports at the same moment make one customer."""

    __tablename__ = "open311_reporter"
    __table_args__ = (UniqueConstraint("partner_id", "reporter_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    reporter_key: Mapped[str] = mapped_column(String(500))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    created_at: Mapped[datetime]


class Open311Update(Base):
    """An update a partner posted to a request (FixMyStreet's POST servicerequestupdates), kept by
    the partner's ``update_id`` so sending it again gives the same answer and changes nothing."""

    __tablename__ = "open311_update"
    __table_args__ = (UniqueConstraint("partner_id", "update_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    update_id: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    created_at: Mapped[datetime]


class Open311Rate(Base):
    """How many calls a partner key made in one minute; counted in the database so every ``serve``
    process shares the limit."""

    __tablename__ = "open311_rate"
    key_id: Mapped[int] = mapped_column(ForeignKey("partner_key.id"), primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
