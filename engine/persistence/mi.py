"""Tables of the management-information roll-up (engine/mi/mi_rollup.py writes them, engine/mi/mi.py reads
them). The indexes the figures of open work use are on ``case`` and ``task`` (tables.py).

``mi_count`` holds counters per day (Europe/London) and (metric, kind, channel, service, team), and
``mi_day`` the same per day and channel, and per day and service (the coarse roll-up), and
``mi_hour`` the contacts per UTC hour (for demand by hour and weekday): a 90-day dashboard reads 90
days and 2,160 hours of them, whatever the size of the history. ``mi_case`` holds
what the roll-up must remember about each case between its events (where its start was counted,
which teams held it, its hand-offs and later contacts, whether it counts as resolved at first
contact). Both are written in the same transaction as the events they count. Empty strings and
team 0 stand for "none", so the composite keys stay unique on every backend (NULLs never clash)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class MiCount(Base):
    __tablename__ = "mi_count"
    # Covering indexes (migrations 0026 and 0032): one metric's range, or the range of one team, service
    # or channel, summed from a contiguous part of one index, never row by row from the table.
    __table_args__ = (
        Index("ix_mi_count_metric", "metric", "day", "team_id", "service_key", "channel", "kind", "n"),
        Index("ix_mi_count_team", "team_id", "day", "metric", "kind", "channel", "service_key", "n"),
        Index("ix_mi_count_service", "service_key", "day", "metric", "kind", "channel", "team_id", "n"),
        Index("ix_mi_count_channel", "channel", "day", "metric", "kind", "service_key", "team_id", "n"),
    )
    day: Mapped[date] = mapped_column(primary_key=True)  # the local day the counted things happened on
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)  # engine.mi.mi_rollup.Metric
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)  # engine.types.Channel
    service_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]


class MiDay(Base):
    """``mi_count`` at two coarser grains, a few hundred rows a day whatever the number of teams:
    per channel (``service_key`` is ``ALL``) and per service (``channel`` is ``ALL``; ``kind`` kept
    only for avoidable contacts). What the dashboards read when they ask for no team or service."""

    __tablename__ = "mi_day"
    # Per service, its rows are the channel ALL ones; per channel, the service ALL ones (migration 0032).
    __table_args__ = (
        Index("ix_mi_day_channel", "channel", "day", "metric", "kind", "service_key", "n"),
        Index("ix_mi_day_service", "service_key", "day", "metric", "kind", "channel", "n"),
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    service_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int]


ALL = "*"  # mi_day: summed over every channel, or every service


class MiHour(Base):
    __tablename__ = "mi_hour"
    __table_args__ = (Index("ix_mi_hour_cover", "at", "channel", "service_key", "team_id", "n"),
                      Index("ix_mi_hour_team", "team_id", "at", "n"),  # one team's, service's or channel's
                      Index("ix_mi_hour_service", "service_key", "at", "n"),  # hours of a range (migration 0032)
                      Index("ix_mi_hour_channel", "channel", "at", "n"))
    at: Mapped[datetime] = mapped_column(primary_key=True)  # the UTC hour the contacts were in
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    service_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]


class MiCase(Base):
    __tablename__ = "mi_case"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    started_at: Mapped[datetime]  # the hour its start was counted in
    channel: Mapped[str] = mapped_column(String(20))
    service_key: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int]  # the team of whoever started it (0: nobody in a team: web, partner, system)
    home_team_id: Mapped[int]  # the team hand-offs are counted from: team_id, else its first task's team
    last_team_id: Mapped[int]
    held_by: Mapped[list[Any]] = mapped_column(default=list)  # ids of the teams that held it
    handoffs: Mapped[int] = mapped_column(default=0)
    later_contacts: Mapped[int] = mapped_column(default=0)
    resolved_first: Mapped[bool] = mapped_column(default=False)

