"""What a process's user tasks are called where an admin picks one or reads a list of them.

A task's name alone is not enough: a map with a copy of a task per lane (the member enquiry's
"Prepare draft response" for Waste Services, Highways, Housing Repairs and Revenues) would show one
name four times, and a list of SLAs would seem to hold the same task four times over. So a shared
name is followed by the task's lane, or by its BPMN id when the lane does not tell them apart either.

A policy names a task by BPMN id across every version of its process; its label comes from the latest
version that has the task (the one new tasks are created from), and says which version that is.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..persistence.tables import Process, ProcessVersion

WHOLE_CASE = ""  # the task of a whole-case policy


def task_labels(user_tasks: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each user task's name, told apart from the others of the same version by lane or BPMN id."""
    def named(task_id: str) -> str:
        return str(user_tasks[task_id].get("name") or task_id)

    names = Counter(named(t) for t in user_tasks)
    lanes = Counter((named(t), user_tasks[t].get("lane")) for t in user_tasks)
    labels = {}
    for task_id, meta in user_tasks.items():
        name, lane = named(task_id), meta.get("lane")
        if names[name] > 1:
            name += f" ({lane})" if lane and lanes[(name, lane)] == 1 else f" ({task_id})"
        labels[task_id] = name
    return labels


@dataclass(frozen=True)
class Label:
    """``text``: "Member enquiry – whole case", "Member enquiry – Prepare draft response (Highways)";
    ``version``: the version the task was found in (None: no deployed version has it)."""

    text: str
    version: int | None


def labels(session: Session, targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Label]:
    """Labels of (process key, task BPMN id or "" for the whole case) pairs, from one read of their
    processes' versions, newest first."""
    wanted = set(targets)
    keys = {key for key, _ in wanted}
    rows = session.execute(select(ProcessVersion.process_key, ProcessVersion.version, ProcessVersion.user_tasks,
                                  Process.name).join(Process, Process.key == ProcessVersion.process_key)
                           .where(ProcessVersion.process_key.in_(keys))
                           .order_by(ProcessVersion.process_key, ProcessVersion.version.desc()))
    found: dict[tuple[str, str], Label] = {}
    for key, version, user_tasks, process_name in rows:
        found.setdefault((key, WHOLE_CASE), Label(f"{process_name} – whole case", version))
        for task_id, text in task_labels(user_tasks or {}).items():
            found.setdefault((key, task_id), Label(f"{process_name} – {text}", version))
    return {target: found.get(target) or Label(f"{target[0]} – {target[1] or 'whole case'}", None)
            for target in wanted}
