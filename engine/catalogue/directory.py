"""The service directory the front office searches: every directory entry (``engine.catalogue.directory_entries``)
and every deployed process no entry names (but the directory's own generic maps), found by words in its name, key, keywords and description
(an entry's own, else the process's BPMN documentation), and listed A to Z.

Matching is by word stem (Snowball's English stemmer: "bins" finds "Missed bin collection",
"collected" finds "collection"), so an advisor can type what the caller says. Callers' own words
reach the services' words through a shipped list of synonyms (``engine.catalogue.service_words``: "rubbish
dumped" finds fly-tipping, "moving house" the Council Tax change of address), and two words typed
apart are also tried as one ("pot hole"). Services are ranked by how many of the words typed they
match, then by where (a name above a description) and how rare each matched word is among the
services, so a caller's whole sentence still finds the service its telling words point at. Admins add and change synonyms, and give a service extra
keywords (``engine.catalogue.search_words``). Processes deployed before descriptions were kept have none:
they are still found by name and key.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import snowballstemmer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import ProcessNotFound
from ..persistence.tables import DirectoryEntry, Process
from ..types import DirectoryAction, Sensitivity
from . import search_words

# Words that say nothing about which service is wanted (callers' fillers included).
STOP_WORDS = frozenset("a about again an and are as at be been by can could did didn do does don for from get "
                       "got has hasn have haven help how i i'd i'm in is isn it its just like m me my need not of "
                       "on or our please s should some someone t that the their there they this to ve want was "
                       "wasn we were what when why will with would you your".split())
# Points a query word earns by where it is found: (exact word, start of a word).
WEIGHTS = {"name": (10, 6), "keywords": (8, 5), "key": (5, 3), "description": (2, 1)}
# The generic maps a contact about a service with no map of its own runs (``engine.catalogue.directory_actions``):
# they stand for the directory's entries, so they are never services of their own.
ACTION_MAPS = {DirectoryAction.RESOLVE: "directory_resolve", DirectoryAction.HAND_OFF: "directory_hand_off",
               DirectoryAction.REFER: "directory_refer"}
MIN_PREFIX = 3  # "pot" finds "pothole"; "po" finds nothing by prefix
SYNONYM_WEIGHT = 0.8  # a service found through a caller's synonym ranks just below one found by the word itself
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Service:
    """A service the front office can find: a directory entry, or a deployed process no entry names."""

    key: str
    name: str
    description: str | None
    keywords: str = ""  # the admin's extra words (an entry's synonyms), comma separated
    action: DirectoryAction = DirectoryAction.START
    process: str | None = None  # the process it starts (action "start")
    sensitivity: Sensitivity = Sensitivity.NORMAL
    in_directory: bool = False  # False: a deployed process without an entry

    @property
    def startable(self) -> bool:
        return self.action == DirectoryAction.START and self.process is not None


def _tokens(text: str | None) -> list[str]:
    return search_words.phrase(text).split()


def stem(word: str) -> str:
    """The word's stem: bins -> bin, collected and collection -> collect."""
    return str(_STEMMER.stemWord(word))


def words(text: str | None) -> list[str]:
    """Lower-case stems of the words in ``text`` (hyphens and underscores separate words)."""
    return [stem(w) for w in _tokens(text)]


Synonyms = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@lru_cache(maxsize=4)
def _stemmed(synonyms: tuple[tuple[str, str], ...]) -> Synonyms:
    """The synonyms as (stems of the caller's phrase, stems of the services' words), longest first;
    cached because the list changes only when an admin edits it."""
    pairs = [(tuple(words(said)), tuple(w for w in words(meant) if w not in STOP_WORDS)) for said, meant in synonyms]
    return tuple(sorted(((k, v) for k, v in pairs if k), key=lambda p: -len(p[0])))


def candidates(query: str, synonyms: dict[str, str]) -> dict[str, dict[str, float]]:
    """Each query word -> the stems that count for it, with their weight: the word itself, a word it
    forms with its neighbour ("pot hole" -> pothole), and the services' words for a phrase it is in."""
    tokens = _tokens(query)
    stems = [stem(t) for t in tokens]
    found: dict[str, dict[str, float]] = {s: {s: 1.0} for s in stems if s not in STOP_WORDS}
    for i in range(len(tokens) - 1):
        joined = stem(tokens[i] + tokens[i + 1])
        for part in (stems[i], stems[i + 1]):
            if part in found:
                found[part][joined] = 1.0
    for said, meant in _stemmed(tuple(sorted(synonyms.items()))):
        for start in range(len(stems) - len(said) + 1):
            if tuple(stems[start:start + len(said)]) == said:
                for part in stems[start:start + len(said)]:
                    if part in found:
                        found[part].update({m: max(found[part].get(m, 0.0), SYNONYM_WEIGHT) for m in meant})
    return found


def _points(term: str, field: list[str], weights: tuple[int, int]) -> int:
    if term in field:
        return weights[0]
    if len(term) >= MIN_PREFIX and any(w.startswith(term) for w in field):
        return weights[1]
    return 0


def hits(service: Service, terms: dict[str, dict[str, float]]) -> dict[str, float]:
    """The points each query word earns the service, for the words it matches."""
    fields = {"name": words(service.name), "keywords": words(service.keywords), "key": words(service.key),
              "description": words(service.description)}
    found = {}
    for word, options in terms.items():
        best = max(_points(option, fields[f], WEIGHTS[f]) * weight
                   for option, weight in options.items() for f in WEIGHTS)
        if best > 0:
            found[word] = best
    return found


def rarity(all_hits: list[dict[str, float]]) -> dict[str, float]:
    """A weight per query word from 1 (every service matches it) to 2 (one does): a word that picks
    out one service says more than one most services share ("neglected" over "neighbour")."""
    count = max(len(all_hits), 2)
    matching: dict[str, int] = {}
    for found in all_hits:
        for word in found:
            matching[word] = matching.get(word, 0) + 1
    return {word: 1 + math.log(count / n) / math.log(count) for word, n in matching.items()}


def score(found: dict[str, float], weights: dict[str, float]) -> tuple[int, float]:
    """How well a service matches: (query words matched, points weighted by rarity)."""
    return len(found), sum(points * weights[word] for word, points in found.items())


def _from_entry(entry: DirectoryEntry, process: Process | None, keywords: str) -> Service:
    return Service(entry.key, entry.name, entry.description or (process.description if process else None), keywords,
                   DirectoryAction(entry.action), entry.process_key, Sensitivity(entry.sensitivity), True)


def _from_process(process: Process, keywords: str) -> Service:
    return Service(process.key, process.name, process.description, keywords, process=process.key)


def _services(session: Session) -> list[Service]:
    keywords = search_words.all_keywords(session)
    processes = {p.key: p for p in session.scalars(select(Process))}
    entries = list(session.scalars(select(DirectoryEntry)))
    named = {e.process_key for e in entries if e.process_key}
    found = [_from_entry(e, processes.get(e.process_key or ""), keywords.get(e.key, "")) for e in entries]
    hidden = named | set(ACTION_MAPS.values())
    found += [_from_process(p, keywords.get(p.key, "")) for key, p in processes.items() if key not in hidden]
    return sorted(found, key=lambda s: (s.name.lower(), s.key))


def all_services(ctx: Context) -> list[Service]:
    """Every directory entry and every deployed process no entry names, by name, with their keywords."""
    with ctx.db.transaction(readonly=True) as session:
        return _services(session)


def get_service(ctx: Context, key: str) -> Service:
    """The directory entry ``key``, else the deployed process ``key``; ProcessNotFound if neither."""
    with ctx.db.transaction(readonly=True) as session:
        entry = session.get(DirectoryEntry, key)
        if entry is not None:
            process = session.get(Process, entry.process_key) if entry.process_key else None
            return _from_entry(entry, process, search_words.keywords_for(session, key))
        process = session.get(Process, key) if key not in ACTION_MAPS.values() else None
        if process is None:
            raise ProcessNotFound(f"There is no service '{key}'")
        return _from_process(process, search_words.keywords_for(session, key))


def search(ctx: Context, query: str) -> list[Service]:
    """Services matching words of ``query``, those matching most words first, then by points and
    name; none for an empty query."""
    with ctx.db.transaction(readonly=True) as session:
        terms = candidates(query, search_words.in_force(session))
        services = _services(session) if terms else []
    all_hits = [hits(s, terms) for s in services]
    weights = rarity(all_hits)
    scored = [(score(found, weights), s) for found, s in zip(all_hits, services)]
    ranked = [p for p in sorted(scored, key=lambda p: (-p[0][0], -p[0][1], p[1].name.lower())) if p[0][0] > 0]
    if not ranked:
        return []
    (most, top), _ = ranked[0]
    # A service matching fewer of the words typed is listed only if it scores more than half as well
    # as the best: "council tax" should not list every service whose description says "council".
    return [s for (matched, points), s in ranked if matched == most or points > top / 2]


def a_to_z(services: list[Service]) -> list[tuple[str, list[Service]]]:
    """Services grouped by the first letter of their name (digits and symbols under "#")."""
    def letter(service: Service) -> str:
        first = service.name[:1].upper()
        return first if "A" <= first <= "Z" else "#"
    ordered = sorted(services, key=lambda s: (letter(s), s.name.lower()))
    return [(initial, list(group)) for initial, group in groupby(ordered, key=letter)]
