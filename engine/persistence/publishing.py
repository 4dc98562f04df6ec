"""Published services: which deployed processes are offered on which public channels, and in what words."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PublishedService(Base):
    """A process offered to residents, councillors or partners' systems (``engine.residents.publishing``). A row
    whose channels are all withdrawn is kept, so publishing it again keeps its public wording."""

    __tablename__ = "published_service"
    process_key: Mapped[str] = mapped_column(ForeignKey("process.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    lgsl: Mapped[int | None]  # Local Government Service List id (524: missed bins)
    open311_code: Mapped[str | None] = mapped_column(String(100), unique=True)  # Open311 service_code
    keywords: Mapped[list[str]] = mapped_column(JSON)
    channels: Mapped[list[str]] = mapped_column(JSON)  # types.PublishChannel values, sorted
    # The words in other languages: {"cy": {"title": ..., "description": ...}} (None: English only)
    translations: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)
    # Send the resident a Notify message at each public milestone (engine.residents.resident_updates)
    updates: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]


class CaseStartKey(Base):
    """The key a case was started with (``cases.start_case(idempotency_key=...)``): a residents' form
    sent twice, or a client's retry, finds the case the first one started instead of starting another.
    Written in the same transaction as the case."""

    __tablename__ = "case_start_key"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    created_at: Mapped[datetime]
