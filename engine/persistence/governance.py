"""Tables of information governance: the append-only audit trail of admin and security events
(engine/governance/audit.py) and each process's retention rule (engine/governance/retention.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AuditEntry(Base):
    """One admin or security event. Rows are only ever added: the engine has no code that changes or
    removes one, and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0019). ``subject``
    names what was acted on by id or key, never a resident's name, so erasure leaves it intact."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at", "id"), Index("ix_audit_entry_kind_at", "kind", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(320), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RetentionRule(Base):
    """How long a process's closed cases keep personal data, and what happens then."""

    __tablename__ = "retention_rule"
    process_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    years: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # types.RetentionAction
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime]
