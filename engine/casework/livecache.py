"""Live workflows kept between steps, so a step on a case this process saved last skips restoring it.

One cache per context (per process). An entry is the workflow as this process saved it, keyed by the
case's id and the case row's ``lock_version`` once that save was flushed, with the document it saved.
The case writer takes an entry only when the locked case row still carries that version and the
saved state is still that document: any other save of the case — by another process, another
context, or by hand (a repaired or damaged state) — changes one or the other, so a stale workflow
is never used; restoring is skipped, the read of the state row is not. Taking an entry removes it, so a step that fails or rolls back cannot leave a half-stepped
workflow behind; the writer puts it back only after its transaction committed. Bounded: the least
recently saved entries go first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn import BpmnWorkflow

CAPACITY = 512  # live workflows kept per process (a map's workflow is some tens of kilobytes)


class LiveWorkflows:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[int, str, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, case_id: int, version: int, state: str) -> BpmnWorkflow | None:
        """The workflow saved at ``version`` of the case as ``state``, removed from the cache; None (and
        any other entry of the case dropped) otherwise."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None and entry[0] == version and entry[1] == state:
                self.hits += 1
                return entry[2]
            self.misses += 1
            return None

    def put(self, case_id: int, version: int, state: str, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._entries.pop(case_id, None)
            self._entries[case_id] = (version, state, workflow)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def forget(self, case_id: int) -> None:
        with self._lock:
            self._entries.pop(case_id, None)

    def __len__(self) -> int:
        return len(self._entries)
