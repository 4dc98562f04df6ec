"""Tables of what people add to a case besides its workflow: notes, documents, hand-back questions,
the customer's repeat contacts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Note(Base):
    """A note someone added to a case (optionally while working one of its tasks)."""

    __tablename__ = "case_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    author: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


class Document(Base):
    """A file staff attached to a case, kept until the EDRMS adapter has filed it."""

    __tablename__ = "case_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime]
    filing_status: Mapped[str] = mapped_column(String(20))  # pending, filed, failed, not_filed
    filed_reference: Mapped[str | None] = mapped_column(String(300))


class Question(Base):
    """A task handed back to the front office with a question; the task waits until it is answered."""

    __tablename__ = "task_question"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)  # the team asked to answer
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(320))
    asked_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(320))
    answered_at: Mapped[datetime | None]


class CaseContact(Base):
    """A customer got in touch again about an existing case (engine.casework.contacts); also in its history.
    Kept as rows so management information counts them by channel, kind and day without reading events."""

    __tablename__ = "case_contact"
    __table_args__ = (Index("ix_case_contact_at", "at", "channel", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    logged_by: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime]
