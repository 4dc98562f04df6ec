"""The council's own words for the service search, which admins edit: callers' synonyms on top of the
shipped list (``engine.catalogue.service_words``), and extra keywords per service.

A council's row for a phrase wins over the shipped synonym for it; a row with nothing meant turns the
shipped one off, and removing the row brings it back. Only the changes are stored, so a release that
improves the shipped list still reaches a council that edited a few entries. Keywords belong to a
service's key, not to a deployed version, so they survive redeploys; they are searched like the
service's name, at a slightly lower weight.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import NotFound, UserError
from ..persistence.tables import DirectoryEntry, Process, SearchSynonym, ServiceKeywords
from .service_words import SYNONYMS

if TYPE_CHECKING:
    from ..context import Context

MAX_SAID, MAX_MEANT, MAX_KEYWORDS = 200, 500, 2000


class SynonymOrigin:
    SHIPPED = "shipped"  # as released
    CHANGED = "changed"  # a shipped phrase the council points elsewhere
    TURNED_OFF = "turned off"  # a shipped phrase the council does not want
    COUNCIL = "council"  # the council's own


@dataclass(frozen=True)
class Synonym:
    said: str
    meant: str  # empty when turned off
    origin: str
    updated_by: str | None = None
    updated_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {"said": self.said, "meant": self.meant, "origin": self.origin, "updated_by": self.updated_by,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def phrase(text: str | None) -> str:
    """A phrase as stored and compared: lower case, words separated by single spaces."""
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def _shipped() -> dict[str, str]:
    return {phrase(said): meant for said, meant in SYNONYMS.items()}


def synonyms(session: Session) -> list[Synonym]:
    """Every synonym in force or turned off, shipped and the council's, by phrase."""
    shipped = _shipped()
    rows = {row.said: row for row in session.scalars(select(SearchSynonym))}
    found = [Synonym(said, meant, SynonymOrigin.SHIPPED) for said, meant in shipped.items() if said not in rows]
    for said, row in rows.items():
        origin = (SynonymOrigin.COUNCIL if said not in shipped else
                  SynonymOrigin.TURNED_OFF if not row.meant else SynonymOrigin.CHANGED)
        found.append(Synonym(said, row.meant, origin, row.updated_by, row.updated_at))
    return sorted(found, key=lambda s: s.said)


def in_force(session: Session) -> dict[str, str]:
    """Phrase -> services' words, for the search: the shipped list with the council's changes."""
    return {s.said: s.meant for s in synonyms(session) if s.meant}


def _checked(said: str, meant: str) -> tuple[str, str]:
    said, meant = phrase(said), phrase(meant)
    if not said:
        raise UserError("Enter what callers say")
    if not meant:
        raise UserError("Enter the words the service uses")
    if len(said) > MAX_SAID:
        raise UserError(f"What callers say must be {MAX_SAID} characters or fewer")
    if len(meant) > MAX_MEANT:
        raise UserError(f"The service's words must be {MAX_MEANT} characters or fewer")
    if said == meant:
        raise UserError("The service's words must differ from what callers say")
    return said, meant


def set_synonym(session: Session, actor: str, now: datetime, said: str, meant: str) -> Synonym:
    """Add a synonym, or point an existing phrase (shipped or the council's) at other words."""
    said, meant = _checked(said, meant)
    row = session.get(SearchSynonym, said) or SearchSynonym(said=said)
    row.meant, row.updated_by, row.updated_at = meant, actor, now
    session.add(row)
    origin = SynonymOrigin.CHANGED if said in _shipped() else SynonymOrigin.COUNCIL
    return Synonym(said, meant, origin, actor, now)


def remove_synonym(session: Session, actor: str, now: datetime, said: str) -> str:
    """Stop using a phrase: the council's own is deleted, a shipped one is turned off. Returns what
    happened ("removed" or "turned off")."""
    key = phrase(said)
    row = session.get(SearchSynonym, key)
    if key in _shipped():
        row = row or SearchSynonym(said=key)
        row.meant, row.updated_by, row.updated_at = "", actor, now
        session.add(row)
        return "turned off"
    if row is None:
        raise NotFound(f"There is no synonym for '{said}'")
    session.delete(row)
    return "removed"


def restore_synonym(session: Session, said: str) -> Synonym:
    """Undo the council's change to a shipped synonym."""
    key = phrase(said)
    shipped = _shipped()
    if key not in shipped:
        raise NotFound(f"'{said}' is not a shipped synonym")
    session.execute(delete(SearchSynonym).where(SearchSynonym.said == key))
    return Synonym(key, shipped[key], SynonymOrigin.SHIPPED)


def all_keywords(session: Session) -> dict[str, str]:
    """Service key -> its extra keywords."""
    return {row.service_key: row.keywords for row in session.scalars(select(ServiceKeywords))}


def keywords_for(session: Session, service_key: str) -> str:
    row = session.get(ServiceKeywords, service_key)
    return row.keywords if row else ""


def set_keywords(session: Session, actor: str, now: datetime, service_key: str, keywords: str) -> str:
    """Replace the keywords of a service — a deployed process or a directory entry — (empty: none).
    Returns them as stored: lower case, comma separated."""
    if session.get(Process, service_key) is None and session.get(DirectoryEntry, service_key) is None:
        raise NotFound(f"There is no service '{service_key}'")
    cleaned = ", ".join(dict.fromkeys(p for p in (phrase(k) for k in keywords.replace(";", ",").split(",")) if p))
    if len(cleaned) > MAX_KEYWORDS:
        raise UserError(f"Keywords must be {MAX_KEYWORDS} characters or fewer")
    if not cleaned:
        forget_keywords(session, service_key)
        return ""
    row = session.get(ServiceKeywords, service_key)
    row = row or ServiceKeywords(service_key=service_key)
    row.keywords, row.updated_by, row.updated_at = cleaned, actor, now
    session.add(row)
    return cleaned


def forget_keywords(session: Session, service_key: str) -> None:
    session.execute(delete(ServiceKeywords).where(ServiceKeywords.service_key == service_key))


# Use cases, each in its own transaction: what the admin page and the CLI call.

def list_synonyms(ctx: "Context", council_only: bool = False) -> list[Synonym]:
    """Every synonym in force or turned off; only the council's additions and changes if asked."""
    with ctx.db.transaction(readonly=True) as session:
        return [s for s in synonyms(session) if not council_only or s.origin != SynonymOrigin.SHIPPED]


def save_synonym(ctx: "Context", actor: str, said: str, meant: str) -> Synonym:
    with ctx.db.transaction() as session:
        return set_synonym(session, actor, ctx.clock.now(), said, meant)


def drop_synonym(ctx: "Context", actor: str, said: str) -> str:
    """The council's own synonym is deleted, a shipped one turned off; says which."""
    with ctx.db.transaction() as session:
        return remove_synonym(session, actor, ctx.clock.now(), said)


def bring_back(ctx: "Context", said: str) -> Synonym:
    """The shipped synonym for ``said`` as released."""
    with ctx.db.transaction() as session:
        return restore_synonym(session, said)


def keywords(ctx: "Context") -> dict[str, str]:
    with ctx.db.transaction(readonly=True) as session:
        return all_keywords(session)


def save_keywords(ctx: "Context", actor: str, service_key: str, words: str) -> str:
    with ctx.db.transaction() as session:
        return set_keywords(session, actor, ctx.clock.now(), service_key, words)
