"""Tables of appointments (engine.appointments): what can be booked (types), where (locations), at
which desk and when (desks with a weekly pattern), and the appointments themselves.

``appointment`` is unique on (desk, start, live): ``live`` is True while the appointment holds its
slot and NULL once cancelled (NULLs never collide), so the database itself refuses a second booking
of a slot whatever the code above it does; the booking also locks the desk row first (engine.appointments).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AppointmentType(Base):
    __tablename__ = "appointment_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    grace_minutes: Mapped[int] = mapped_column(default=15)  # not checked in this long after the start: no-show
    reminder_days_before: Mapped[int] = mapped_column(default=1)  # 0: no reminder the day(s) before


class AppointmentLocation(Base):
    __tablename__ = "appointment_location"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")


class AppointmentDesk(Base):
    """A desk (or a member of staff) at a location, with its weekly pattern: ``pattern`` maps a
    weekday (``"0"`` Monday .. ``"6"``) to local opening windows ``[["09:00", "12:30"], ...]``;
    ``types``: the type keys it serves (empty: all)."""

    __tablename__ = "appointment_desk"
    __table_args__ = (UniqueConstraint("location_id", "name", name="uq_appointment_desk_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("appointment_location.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    pattern: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    types: Mapped[list[str]] = mapped_column(JSON, default=list)


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (UniqueConstraint("desk_id", "starts_at", "live", name="uq_appointment_slot"),
                      Index("ix_appointment_due", "status", "starts_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("appointment_location.id"))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("appointment_desk.id"))  # None: a walk-in
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    live: Mapped[bool | None] = mapped_column(default=True)  # True while it holds its slot, NULL once cancelled
    status: Mapped[str] = mapped_column(String(20))  # engine.types.AppointmentStatus
    walk_in: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    booked_by: Mapped[str] = mapped_column(String(320))
    booked_at: Mapped[datetime]
    arrived_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # cancelled or marked no-show
    token: Mapped[str] = mapped_column(String(40))  # in the resident's calendar link: the reference alone is guessable
