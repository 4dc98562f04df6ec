"""Prune finished history from SpiffWorkflow task trees so that looping cases stay shallow.

Why: SpiffWorkflow 3.2 keeps every task it has ever run. Each pass through a loop (back office ->
front office -> back office ...) adds 4-5 levels to the tree. Library code recurses over
ancestors (``is_descendant_of``, ``find_ancestor``), so a case hits ``RecursionError`` after a
few hundred passes. With a higher recursion limit, ``TaskIterator`` (``max_depth=1000``) stops
seeing the READY task.

How: only the "finished zone" changes. That is every COMPLETED/CANCELLED task whose ancestors
are all COMPLETED/CANCELLED. Zone tasks are removed unless something may still read them, and
each survivor is re-parented to its nearest surviving ancestor, so ancestry only ever shrinks.
A zone task survives if it:

* is the root, or the parent of a task outside the zone (unfinished or ERROR tasks keep the
  parent they inherit data from);
* is, for some task outside the zone, the nearest task whose name a structured join's
  ``split_task`` gives (``BoundaryEventSplit``, ...), or a child of that task. Such joins
  call ``find_ancestor`` and then inspect the split's children;
* owns a subprocess that has not completed;
* is, for some task outside the zone, the nearest task of each name that feeds a parallel gateway
  a future instance of which could still be created ("live"). A parallel gateway instance walks
  up from its own predicted instance below it and ticks off the first ancestor that is a still
  awaited input: when a loop re-enters the gateway, that is how the input from before the loop
  is found (keeping only the nearest of each name leaves the walk's answer unchanged);
* is a finished instance of a live unstructured join (parallel, inclusive, end) that a future
  instance reads: one that is not its ancestor (the gateway ticks off that instance's parent's
  spec, and every such join merges that parent's data). Instances above every unfinished task
  that can reach the join are never read; of the others, those with the same state, parent
  spec, parent state and frontier below them are read by the same future instances, so the
  first in tree order and the latest changed are kept. An earlier instance's token is never
  consumed in SpiffWorkflow: a parallel gateway fed before a loop by two flows finds one of them
  only through the instance that did not fire;
* is an instance of a live inclusive gateway or end join with no instance of the same spec
  above it, if it is above a task outside the zone (those joins scan the tree from the root but
  not below an instance of themselves, so it hides what is under it), or is the first or latest
  of the other such instances with its state, parent spec and parent state; or is such a top
  instance above a surviving instance; or
* is the parent of a surviving join.

Completed subprocesses of removed tasks are dropped, ``last_task`` moves to the nearest
survivor, and workflow data is untouched. After pruning, a case cannot be reset to a pruned task.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

__all__ = ["compact"]

_DONE = TaskState.COMPLETED | TaskState.CANCELLED


def compact(workflow: BpmnWorkflow) -> int:
    """Prune finished history from ``workflow`` and all running subprocesses.

    Call this between engine steps, before serializing. Returns how many tasks were removed,
    counting tasks of deleted completed subprocesses.
    """
    removed = _compact_tree(workflow, workflow)
    for owner_id, sub in list(workflow.subprocesses.items()):
        if owner_id in workflow.subprocesses and not sub.completed:
            removed += _compact_tree(sub, workflow)
    return removed


def _compact_tree(wf: BpmnBaseWorkflow, top: BpmnWorkflow) -> int:
    root: Task = wf.task_tree
    zone: list[Task] = []  # finished tasks with only finished ancestors, in tree (depth-first) order
    frontier: list[Task] = []  # tasks outside the zone whose parent is in it
    stack = [root] if root.has_state(_DONE) else []
    while stack:
        task = stack.pop()
        zone.append(task)
        for child_id in reversed(task._children):
            child = wf.tasks.get(child_id)
            if child is None:
                return 0  # dangling child id: the tree is inconsistent, leave it alone
            (stack if child.has_state(_DONE) else frontier).append(child)
    unfinished = [t for t in wf.tasks.values() if t.has_state(TaskState.NOT_FINISHED_MASK)]
    if len(zone) < 2 or not unfinished:
        return 0
    zone_ids = {t.id for t in zone}

    keep: set[UUID] = {root.id}
    keep.update(t._parent for t in frontier)
    keep.update(_needed_splits(wf, frontier))
    joins = _live_joins(wf, unfinished)
    keep.update(_nearest_ancestors(frontier, {i.name for spec, _ in joins
                                              if isinstance(spec, ParallelGateway) for i in spec.inputs}))
    keep.update(_join_instances(zone, frontier, joins))
    keep.update(t.id for t in zone if t.id in top.subprocesses
                and not all(top.subprocesses[s].completed for s in _subprocess_ids(top, t.id)))
    scanned = {spec.name for spec, _ in joins if not isinstance(spec, ParallelGateway)}
    pending = list(keep)
    while pending:  # close over "parent of a kept join" and "top instance above a kept scanned join"
        task = wf.tasks.get(pending.pop())
        if task is None or task.id not in zone_ids:
            continue
        more = []
        if isinstance(task.task_spec, Join) and task.parent is not None:
            more.append(task._parent)
        if task.task_spec.name in scanned:
            above = _top_instance(task.parent, task.task_spec.name)
            if above is not None:
                more.extend((above.id, above._parent))
        for task_id in more:
            if task_id not in keep:
                keep.add(task_id)
                pending.append(task_id)

    removed = [t for t in zone if t.id not in keep]
    if not removed:
        return 0
    new_children: dict[UUID, list[UUID]] = {}  # each survivor's children, removed tasks spliced out
    for task in zone:
        if task.id in keep:
            kids: list[UUID] = []
            pending = list(reversed(task._children))
            while pending:
                child_id = pending.pop()
                if child_id in keep or child_id not in zone_ids:
                    kids.append(child_id)
                else:
                    pending.extend(reversed(wf.tasks[child_id]._children))
            new_children[task.id] = kids
    last = wf.last_task
    while last is not None and last.id not in keep and last.id in zone_ids:
        last = last.parent
    wf.last_task = last

    for parent_id, kids in new_children.items():
        wf.tasks[parent_id]._children = kids
        for child_id in kids:
            wf.tasks[child_id]._parent = parent_id
    count = len(removed)
    for task in removed:
        if task.id in top.subprocesses:
            for sub_id in _subprocess_ids(top, task.id):
                count += len(top.subprocesses.pop(sub_id).tasks)
        del wf.tasks[task.id]
        top.event_manager.remove_task(task)
        wf._task_removed_notify(task)
    return count


def _subprocess_ids(top: BpmnWorkflow, owner_id: UUID) -> list[UUID]:
    """The subprocess owned by ``owner_id`` plus every subprocess nested inside it."""
    found, pending = [], [owner_id]
    while pending:
        sub_id = pending.pop()
        found.append(sub_id)
        pending.extend(t for t in top.subprocesses[sub_id].tasks if t in top.subprocesses)
    return found


def _needed_splits(wf: BpmnBaseWorkflow, frontier: list[Task]) -> set[UUID]:
    """Nearest split of each name at or above each frontier task, with the split's children."""
    names = {s.split_task for s in wf.spec.task_specs.values() if getattr(s, "split_task", None)}
    splits = _nearest_ancestors(frontier, names)
    return splits | {child for split in splits for child in wf.tasks[split]._children}


def _nearest_ancestors(frontier: list[Task], names: set[str]) -> set[UUID]:
    """Nearest task of each name at or above each frontier task."""
    needed: set[UUID] = set()
    for task in frontier:
        missing, node = set(names), task
        while node is not None and missing:
            if node.task_spec.name in missing:
                missing.discard(node.task_spec.name)
                needed.add(node.id)
            node = node.parent
    return needed


def _live_joins(wf: BpmnBaseWorkflow, unfinished: list[Task]) -> list[tuple[UnstructuredJoin, list[Task]]]:
    """Each unstructured join of which a future instance could still be created or updated, with
    the unfinished tasks that could lead to it (a future instance lies at or below one of them)."""
    joins = []
    for spec in wf.spec.task_specs.values():
        if not isinstance(spec, UnstructuredJoin):
            continue
        feeders, pending = {spec.name}, [spec]
        while pending:
            for source in pending.pop().inputs:
                if source.name not in feeders:
                    feeders.add(source.name)
                    pending.append(source)
        live = [t for t in unfinished if t.task_spec.name in feeders]
        if live:
            joins.append((spec, live))
    return joins


def _join_instances(zone: list[Task], frontier: list[Task],
                    joins: list[tuple[UnstructuredJoin, list[Task]]]) -> set[UUID]:
    """Finished instances of live unstructured joins, and their parents, that a future instance reads.

    A future instance J lies at or below some frontier task. A finished instance T that is not an
    ancestor of J counts for J: a parallel gateway ticks off T's parent's spec as an arrived input
    (in tree order), and every unstructured join merges the data of T's parent (and drops T's
    children if T completed). T is an ancestor of J exactly when J's frontier task is below T,
    so instances on the common ancestry of every live feeder are never read, and two instances
    with the same state, parent spec, parent state and set of frontier tasks below them are read
    by the same future instances: the first in tree order decides the tick, the latest the data.
    Inclusive gateways and the end join instead scan the tree from the root without descending
    below an instance of themselves; for those, every instance on top (no instance of the same
    spec above it) that hides a frontier task is kept, and one first and one latest of the
    other top instances for each state and parent spec and state.
    """
    by_spec: dict[str, list[Task]] = {}
    for task in zone:
        if isinstance(task.task_spec, UnstructuredJoin):
            by_spec.setdefault(task.task_spec.name, []).append(task)
    below: dict[UUID, set[UUID]] = {}  # zone task -> frontier tasks below it
    for task in frontier:
        node = task.parent
        while node is not None:
            below.setdefault(node.id, set()).add(task.id)
            node = node.parent
    keep: set[UUID] = set()
    for spec, live in joins:
        instances = by_spec.get(spec.name)
        if not instances:
            continue
        spine = _common_ancestors(live)
        chosen = _representatives([t for t in instances if t.id not in spine],
                                  lambda t: frozenset(below.get(t.id, ())))
        if not isinstance(spec, ParallelGateway):
            on_top = [t for t in instances if _top_instance(t.parent, spec.name) is None]
            chosen.extend(t for t in on_top if t.id in below)
            chosen.extend(_representatives([t for t in on_top if t.id not in below], lambda t: None))
        for task in chosen:
            keep.update((task.id, task._parent))
    return keep


def _representatives(instances: list[Task], extra: Callable[[Task], Hashable]) -> list[Task]:
    """The first (in the order given) and the latest-changed instance of each group of
    interchangeable instances: same state, parent spec, parent state and ``extra(task)``."""
    groups: dict[tuple[Any, ...], list[Task]] = {}
    for task in instances:
        key = (task.state, task.parent.task_spec.name, task.parent.state, extra(task))
        groups.setdefault(key, []).append(task)
    chosen = []
    for group in groups.values():
        chosen.append(group[0])
        latest = max(group, key=lambda t: t.last_state_change)
        if latest is not group[0]:
            chosen.append(latest)
    return chosen


def _top_instance(node: Task | None, name: str) -> Task | None:
    """The highest task named ``name`` at or above ``node``, if any."""
    found = None
    while node is not None:
        if node.task_spec.name == name:
            found = node
        node = node.parent
    return found


def _common_ancestors(tasks: list[Task]) -> set[UUID]:
    """Ids of the tasks that are ancestors of (or equal to) every task given."""
    common: set[UUID] | None = None
    for task in tasks:
        line, node = set(), task
        while node is not None:
            line.add(node.id)
            node = node.parent
        common = line if common is None else common & line
    return common or set()
