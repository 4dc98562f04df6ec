"""The service directory the front office searches: every deployed process, found by words in its
name, key and description (the process's BPMN documentation), and listed A to Z.

Matching is by word, ignoring case and plurals ("bins" finds "Missed bin collection"), so an
advisor can type what the caller says. Every word typed must be found somewhere; a service whose
name holds the words ranks above one that only mentions them in its description. Processes
deployed before descriptions were kept have none: they are still found by name and key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select

from .context import Context
from .errors import ProcessNotFound
from .persistence.tables import Process

# Words that say nothing about which service is wanted.
STOP_WORDS = frozenset("a an and are as at be by can for from has have i in is it its my of on or our the "
                       "their there to was we with your".split())
# Points a query word earns by where it is found: (exact word, start of a word).
WEIGHTS = {"name": (10, 6), "key": (5, 3), "description": (2, 1)}
MIN_PREFIX = 3  # "pot" finds "pothole"; "po" finds nothing by prefix


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    description: str | None


def stem(word: str) -> str:
    """The word without its plural ending: bins -> bin, enquiries -> enquiry, addresses -> address."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str | None) -> list[str]:
    """Lower-case stems of the words in ``text`` (hyphens and underscores separate words)."""
    return [stem(w) for w in re.findall(r"[a-z0-9]+", (text or "").lower())]


def query_words(query: str) -> list[str]:
    found = [w for w in words(query) if w not in STOP_WORDS]
    return list(dict.fromkeys(found))


def _points(term: str, field: list[str], weights: tuple[int, int]) -> int:
    if term in field:
        return weights[0]
    if len(term) >= MIN_PREFIX and any(w.startswith(term) for w in field):
        return weights[1]
    return 0


def score(service: Service, terms: list[str]) -> int:
    """How well the service matches: 0 when any word is found nowhere."""
    fields = {"name": words(service.name), "key": words(service.key), "description": words(service.description)}
    total = 0
    for term in terms:
        best = max(_points(term, fields[f], WEIGHTS[f]) for f in WEIGHTS)
        if best == 0:
            return 0
        total += best
    return total


def all_services(ctx: Context) -> list[Service]:
    """Every deployed process, by name."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(select(Process).order_by(Process.name, Process.key))
        return [Service(p.key, p.name, p.description) for p in rows]


def get_service(ctx: Context, key: str) -> Service:
    with ctx.db.transaction(readonly=True) as session:
        process = session.get(Process, key)
        if process is None:
            raise ProcessNotFound(f"There is no service '{key}'")
        return Service(process.key, process.name, process.description)


def search(ctx: Context, query: str) -> list[Service]:
    """Services matching every word of ``query``, best first (then by name); none for an empty query."""
    terms = query_words(query)
    if not terms:
        return []
    scored = [(score(s, terms), s) for s in all_services(ctx)]
    return [s for points, s in sorted(scored, key=lambda p: (-p[0], p[1].name.lower())) if points > 0]


def a_to_z(services: list[Service]) -> list[tuple[str, list[Service]]]:
    """Services grouped by the first letter of their name (digits and symbols under "#")."""
    def letter(service: Service) -> str:
        first = service.name[:1].upper()
        return first if "A" <= first <= "Z" else "#"
    ordered = sorted(services, key=lambda s: (letter(s), s.name.lower()))
    return [(initial, list(group)) for initial, group in groupby(ordered, key=letter)]
