"""What a published map shows the public, read from its deployed BPMN: the form a resident fills in
(its start event's form, else the form of the first user task the map reaches: the work before the
first hand-off) and the public status wording an analyst gave its tasks and outcomes.

Wording lives in the BPMN as SpiffArena extension properties, so an analyst edits it with the map:

- on a user or manual task, ``publicStatus`` (for example "With Waste Services"): what a resident
  tracking the case reads while that task is open, and a milestone once it has begun;
- on the process, ``publicOutcome.<outcome>`` (for example ``publicOutcome.recollected`` = "Closed:
  your bin has been collected"): what a closed case with that ``outcome`` in its data says, and
  ``publicOutcome`` alone for any other closed case.

Each may also be given in Welsh, the same name with ``@cy`` after it (``publicStatus@cy`` = "Gyda'r
Gwasanaethau Gwastraff", ``publicOutcome.recollected@cy``); a wording without one stays English on
the Welsh pages.

Read once per deployed version (a version never changes) and kept in memory.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from threading import Lock

from lxml import etree

from ..bpmn import xmlsafe
from ..bpmn.dialects import HUMAN_TASKS, NS, _spiff_properties
from ..persistence.tables import ProcessVersion

PUBLIC_STATUS = "publicStatus"
PUBLIC_OUTCOME = "publicOutcome"
LANGUAGES = ("cy",)  # besides English: a property named NAME@cy words NAME in Welsh


@dataclass(frozen=True)
class PublicMap:
    """One deployed version's public face."""

    form_task: str | None = None  # BPMN id of the user task whose form residents fill in (None: the start event's)
    form: str | None = None  # its JSON Schema file name
    ui_schema: str | None = None
    statuses: Mapping[str, str] = field(default_factory=dict)  # task BPMN id -> public status
    outcomes: Mapping[str, str] = field(default_factory=dict)  # outcome ("" for any other) -> closed wording
    # The same in other languages: language -> (statuses, outcomes), only the wordings given in it
    translations: Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]] = field(default_factory=dict)

    def in_language(self, language: str) -> PublicMap:
        """This face with the wordings given in ``language`` over the English ones."""
        statuses, outcomes = self.translations.get(language, ({}, {}))
        return replace(self, statuses={**self.statuses, **statuses}, outcomes={**self.outcomes, **outcomes})


_cache: dict[tuple[str, str], PublicMap] = {}  # by the version's key and content: ids repeat across databases
_lock = Lock()


def _root(version: ProcessVersion) -> etree._Element | None:
    for name, text in version.files.items():
        if name.lower().endswith(".bpmn") and f'id="{version.process_key}"' in text:
            root, _ = xmlsafe.parse_xml(name, text.encode())
            if root is not None:
                return root
    return None


def _first_user_task(process: etree._Element) -> etree._Element | None:
    """The user task the map reaches first from its start event, following sequence flows (breadth first)."""
    by_id = {el.get("id"): el for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
    flows: dict[str, list[str]] = {}
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
        flows.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    queue = deque(e.get("id") for e in process.iterfind("bpmn:startEvent", NS))
    seen: set[str] = set()
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        element = by_id.get(current)
        if element is not None and etree.QName(element).localname in HUMAN_TASKS and current not in \
                {e.get("id") for e in process.iterfind("bpmn:startEvent", NS)}:
            return element
        queue.extend(flows.get(current, []))
    return None


def _read(version: ProcessVersion) -> PublicMap:
    root = _root(version)
    process = root.find(f"bpmn:process[@id='{version.process_key}']", NS) if root is not None else None
    if process is None:
        return PublicMap()
    statuses, outcomes = _wordings(process, "")
    translations = {language: _wordings(process, "@" + language) for language in LANGUAGES}
    form_task, form, ui = None, None, None
    for event in process.iterfind("bpmn:startEvent", NS):
        props = _spiff_properties(event)
        if props.get("formJsonSchemaFilename"):
            form, ui = props["formJsonSchemaFilename"], props.get("formUiSchemaFilename")
            break
    else:
        first = _first_user_task(process)
        if first is not None:
            meta = version.user_tasks.get(first.get("id"), {})
            form_task, form, ui = first.get("id"), meta.get("form") or meta.get("form_schema"), meta.get("form_ui_schema")
    return PublicMap(form_task, form, ui, statuses, outcomes,
                     {language: words for language, words in translations.items() if any(words)})


def _wordings(process: etree._Element, suffix: str) -> tuple[dict[str, str], dict[str, str]]:
    """The tasks' public statuses and the process's outcomes, from the properties named with ``suffix``."""
    statuses = {el.get("id"): props[PUBLIC_STATUS + suffix] for kind in HUMAN_TASKS
                for el in process.iterfind(f".//bpmn:{kind}", NS)
                if (props := _spiff_properties(el)).get(PUBLIC_STATUS + suffix)}
    outcomes = {}
    for name, value in _spiff_properties(process).items():
        base, _, language = name.partition("@")
        if base.startswith(PUBLIC_OUTCOME) and value and ("@" + language if language else "") == suffix:
            outcomes[base.removeprefix(PUBLIC_OUTCOME).lstrip(".")] = value
    return statuses, outcomes


def public_map(version: ProcessVersion) -> PublicMap:
    """The public face of ``version`` (read from its BPMN the first time it is asked for)."""
    key = (version.process_key, version.content_hash)
    with _lock:
        found = _cache.get(key)
    if found is None:
        found = _read(version)
        with _lock:
            _cache[key] = found
    return found
