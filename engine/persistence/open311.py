"""Partners' systems over Open311: the API keys each partner organisation holds, and the service
requests they made (one row per case that came in through ``/open311/v2``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
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
