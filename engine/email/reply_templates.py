"""Reply templates: the words staff start a reply from, per service, in English and (where the service's
public pages are bilingual) Welsh.

Templates are files the council keeps with its forms: ``<forms folder>/replies/<process key>.toml`` for
a service and ``replies/default.toml`` for every service, each a list of ``[[template]]`` tables with
``key``, ``name``, ``text`` and a ``[template.cy]`` table with the Welsh ``name`` and ``text`` (TOML, so
long texts are written as they read; not JSON, which the forms folder's deploy would take for a form). Text may use ``((name))``, ``((reference))`` and
``((service))``, filled in when the template is chosen (the GOV.UK Notify placeholder style). Welsh is
offered for a case when its service is published with Welsh words (``published_service.translations``).
"""
from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..persistence.tables import PublishedService
from ..residents.publishing import LANGUAGES

logger = logging.getLogger(__name__)
ENGLISH = "en"
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh (Cymraeg)"}
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")


@dataclass(frozen=True)
class ReplyTemplate:
    key: str
    name: str
    text: str
    language: str


def languages(session: Session, process_key: str) -> tuple[str, ...]:
    """English, and each language the service's public pages are given in."""
    words = session.scalar(select(PublishedService.translations).where(PublishedService.process_key == process_key))
    return (ENGLISH, *(language for language in LANGUAGES if (words or {}).get(language)))


def _read(folder: Path, name: str) -> list[dict[str, object]]:
    path = folder / "replies" / f"{name}.toml"
    if not _KEY.match(name) or not path.is_file():
        return []
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8")).get("template", [])
    except (OSError, ValueError) as err:
        logger.warning("reply templates %s cannot be read: %s", path.name, err)
        return []
    return [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []


def templates_for(ctx: Context, process_key: str, language: str = ENGLISH) -> list[ReplyTemplate]:
    """The service's own templates, then the ones for every service, in ``language`` (English where a
    template has no words in it)."""
    folder = ctx.settings.forms_dir
    if folder is None:
        return []
    found: dict[str, ReplyTemplate] = {}
    for entry in _read(folder, process_key) + _read(folder, "default"):
        key = str(entry.get("key", ""))
        if not _KEY.match(key) or key in found or not entry.get("text"):
            continue
        words = entry.get(language) if language != ENGLISH else None
        words = words if isinstance(words, dict) and words.get("text") else None
        source = words or entry
        found[key] = ReplyTemplate(key, str(source.get("name") or key), str(source["text"]),
                                   language if words else ENGLISH)
    return list(found.values())


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its ((placeholders)) filled in; an unknown one is left for the writer to see."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
