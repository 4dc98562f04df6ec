"""Management information: the figures of docs/mi.md for a date range, optionally for one team,
service or channel. The dashboards, the exports, ``councilflow mi`` and ``GET /api/v1/mi`` all call
``figures``; what happened in the range comes from the daily and hourly roll-up (``engine.mi.mi_rollup``), open
work from the projections as they are now (``engine.mi.mi_open``)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar, Unpack

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..appointments import appointment_stats
from ..context import Context
from ..deadlines import calendar_settings
from ..deadlines.calendar import WorkingCalendar, bank_holidays
from ..errors import UserError
from ..people import routing
from ..persistence.mi import ALL
from ..persistence.tables import DirectoryEntry, MiCount, MiDay, MiHour, Process, Team
from ..types import Channel
from . import mi_email, mi_open
from .mi_rollup import AVOIDABLE, Metric

MAX_DAYS = 366
# The Local Government Channel List's names, and ours mapped onto them.
LGCL_CHANNELS = ("face-to-face", "telephone", "email", "web", "post", "social media", "partner", "councillor")
TO_LGCL = {Channel.PHONE: "telephone", Channel.FACE_TO_FACE: "face-to-face", Channel.EMAIL: "email",
           Channel.WEB: "web", Channel.COUNCILLOR: "councillor", Channel.PARTNER: "partner"}
FROM_LGCL = {lgcl: ours for ours, lgcl in TO_LGCL.items()}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    team: str | None = None
    service: str | None = None
    channel: str | None = None  # ours or the LGCL's name

    @classmethod
    def of(cls, start: str | None, end: str | None, team: str | None = None, service: str | None = None,
           channel: str | None = None) -> "Filters":
        """Filters from texts as people type them (``from`` and ``to`` as YYYY-MM-DD), checked."""
        return cls(_day(start, "from"), _day(end, "to"), team or None, service or None, channel or None).checked()

    def checked(self) -> "Filters":
        if self.end < self.start:
            raise UserError("The end date must be on or after the start date")
        if (self.end - self.start).days >= MAX_DAYS:
            raise UserError(f"Ask for {MAX_DAYS} days or fewer")
        if self.channel is not None and self.channel not in set(Channel) and self.channel not in FROM_LGCL:
            raise UserError(f"There is no channel '{self.channel}'")
        return self

    @property
    def our_channel(self) -> str | None:
        return None if self.channel is None else str(FROM_LGCL.get(self.channel, self.channel))


def _day(text: str | None, name: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise UserError(f"Give '{name}' as a date like 2026-03-02") from None


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


_LGCL_OF = {str(ours): name for ours, name in TO_LGCL.items()}


def lgcl(channel: str) -> str:
    return _LGCL_OF.get(channel, channel)


@dataclass
class _Tally:
    """The roll-up rows of a range, summed into every table the dashboards show."""

    calendar: WorkingCalendar
    total: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    per_service: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    per_channel: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    daily: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    heat: Counter[tuple[int, int]] = field(default_factory=Counter)
    sla_weeks: dict[tuple[str, int], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, metric: str, kind: str, channel: str, service: str | None, n: int) -> None:
        """Counters of one (metric, kind, channel) and service; ``None``: the service is added apart."""
        ch = lgcl(channel)
        for counts in (self.total, self.per_channel[ch]):
            _count(counts, metric, kind, n)
        if service is not None:
            self.add_service(metric, kind, service, n)
        if metric == Metric.CONTACT:
            self.by_channel[ch] += n
            self.by_kind[kind] += n

    def add_service(self, metric: str, kind: str, service: str, n: int) -> None:
        _count(self.per_service[service], metric, kind, n)


def _count(counts: Counter[str], metric: str, kind: str, n: int) -> None:
    counts[metric] += n
    counts["avoidable"] += n if metric == Metric.CONTACT and kind in AVOIDABLE else 0


Q = TypeVar("Q", bound=Select[Unpack[tuple[Any, ...]]])  # a select over mi_count or mi_hour


def _narrowed(query: Q, table: type[MiCount] | type[MiHour], f: Filters, team_id: int | None) -> Q:
    if team_id is not None:
        query = query.where(table.team_id == team_id)
    if f.service is not None:
        query = query.where(table.service_key == f.service)
    if f.our_channel is not None:
        query = query.where(table.channel == f.our_channel)
    return query


def _by_channel(query: Q, f: Filters) -> Q:
    """A select over the coarse roll-up's rows per channel (``mi_day``), narrowed to the range and
    the channel if any."""
    query = query.where(MiDay.day >= f.start, MiDay.day <= f.end, MiDay.service_key == ALL)
    return query if f.our_channel is None else query.where(MiDay.channel == f.our_channel)


def _rows(session: Session, f: Filters, team_id: int | None, calendar: WorkingCalendar) -> _Tally:
    """The range's counters summed in the database: by metric, kind, channel and service; contacts
    by day and channel; SLA outcomes by day and team; contacts by hour. Without a team or service
    to narrow to, all but SLA per team is read from the coarse roll-up (``mi_day``: a few hundred
    rows a day instead of thousands; per service from ``mi_count`` when narrowed to a channel)."""
    tally = _Tally(calendar)
    coarse = team_id is None and f.service is None
    in_range = (MiCount.day >= f.start, MiCount.day <= f.end)
    if coarse:
        by_channel = (MiDay.metric, MiDay.kind, MiDay.channel)
        for metric, kind, channel, n in session.execute(
                _by_channel(select(*by_channel, func.sum(MiDay.n)), f).group_by(*by_channel)):
            tally.add(metric, kind, channel, None, int(n))
        if f.our_channel is None:
            per_service = (MiDay.metric, MiDay.kind, MiDay.service_key)
            query = select(*per_service, func.sum(MiDay.n)).where(
                MiDay.day >= f.start, MiDay.day <= f.end, MiDay.channel == ALL).group_by(*per_service)
        else:
            per_service = (MiCount.metric, MiCount.kind, MiCount.service_key)
            query = _narrowed(select(*per_service, func.sum(MiCount.n)).where(*in_range), MiCount, f, None
                              ).group_by(*per_service)
        for metric, kind, service, n in session.execute(query):
            tally.add_service(metric, kind, service, int(n))
        for day, channel, n in session.execute(_by_channel(select(MiDay.day, MiDay.channel, func.sum(MiDay.n)), f)
                                               .where(MiDay.metric == Metric.CONTACT).group_by(MiDay.day, MiDay.channel)):
            tally.daily[day.isoformat()][lgcl(channel)] += int(n)
    else:
        by_kind = (MiCount.metric, MiCount.kind, MiCount.channel, MiCount.service_key)
        for metric, kind, channel, service, n in session.execute(_narrowed(
                select(*by_kind, func.sum(MiCount.n)).where(*in_range).group_by(*by_kind), MiCount, f, team_id)):
            tally.add(metric, kind, channel, service, int(n))
        for day, channel, n in session.execute(_narrowed(
                select(MiCount.day, MiCount.channel, func.sum(MiCount.n))
                .where(*in_range, MiCount.metric == Metric.CONTACT)
                .group_by(MiCount.day, MiCount.channel), MiCount, f, team_id)):
            tally.daily[day.isoformat()][lgcl(channel)] += int(n)
    for day, team, metric, n in session.execute(_narrowed(
            select(MiCount.day, MiCount.team_id, MiCount.metric, func.sum(MiCount.n))
            .where(*in_range, MiCount.metric.in_([Metric.ON_TIME, Metric.LATE]))
            .group_by(MiCount.day, MiCount.team_id, MiCount.metric), MiCount, f, team_id)):
        monday = day - timedelta(days=day.weekday())
        tally.sla_weeks[(monday.isoformat(), team)][metric] += int(n)
    lo, hi = mi_open.midnight(calendar, f.start), mi_open.midnight(calendar, f.end + timedelta(days=1))
    for at, n in session.execute(_narrowed(select(MiHour.at, func.sum(MiHour.n)).where(MiHour.at >= lo, MiHour.at < hi)
                                           .group_by(MiHour.at), MiHour, f, team_id)):
        local = calendar.local(at)
        tally.heat[(local.weekday(), local.hour)] += int(n)
    return tally


def _services(session: Session, tally: _Tally) -> list[dict[str, Any]]:
    keys = [k for k in tally.per_service if k]
    names = {e.key: (e.name, e.lgsl) for e in session.scalars(select(DirectoryEntry)
                                                              .where(DirectoryEntry.key.in_(keys)))}
    out = []
    for key, c in sorted(tally.per_service.items()):
        name, lgsl = names.get(key, (key or "No service", None))
        out.append({"service": key, "name": name, "lgsl": lgsl, "contacts": c[Metric.CONTACT],
                    "cases_started": c[Metric.CASE_STARTED], "resolved_first": c[Metric.RESOLVED_FIRST],
                    "fcr_rate": rate(c[Metric.RESOLVED_FIRST], c[Metric.CASE_STARTED]),
                    "avoidable_contacts": c["avoidable"], "handoffs": c[Metric.HANDOFF],
                    "bounce_backs": c[Metric.BOUNCE_BACK]})
    return out


def figures(ctx: Context, filters: Filters) -> dict[str, Any]:
    """Every figure of docs/mi.md for ``filters``: the keys ``councilflow mi --json`` promises first,
    then the tables the dashboards draw."""
    f = filters.checked()
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)
        team: Team | None = routing.get_team(session, f.team) if f.team is not None else None
        tally = _rows(session, f, team.id if team else None, calendar)
        where = mi_open.OpenFilter(team.id if team else None, f.service, f.our_channel)
        open_sla = mi_open.sla_open(session, where)
        backlog = mi_open.backlog(session, where, calendar, now)
        oldest = mi_open.oldest(session, where, calendar, now)
        email = mi_email.figures(session, f.start, f.end, calendar, team.id if team else None, f.our_channel)
        services = _services(session, tally)
        teams = {t.id: t.name for t in session.scalars(select(Team))}
    t = tally.total
    return {
        "contacts": t[Metric.CONTACT],
        "by_channel": {ch: tally.by_channel[ch] for ch in LGCL_CHANNELS},
        "cases_started": t[Metric.CASE_STARTED],
        "fcr_rate": rate(t[Metric.RESOLVED_FIRST], t[Metric.CASE_STARTED]),
        "handoffs": t[Metric.HANDOFF],
        "bounce_backs": t[Metric.BOUNCE_BACK],
        "avoidable_contact_rate": rate(t["avoidable"], t[Metric.CONTACT]),
        "sla": {"closed_on_time": t[Metric.ON_TIME], "closed_late": t[Metric.LATE], **open_sla},
        "backlog": backlog,
        "from": f.start.isoformat(), "to": f.end.isoformat(),
        "filters": {"team": f.team, "service": f.service, "channel": f.channel},
        "as_of": now.isoformat(),
        "resolved_first": t[Metric.RESOLVED_FIRST],
        "avoidable_contacts": t["avoidable"],
        "by_kind": dict(sorted(tally.by_kind.items())),
        "by_service": services,
        "by_start_channel": [{"channel": ch, "cases_started": c[Metric.CASE_STARTED],
                              "resolved_first": c[Metric.RESOLVED_FIRST],
                              "fcr_rate": rate(c[Metric.RESOLVED_FIRST], c[Metric.CASE_STARTED])}
                             for ch, c in sorted(tally.per_channel.items()) if c[Metric.CASE_STARTED]],
        "daily": [{"day": (f.start + timedelta(days=i)).isoformat(),
                   **{ch: tally.daily[(f.start + timedelta(days=i)).isoformat()][ch] for ch in LGCL_CHANNELS}}
                  for i in range((f.end - f.start).days + 1)],
        "heat_map": [{"weekday": WEEKDAYS[d], "hours": [tally.heat[(d, h)] for h in range(24)]} for d in range(7)],
        "sla_by_team_week": [{"week": week, "team": teams.get(team_id, "No team"),
                              "closed_on_time": c[Metric.ON_TIME], "closed_late": c[Metric.LATE],
                              "on_time_rate": rate(c[Metric.ON_TIME], c[Metric.ON_TIME] + c[Metric.LATE])}
                             for (week, team_id), c in sorted(tally.sla_weeks.items())],
        "oldest_open": oldest,
        "email": email,  # engine.mi.mi_email: per mailbox per day, outcomes, time to first response
        "appointments": appointment_stats.stats(ctx, f.start, f.end),  # not narrowed by team, service or channel
    }


def choices(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """What the dashboards' filters offer: teams by name; services (directory entries, and processes
    that have none, as cases count them) as (key, name); channels by their LGCL name."""
    with ctx.db.transaction(readonly=True) as session:
        teams = [(t.name, t.name) for t in routing.list_teams(session)]
        services = {p.key: p.name for p in session.scalars(select(Process))}
        services.update({e.key: e.name for e in session.scalars(select(DirectoryEntry))})
    return {"teams": teams, "services": sorted(services.items(), key=lambda kv: kv[1].lower()),
            "channels": [(lgcl(c), lgcl(c).capitalize()) for c in Channel]}


def last_bank_holiday(ctx: Context) -> date | None:
    """The council's latest bank holiday before today (within a year): demand peaks after it."""
    today = ctx.clock.now().date()
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)
    return max((d for d in bank_holidays(calendar.nation) if today - timedelta(days=MAX_DAYS) < d < today), default=None)
