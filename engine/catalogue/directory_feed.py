"""The public part of the directory of services, as the Open Referral UK feed publishes it
(``webui/openreferral.py`` turns it into the standard's JSON; ``docs/directory.md`` says what is and
is never published).

Only what residents may read leaves the council: the name, the one-line description, the public
information (as plain text), the LGSL id and who delivers the service (a partner's public contact
details, else the council). Advisor guidance, its owner, the delivering team, the action and the
mapped process are never read here at all, so no later change to the web layer can leak them.
Restricted (need-to-know) entries are left out entirely: a feed is read by systems outside the
council's control, and the sensitivity flag is the only signal that an entry was written for
need-to-know eyes.

Ids are name-based UUIDs (version 5) derived from the council's name and the entry's key (or the LGSL
id, or the partner's name), so they stay the same across restarts, exports and re-imports, and two
councils' feeds do not collide when a service finder merges them.

A page of services is read with two queries (the page, with its partner joined in, and the count),
however many entries the directory holds.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, TypeVar, Unpack

from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..context import Context
from ..persistence.tables import DirectoryEntry, Partner, ServiceKeywords
from ..types import Sensitivity
from .directory_entries import PartnerInfo

# Fixed for ever: changing it would change every id every feed has ever published.
NAMESPACE = uuid.UUID("ce2b533a-6dfe-46c2-b717-ea8d7bdc6c6f")
MAX_SEARCH_WORDS = 10

_PUBLISHED = DirectoryEntry.sensitivity == Sensitivity.NORMAL.value
Q = TypeVar("Q", bound=Select[Unpack[tuple[Any, ...]]])  # a select of entries, or of their count
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
# What a consumer could take for markup ("<b>", "</p>", "<!--"); "3 < 5" is left alone.
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")


@dataclass(frozen=True)
class PublicService:
    """One published entry: nothing here may be secret."""

    key: str
    name: str
    description: str
    public_info: str  # plain text (converted from the entry's Markdown)
    lgsl: int | None
    partner: PartnerInfo | None  # None: the council itself delivers it
    updated_at: datetime  # timezone-aware (UTC)


@dataclass(frozen=True)
class ServicePage:
    services: list[PublicService]
    total: int  # published services matching the query, on every page


class FeedIds:
    """The ids of one council's feed: the same inputs always give the same id."""

    def __init__(self, council_name: str) -> None:
        self._space = uuid.uuid5(NAMESPACE, council_name)

    def id_for(self, kind: str, name: str) -> str:
        """The id of the ``kind`` of thing called ``name`` (a service's key, a partner's name...)."""
        return str(uuid.uuid5(self._space, f"{kind}:{name}"))

    def service(self, key: str) -> str:
        return self.id_for("service", key)

    def organisation(self, partner: str | None) -> str:
        """The partner's id, or the council's own (``None``)."""
        return self.id_for("partner", partner) if partner else self.id_for("council", "")

    def lgsl_taxonomy(self) -> str:
        return self.id_for("taxonomy", "lgsl")

    def lgsl_term(self, lgsl: int) -> str:
        return self.id_for("lgsl", str(lgsl))


@lru_cache(maxsize=2048)  # parsing is nine tenths of a page's time; public information rarely changes
def plain_text(markdown: str) -> str:
    """Markdown as plain text: paragraphs and list items on their own lines, a link as its text
    followed by its address. No markup survives, and tags typed into the text are dropped, so a
    consumer that pastes a description into a page is never handed HTML by us."""
    out: list[str] = []
    for token in _MARKDOWN.parse(markdown or ""):
        if token.type == "list_item_open":
            out.append("- ")
        elif token.type in ("fence", "code_block"):
            out.append(token.content.rstrip() + "\n\n")
        elif token.type in ("paragraph_close", "heading_close"):
            out.append("\n" if token.hidden else "\n\n")  # hidden: a tight list's item
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            out.append("\n")
        elif token.type == "inline":
            out.append(_inline_text(token.children or []))
    return re.sub(r"\n{3,}", "\n\n", _TAG.sub("", "".join(out))).strip()


def _inline_text(children: list[Token]) -> str:
    text: list[str] = []
    opened: list[tuple[int, str]] = []  # (where each link's text starts, its address)
    for child in children:
        if child.type in ("text", "code_inline", "html_inline", "image"):
            text.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            text.append("\n")
        elif child.type == "link_open":
            opened.append((len(text), str(child.attrs.get("href", ""))))
        elif child.type == "link_close" and opened:
            start, href = opened.pop()
            if href and href != "".join(text[start:]):
                text.append(f" ({href})")
    return "".join(text)


def _search(words: list[str]) -> ColumnElement[bool] | None:
    """Every word must appear in the name, description, public information or synonyms."""
    if not words:
        return None
    fields = (DirectoryEntry.name, DirectoryEntry.description, DirectoryEntry.public_info, ServiceKeywords.keywords)
    return and_(*(or_(*(func.lower(f).contains(word, autoescape=True) for f in fields)) for word in words))


def _words(text: str | None) -> list[str]:
    return [w.lower() for w in (text or "").split()][:MAX_SEARCH_WORDS]


def _filtered(query: Q, text: str | None, lgsl: frozenset[int] | None) -> Q:
    query = query.outerjoin(ServiceKeywords, ServiceKeywords.service_key == DirectoryEntry.key).where(_PUBLISHED)
    condition = _search(_words(text))
    if condition is not None:
        query = query.where(condition)
    if lgsl is not None:
        query = query.where(DirectoryEntry.lgsl.in_(sorted(lgsl)))
    return query


def _public(row: DirectoryEntry, partner: Partner | None) -> PublicService:
    changed = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=timezone.utc)
    return PublicService(key=row.key, name=row.name, description=row.description or "",
                         public_info=plain_text(row.public_info), lgsl=row.lgsl,
                         partner=PartnerInfo(partner.name, partner.email, partner.phone, partner.website)
                         if partner is not None else None, updated_at=changed)


def services_page(session: Session, text: str | None, lgsl: frozenset[int] | None, offset: int,
                  limit: int) -> ServicePage:
    """Published services matching ``text`` (and, if given, one of the ``lgsl`` ids), by name."""
    rows = session.execute(_filtered(select(DirectoryEntry, Partner), text, lgsl)
                           .outerjoin(Partner, Partner.id == DirectoryEntry.partner_id)
                           .order_by(DirectoryEntry.name, DirectoryEntry.key).offset(offset).limit(limit)).all()
    total = session.scalar(_filtered(select(func.count(DirectoryEntry.key)), text, lgsl)) or 0
    return ServicePage([_public(entry, partner) for entry, partner in rows], total)


def find_service(session: Session, ids: FeedIds, service_id: str) -> PublicService | None:
    """The published service with this feed id (None: no such service, or not published). Ids are
    one-way, so the keys are read and hashed: one narrow query."""
    keys = session.scalars(select(DirectoryEntry.key).where(_PUBLISHED))
    key = next((k for k in keys if ids.service(k) == service_id), None)
    if key is None:
        return None
    found = session.execute(select(DirectoryEntry, Partner).outerjoin(Partner, Partner.id == DirectoryEntry.partner_id)
                            .where(DirectoryEntry.key == key)).one()
    return _public(found[0], found[1])


def lgsl_ids(session: Session) -> list[int]:
    """The LGSL ids that published services carry, in order: the feed's taxonomy terms."""
    return list(session.scalars(select(DirectoryEntry.lgsl).where(_PUBLISHED, DirectoryEntry.lgsl.is_not(None))
                                .distinct().order_by(DirectoryEntry.lgsl)))


# -- the context-level reads the feed calls -------------------------------------------------------
def public_services(ctx: Context, text: str | None = None, lgsl: frozenset[int] | None = None, offset: int = 0,
                    limit: int = 50) -> ServicePage:
    with ctx.db.transaction(readonly=True) as session:
        return services_page(session, text, lgsl, offset, limit)


def find_public_service(ctx: Context, ids: FeedIds, service_id: str) -> PublicService | None:
    with ctx.db.transaction(readonly=True) as session:
        return find_service(session, ids, service_id)


def published_lgsl_ids(ctx: Context) -> list[int]:
    with ctx.db.transaction(readonly=True) as session:
        return lgsl_ids(session)
