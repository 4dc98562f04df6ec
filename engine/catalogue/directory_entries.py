"""The directory of services: every service the front office answers for — mapped to a process or
not — with what the advisor can do for it, who delivers it, what residents need to know and the
advisor's knowledge article.

An entry is edited as a whole ``Entry`` (the same shape the admin pages, the API and the CSV/JSON
files use, ``engine.catalogue.directory_files``), checked in one place (``problems``) so every door refuses the
same things with the same words. Its synonyms are the service's keywords (``engine.catalogue.search_words``),
so a mapped service and its entry are found by the same words. Partners are the organisations outside
the council that now run a service; an entry that refers to one names it.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import FormInvalid, NotFound
from ..people import routing
from ..persistence import configuration
from ..persistence.tables import DirectoryEntry, Partner, Process, Team
from ..types import DirectoryAction, Sensitivity
from . import search_words

KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,99}$")
# Longest texts accepted: (field, characters).
LIMITS = {"name": 200, "description": 1000, "public_info": 20_000, "guidance": 20_000, "guidance_owner": 200,
          "team": 200}
# A partner's contact details: (field, longest) as the partner table stores them.
PARTNER_LIMITS = {"email": 320, "phone": 50, "website": 500}
MAX_LGSL = 99_999


@dataclass(frozen=True)
class PartnerInfo:
    name: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Entry:
    """A directory entry as people edit it: teams, partners and processes by name or key."""

    key: str
    name: str
    action: DirectoryAction | str
    synonyms: tuple[str, ...] = ()
    lgsl: int | None = None
    description: str = ""
    public_info: str = ""
    guidance: str = ""
    guidance_owner: str | None = None
    guidance_review_on: date | None = None
    process: str | None = None  # the mapped process it starts
    team: str | None = None  # the council team that delivers it
    partner: str | None = None  # or the partner that does
    sensitivity: Sensitivity | str = Sensitivity.NORMAL
    related: tuple[str, ...] = ()
    updated_by: str | None = field(default=None, compare=False)
    updated_at: datetime | None = field(default=None, compare=False)

    def guidance_stale(self, today: date) -> bool:
        """True when the article's review date has passed: advisors are told to check it."""
        return self.guidance_review_on is not None and self.guidance_review_on < today

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(action=str(self.action), sensitivity=str(self.sensitivity), synonyms=list(self.synonyms),
                   related=list(self.related),
                   guidance_review_on=self.guidance_review_on.isoformat() if self.guidance_review_on else None,
                   updated_at=self.updated_at.isoformat() if self.updated_at else None)
        return out


def problems(session: Session, entry: Entry, known_keys: set[str] | None = None,
             new_partners: frozenset[str] = frozenset()) -> dict[str, str]:
    """What is wrong with ``entry``, by field (empty: nothing). ``known_keys`` are the entries that will
    exist (for ``related``; default: those saved now); ``new_partners`` partners being added alongside."""
    found: dict[str, str] = {}
    if not KEY.match(entry.key or ""):
        found["key"] = "Enter a key of lower-case letters, digits and underscores, starting with a letter or digit"
    if not (entry.name or "").strip():
        found["name"] = "Enter the service's name"
    for name, most in LIMITS.items():
        if len(getattr(entry, name) or "") > most:
            found[name] = f"The {name.replace('_', ' ')} must be {most:,} characters or fewer"
    if len("; ".join(entry.synonyms)) > search_words.MAX_KEYWORDS:
        found["synonyms"] = f"The synonyms must be {search_words.MAX_KEYWORDS:,} characters or fewer in all"
    if entry.lgsl is not None and not 0 < entry.lgsl <= MAX_LGSL:
        found["lgsl"] = f"The LGSL id must be a whole number from 1 to {MAX_LGSL}"
    if entry.sensitivity not in set(Sensitivity):
        found["sensitivity"] = "Choose normal or restricted"
    found.update(_action_problems(session, entry, new_partners))
    found.update(_unstorable(entry))
    known = known_keys if known_keys is not None else set(session.scalars(select(DirectoryEntry.key)))
    unknown = [k for k in entry.related if k not in known and k != entry.key]
    if unknown:
        found["related"] = f"There is no service {', '.join(repr(k) for k in unknown)} in the directory"
    return found


def _storable(text: str | None) -> bool:
    """PostgreSQL refuses NUL characters in text and no database encodes unpaired surrogates (which a
    JSON file's escapes can make): refused as the editor's mistake, whichever door they came through."""
    if not text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _unstorable(entry: Entry) -> dict[str, str]:
    fields = {name: [getattr(entry, name)] for name in (*LIMITS, "key", "process", "partner")}
    fields.update(synonyms=list(entry.synonyms), related=list(entry.related))
    return {name: f"The {name.replace('_', ' ')} holds a character that cannot be stored (a NUL or a lone surrogate)"
            for name, texts in fields.items() if not all(_storable(t) for t in texts)}


def _action_problems(session: Session, entry: Entry, new_partners: frozenset[str]) -> dict[str, str]:
    if entry.action not in set(DirectoryAction):
        return {"action": "Choose what the front office does: start, resolve, hand_off or refer"}
    if entry.action == DirectoryAction.START:
        if not entry.process:
            return {"process": "Enter the process the service starts"}
        if session.get(Process, entry.process) is None:
            return {"process": f"There is no process '{entry.process}' deployed"}
    if entry.action == DirectoryAction.HAND_OFF and not entry.team:
        return {"team": "Enter the team the hand-off goes to"}
    if entry.action == DirectoryAction.REFER:
        if not entry.partner:
            return {"partner": "Enter the partner the referral goes to"}
        if entry.partner not in new_partners and _partner_row(session, entry.partner) is None:
            return {"partner": f"There is no partner '{entry.partner}'"}
    return {}


def _partner_row(session: Session, name: str | None) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.name == name)) if name else None


def check(session: Session, entry: Entry, **known: Any) -> None:
    found = problems(session, entry, **known)
    if found:
        raise FormInvalid(found)


def save(session: Session, entry: Entry, actor: str, now: datetime) -> Entry:
    """Create or replace the entry (checked first); its team is created if it does not exist yet."""
    check(session, entry)
    return write_checked(session, entry, actor, now)


def write_checked(session: Session, entry: Entry, actor: str, now: datetime) -> Entry:
    """Save an entry ``problems`` has already passed (an import checks all its rows first)."""
    row = session.get(DirectoryEntry, entry.key) or DirectoryEntry(key=entry.key)
    row.name, row.lgsl, row.description = entry.name.strip(), entry.lgsl, entry.description
    row.public_info, row.guidance, row.guidance_owner = entry.public_info, entry.guidance, entry.guidance_owner
    row.guidance_review_on, row.action, row.sensitivity = entry.guidance_review_on, entry.action, entry.sensitivity
    row.process_key = entry.process if entry.action == DirectoryAction.START else None
    row.team_id = routing.ensure_team(session, entry.team, now).id if entry.team else None
    partner = _partner_row(session, entry.partner)
    row.partner_id = partner.id if partner is not None else None
    row.related = ", ".join(dict.fromkeys(k for k in entry.related if k != entry.key))
    row.updated_by, row.updated_at = actor, now
    session.add(row)
    session.flush()
    search_words.set_keywords(session, actor, now, entry.key, ", ".join(entry.synonyms))
    return _entry(session, row)


def partner_problems(partner: PartnerInfo) -> dict[str, str]:
    """What is wrong with ``partner``, by field (empty: nothing)."""
    found = {field: f"The {field} must be {most} characters or fewer"
             for field, most in PARTNER_LIMITS.items() if len(getattr(partner, field) or "") > most}
    found.update({field: f"The {field} holds a character that cannot be stored (a NUL or a lone surrogate)"
                  for field in ("name", *PARTNER_LIMITS) if not _storable(getattr(partner, field))})
    name = (partner.name or "").strip()
    if not name or len(name) > 200:
        found["name"] = "Enter the partner's name (200 characters or fewer)"
    return found


def save_partner(session: Session, partner: PartnerInfo, actor: str, now: datetime) -> PartnerInfo:
    """Create or update a partner, by name."""
    found = partner_problems(partner)
    if found:
        raise FormInvalid(found)
    name = partner.name.strip()
    row = _partner_row(session, name) or Partner(name=name)
    row.email, row.phone, row.website = partner.email or None, partner.phone or None, partner.website or None
    row.updated_by, row.updated_at = actor, now
    session.add(row)
    session.flush()
    return replace(partner, name=name)


def partners(session: Session) -> list[PartnerInfo]:
    return [PartnerInfo(p.name, p.email, p.phone, p.website)
            for p in session.scalars(select(Partner).order_by(Partner.name))]


def _entry(session: Session, row: DirectoryEntry) -> Entry:
    team = session.get(Team, row.team_id) if row.team_id else None
    partner = session.get(Partner, row.partner_id) if row.partner_id else None
    keywords = search_words.keywords_for(session, row.key)
    return Entry(key=row.key, name=row.name, action=DirectoryAction(row.action),
                 synonyms=tuple(k for k in keywords.split(", ") if k), lgsl=row.lgsl, description=row.description,
                 public_info=row.public_info, guidance=row.guidance, guidance_owner=row.guidance_owner,
                 guidance_review_on=row.guidance_review_on, process=row.process_key,
                 team=team.name if team else None, partner=partner.name if partner else None,
                 sensitivity=Sensitivity(row.sensitivity), related=tuple(k for k in row.related.split(", ") if k),
                 updated_by=row.updated_by, updated_at=row.updated_at)


def entries(session: Session) -> list[Entry]:
    """Every entry, by name."""
    return [_entry(session, row) for row in session.scalars(select(DirectoryEntry)
                                                             .order_by(DirectoryEntry.name, DirectoryEntry.key))]


def exists(session: Session, key: str) -> bool:
    return session.get(DirectoryEntry, key) is not None


def entry_exists(ctx: Context, key: str) -> bool:
    with ctx.db.transaction(readonly=True) as session:
        return exists(session, key)


def form_problems(ctx: Context, entry: Entry, new: bool) -> dict[str, str]:
    """What is wrong with ``entry`` by field name; a new entry must not take an existing key."""
    with ctx.db.transaction(readonly=True) as session:
        found = problems(session, entry)
        if new and exists(session, entry.key):
            found["key"] = f"There is already a service with the key '{entry.key}': choose another, or change that one"
    return found


def get(session: Session, key: str) -> Entry:
    row = session.get(DirectoryEntry, key)
    if row is None:
        raise NotFound(f"There is no service '{key}' in the directory")
    return _entry(session, row)


def remove(session: Session, key: str) -> None:
    """Take the entry out of the directory (cases recorded against it keep its key and name). Its
    synonyms go with it, unless a mapped process of the same key is still found by them."""
    row = session.get(DirectoryEntry, key)
    if row is None:
        raise NotFound(f"There is no service '{key}' in the directory")
    if session.get(Process, key) is None:
        search_words.forget_keywords(session, key)
    session.delete(row)


# Built once: every new case reads it.
_STARTING_ENTRY = select(DirectoryEntry.key, DirectoryEntry.sensitivity) \
    .where(DirectoryEntry.process_key == bindparam("process")) \
    .order_by(DirectoryEntry.sensitivity.desc(), DirectoryEntry.key).limit(1)


def service_of(session: Session, process_key: str, service: str | None) -> tuple[str, Sensitivity]:
    """The directory service a new case of ``process_key`` belongs to, and its sensitivity: the entry
    named by ``service``, else the entry that starts the process, else the process's own key (normal)."""
    if service is not None:
        row = session.get(DirectoryEntry, service)
        if row is None:
            raise NotFound(f"There is no service '{service}' in the directory")
        return row.key, Sensitivity(row.sensitivity)
    def read() -> tuple[str, Sensitivity]:
        found = session.execute(_STARTING_ENTRY, {"process": process_key}).first()
        return (found[0], Sensitivity(found[1])) if found else (process_key, Sensitivity.NORMAL)
    return configuration.kept(session, "services", process_key, read)  # unchanged since this process read it


# -- the context-level use cases the pages, API and CLI call -------------------------------------
def list_entries(ctx: Context) -> list[Entry]:
    with ctx.db.transaction(readonly=True) as session:
        return entries(session)


def get_entry(ctx: Context, key: str) -> Entry:
    with ctx.db.transaction(readonly=True) as session:
        return get(session, key)


def save_entry(ctx: Context, entry: Entry, actor: str) -> Entry:
    with ctx.db.transaction() as session:
        return save(session, entry, actor, ctx.clock.now())


def remove_entry(ctx: Context, key: str) -> None:
    with ctx.db.transaction() as session:
        remove(session, key)


def list_partners(ctx: Context) -> list[PartnerInfo]:
    with ctx.db.transaction(readonly=True) as session:
        return partners(session)


def get_partner(ctx: Context, name: str) -> PartnerInfo:
    with ctx.db.transaction(readonly=True) as session:
        row = _partner_row(session, name)
        if row is None:
            raise NotFound(f"There is no partner '{name}'")
        return PartnerInfo(row.name, row.email, row.phone, row.website)


def set_partner(ctx: Context, partner: PartnerInfo, actor: str) -> PartnerInfo:
    with ctx.db.transaction() as session:
        return save_partner(session, partner, actor, ctx.clock.now())
