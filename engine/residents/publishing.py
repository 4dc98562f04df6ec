"""Publishing a service: which deployed processes are offered on which channels outside the council's
offices (``types.PublishChannel``: the public web pages, councillors, partners' systems over Open311),
and in what words (a public title, a short description, keywords, the LGSL id and an Open311 code).

One row per process. Publishing adds channels and changes only the words given; unpublishing takes
one channel away. A row with no channel left is kept (so its wording returns if it is published
again) but is not published anywhere. Every door (pages, API, CLI) checks through ``problems``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue.directory_entries import MAX_LGSL, _storable
from ..context import Context
from ..errors import FormInvalid, NotFound, ProcessNotFound
from ..persistence.tables import Process, PublishedService as PublishedRow
from ..types import PublishChannel

OPEN311_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
LIMITS = {"title": 200, "description": 1000}
LANGUAGES = ("cy",)  # the languages besides English a service's words may be given in (Welsh)
Translations = Mapping[str, Mapping[str, str]]
MAX_KEYWORD = 100
MAX_KEYWORDS = 30


@dataclass(frozen=True)
class PublishedService:
    """A published service as every channel reads it."""

    process: str
    title: str
    description: str
    channels: tuple[PublishChannel, ...]
    lgsl: int | None = None
    open311_code: str | None = None
    keywords: tuple[str, ...] = ()
    translations: Translations = field(default_factory=dict)  # {"cy": {"title", "description"}}
    updates: bool = False  # residents are sent a message at each public milestone (engine.residents.resident_updates)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(channels=[str(c) for c in self.channels], keywords=list(self.keywords),
                   translations={k: dict(v) for k, v in self.translations.items()})
        return out

    def in_language(self, language: str) -> PublishedService:
        """The service with its title and description in ``language`` where they are given (else English)."""
        words = self.translations.get(language, {})
        return replace(self, title=words.get("title") or self.title,
                       description=words.get("description") or self.description)


class ServiceNotPublished(NotFound):
    """The process is not offered on that channel (or not at all)."""


def parse_channels(values: Iterable[str]) -> tuple[PublishChannel, ...]:
    """The channels named, sorted and once each; an unknown name is a field problem."""
    found: set[PublishChannel] = set()
    for value in values:
        try:
            found.add(PublishChannel(str(value).strip().lower()))
        except ValueError:
            raise FormInvalid({"channels": f"There is no channel {value!r}: choose from "
                                           f"{', '.join(c.value for c in PublishChannel)}"}) from None
    return tuple(sorted(found))


def _clean_keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(str(k).split()) for k in keywords if str(k).strip()))


def problems(session: Session, process_key: str, *, channels: tuple[PublishChannel, ...], title: str,
             description: str, lgsl: int | None, open311_code: str | None,
             keywords: tuple[str, ...], translations: Translations | None = None) -> dict[str, str]:
    """What is wrong with publishing ``process_key`` so, by field (empty: nothing)."""
    found: dict[str, str] = {}
    for language, words in (translations or {}).items():
        if language not in LANGUAGES:
            found["translations"] = f"Words can be given in {', '.join(LANGUAGES)} besides English, not {language!r}"
            continue
        for name, text in words.items():
            if name not in LIMITS:
                found["translations"] = f"Only the title and description can be translated, not {name!r}"
            elif len(text) > LIMITS[name]:
                found[f"{name}_{language}"] = f"The {name} must be {LIMITS[name]:,} characters or fewer"
            elif not _storable(text):
                found[f"{name}_{language}"] = f"The {name} holds a character that cannot be stored"
    if not channels:
        found["channels"] = "Choose at least one channel"
    if not title.strip():
        found["title"] = "Enter the service's public title"
    for name, text in (("title", title), ("description", description)):
        if len(text) > LIMITS[name]:
            found[name] = f"The {name} must be {LIMITS[name]:,} characters or fewer"
    if lgsl is not None and not 0 < lgsl <= MAX_LGSL:
        found["lgsl"] = f"The LGSL id must be a whole number from 1 to {MAX_LGSL}"
    if open311_code is not None:
        if not OPEN311_CODE.match(open311_code):
            found["open311_code"] = ("Enter an Open311 code of up to 100 letters, digits, dots, hyphens and "
                                     "underscores, starting with a letter or digit")
        else:
            taken = session.scalar(select(PublishedRow.process_key).where(PublishedRow.open311_code == open311_code,
                                                                           PublishedRow.process_key != process_key))
            if taken is not None:
                found["open311_code"] = f"The Open311 code {open311_code!r} is already used by {taken!r}"
    if PublishChannel.OPEN311 in channels and not open311_code:
        found["open311_code"] = "Enter an Open311 code to publish the service on open311"
    if len(keywords) > MAX_KEYWORDS or any(len(k) > MAX_KEYWORD for k in keywords):
        found["keywords"] = f"Give at most {MAX_KEYWORDS} keywords of {MAX_KEYWORD} characters or fewer each"
    texts = {"title": [title], "description": [description], "keywords": list(keywords)}
    found.update({name: f"The {name} holds a character that cannot be stored (a NUL or a lone surrogate)"
                  for name, values in texts.items() if not all(_storable(v) for v in values)})
    return found


def _view(row: PublishedRow) -> PublishedService:
    return PublishedService(process=row.process_key, title=row.title, description=row.description,
                            channels=tuple(PublishChannel(c) for c in row.channels), lgsl=row.lgsl,
                            open311_code=row.open311_code, keywords=tuple(row.keywords),
                            translations=dict(row.translations or {}), updates=bool(row.updates))


def _merged(kept: Translations | None, given: Translations | None) -> dict[str, dict[str, str]]:
    """The words kept, with those given over them (an empty text removes one)."""
    out = {language: dict(words) for language, words in (kept or {}).items()}
    for language, words in (given or {}).items():
        merged = {**out.get(language, {}), **{k: str(v).strip() for k, v in words.items()}}
        out[language] = {k: v for k, v in merged.items() if v}
    return {language: words for language, words in out.items() if words}


def publish_in(session: Session, process_key: str, *, channels: Iterable[str], actor: str, now: Any,
               title: str | None = None, description: str | None = None, lgsl: int | None = None,
               open311_code: str | None = None, keywords: Iterable[str] | None = None,
               translations: Translations | None = None, updates: bool | None = None) -> PublishedService:
    """Offer ``process_key`` on ``channels`` as well as those it has; words not given are kept (a first
    publishing takes the process's name and description), ``translations`` merged over the kept ones.
    Checked first: FormInvalid by field."""
    process = session.get(Process, process_key)
    if process is None:
        raise ProcessNotFound(f"There is no process '{process_key}' deployed")
    row = session.get(PublishedRow, process_key)
    wanted = parse_channels([*(row.channels if row else ()), *channels])
    new_title = title if title is not None else (row.title if row else process.name)
    new_description = description if description is not None else (row.description if row else
                                                                   (process.description or ""))
    new_lgsl = lgsl if lgsl is not None else (row.lgsl if row else None)
    new_code = (open311_code.strip() or None) if open311_code is not None else (row.open311_code if row else None)
    new_keywords = _clean_keywords(keywords) if keywords is not None else tuple(row.keywords if row else ())
    found = problems(session, process_key, channels=wanted, title=new_title, description=new_description,
                     lgsl=new_lgsl, open311_code=new_code, keywords=new_keywords, translations=translations)
    if found:
        raise FormInvalid(found)
    if row is None:
        row = PublishedRow(process_key=process_key, created_by=actor, created_at=now)
        session.add(row)
    row.title, row.description, row.lgsl = new_title.strip(), new_description.strip(), new_lgsl
    row.open311_code, row.keywords, row.channels = new_code, list(new_keywords), [str(c) for c in wanted]
    row.translations = _merged(row.translations, translations) or None
    row.updates = updates if updates is not None else bool(row.updates)
    row.updated_by, row.updated_at = actor, now
    session.flush()
    return _view(row)


def find_in(session: Session, *, channel: PublishChannel | str, process_key: str | None = None,
            open311_code: str | None = None) -> PublishedService | None:
    """The service published on ``channel`` with that process key or Open311 code; None if it is not."""
    query = select(PublishedRow)
    if process_key is not None:
        query = query.where(PublishedRow.process_key == process_key)
    if open311_code is not None:
        query = query.where(PublishedRow.open311_code == open311_code)
    if process_key is None and open311_code is None:
        return None
    row = session.scalar(query)
    return _view(row) if row is not None and str(channel) in row.channels else None


# -- the context-level use cases the pages, API and CLI call -------------------------------------
def publish(ctx: Context, process_key: str, *, channels: Iterable[str], title: str | None = None,
            description: str | None = None, lgsl: int | None = None, open311_code: str | None = None,
            keywords: Iterable[str] | None = (), translations: Translations | None = None,
            updates: bool | None = None, actor: str) -> PublishedService:
    """Offer a deployed process on ``channels`` (added to those it has). Words left out (None, or no
    keywords) keep what was saved; a first publishing takes the process's name and description.
    ``translations`` ({"cy": {"title", "description"}}) are merged over those kept; ``updates`` (None:
    as it was) sends residents a message at each public milestone."""
    with ctx.db.transaction() as session:
        return publish_in(session, process_key, channels=channels, actor=actor, now=ctx.clock.now(), title=title,
                          description=description, lgsl=lgsl, open311_code=open311_code,
                          keywords=keywords if keywords else None, translations=translations, updates=updates)


def unpublish(ctx: Context, process_key: str, channel: PublishChannel | str, actor: str) -> PublishedService:
    """Stop offering ``process_key`` on ``channel``; ServiceNotPublished if it was not offered there."""
    (wanted,) = parse_channels([str(channel)])
    with ctx.db.transaction() as session:
        row = session.get(PublishedRow, process_key)
        if row is None or wanted not in row.channels:
            raise ServiceNotPublished(f"'{process_key}' is not published on {wanted}")
        row.channels = [c for c in row.channels if c != wanted]
        row.updated_by, row.updated_at = actor, ctx.clock.now()
        session.flush()
        return _view(row)


def published(ctx: Context, channel: PublishChannel | str | None = None) -> list[PublishedService]:
    """Every service published on ``channel`` (None: on any), by title."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(select(PublishedRow).order_by(PublishedRow.title, PublishedRow.process_key))
        return [_view(r) for r in rows if r.channels and (channel is None or str(channel) in r.channels)]


def find_published(ctx: Context, *, channel: PublishChannel | str, process_key: str | None = None,
                   open311_code: str | None = None) -> PublishedService | None:
    """The service on ``channel`` with this process key or Open311 code; None when it is not offered there."""
    with ctx.db.transaction(readonly=True) as session:
        return find_in(session, channel=channel, process_key=process_key, open311_code=open311_code)


def get_published(ctx: Context, *, channel: PublishChannel | str, process_key: str) -> PublishedService:
    """As ``find_published``, raising ServiceNotPublished instead of returning None."""
    found = find_published(ctx, channel=channel, process_key=process_key)
    if found is None:
        raise ServiceNotPublished(f"'{process_key}' is not published on {channel}")
    return found
