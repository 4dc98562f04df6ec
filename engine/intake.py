"""The intake form of a published process: what someone outside the council fills in to start a case.

It is the start event's form when the map has one; otherwise the form of the first user task a case
reaches from the start event (following sequence flows breadth first): in the shipped maps that is
the front office's "record the details" task, which a request from outside completes at once, so the
case goes straight on to the team that does the work. Later tasks stay with staff.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from lxml import etree

from . import dialects, forms, registry, taskforms, xmlsafe
from .context import Context

BPMN = f"{{{dialects.BPMN_NS}}}"


@dataclass(frozen=True)
class Intake:
    """The intake form: ``task`` is the BPMN id of the user task it belongs to (None: the start
    event's, whose answers start the case)."""

    task: str | None
    texts: taskforms.FormTexts

    def schema(self) -> dict[str, Any]:
        assert self.texts.schema is not None
        return forms.load_schema(self.texts.schema, self.texts.files.get, self.texts.name)

    def ui_schema(self) -> dict[str, Any]:
        loaded = json.loads(self.texts.ui_schema) if self.texts.ui_schema else {}
        return loaded if isinstance(loaded, dict) else {}


def _first_task(root: etree._Element, process_id: str, tasks: dict[str, dict[str, Any]]) -> str | None:
    """The nearest user task with a form after the process's start event."""
    process = root.find(f"bpmn:process[@id='{process_id}']", dialects.NS)
    if process is None:
        return None
    after: dict[str, list[str]] = {}
    for flow in process.iter(f"{BPMN}sequenceFlow"):
        after.setdefault(flow.get("sourceRef") or "", []).append(flow.get("targetRef") or "")
    starts = [e.get("id") or "" for e in process.iterfind("bpmn:startEvent", dialects.NS)]
    queue, seen = deque(starts), set(starts)
    while queue:
        node = queue.popleft()
        if tasks.get(node, {}).get("form"):
            return node
        for nxt in after.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return None


def intake(ctx: Context, process_key: str) -> Intake | None:
    """The current version's intake form (None: the process asks for nothing before staff take it)."""
    start = taskforms.start_form(ctx, process_key)
    if start is not None:
        return Intake(None, start)
    with ctx.db.transaction(readonly=True) as session:
        row = registry.get_version(session, process_key)
        files, tasks = dict(row.files), dict(row.user_tasks)
    for text in (t for n, t in files.items() if n.lower().endswith(".bpmn") and f'id="{process_key}"' in t):
        root, _ = xmlsafe.parse_xml(process_key, text.encode())
        found = _first_task(root, process_key, tasks) if root is not None else None
        if found is not None:
            meta = tasks[found]
            schema, ui = meta.get("form"), meta.get("form_ui_schema")
            if schema in files:
                return Intake(found, taskforms.FormTexts(meta.get("name") or found, files[schema],
                                                         files.get(ui) if ui else None, files, schema))
    return None
