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
* is a finished instance of an unstructured join (parallel, inclusive, end) that a future
  instance of it could still inspect (those look at non-ancestor instances and their parents),
  unless it is an ancestor of every unfinished task that can reach the join, or such an
  ancestor instance completed at the same time or later (its token was consumed); or
* is the parent of a surviving join.

Completed subprocesses of removed tasks are dropped, ``last_task`` moves to the nearest
survivor, and workflow data is untouched. After pruning, a case cannot be reset to a pruned task.
"""
from __future__ import annotations

from uuid import UUID

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
    zone: list[Task] = []  # finished tasks with only finished ancestors
    frontier: list[Task] = []  # tasks outside the zone whose parent is in it
    stack = [root] if root.has_state(_DONE) else []
    while stack:
        task = stack.pop()
        zone.append(task)
        for child_id in task._children:
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
    keep.update(_visible_join_instances(wf, zone, unfinished))
    keep.update(t.id for t in zone if t.id in top.subprocesses
                and not all(top.subprocesses[s].completed for s in _subprocess_ids(top, t.id)))
    for task in zone:
        node = task
        while node.id in keep and isinstance(node.task_spec, Join) and node.parent is not None:
            keep.add(node._parent)
            node = node.parent

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
    needed: set[UUID] = set()
    for task in frontier:
        missing, node = set(names), task
        while node is not None and missing:
            if node.task_spec.name in missing:
                missing.discard(node.task_spec.name)
                needed.add(node.id)
                needed.update(node._children)
            node = node.parent
    return needed


def _visible_join_instances(wf: BpmnBaseWorkflow, zone: list[Task], unfinished: list[Task]) -> set[UUID]:
    """Finished unstructured-join instances, and their parents, that a future instance could see."""
    by_spec: dict[str, list[Task]] = {}
    for task in zone:
        if isinstance(task.task_spec, UnstructuredJoin):
            by_spec.setdefault(task.task_spec.name, []).append(task)
    keep: set[UUID] = set()
    for name, instances in by_spec.items():
        feeders, pending = {name}, [wf.spec.task_specs[name]]
        while pending:
            for spec in pending.pop().inputs:
                if spec.name not in feeders:
                    feeders.add(spec.name)
                    pending.append(spec)
        live = [t for t in unfinished if t.task_spec.name in feeders]
        if not live:
            continue  # no future instance of this join can be created
        spine = _common_ancestors(live)
        consumed = max((t.last_state_change for t in instances
                        if t.id in spine and t.state == TaskState.COMPLETED), default=None)
        for task in instances:
            if task.id not in spine and (consumed is None or task.last_state_change > consumed):
                keep.update((task.id, task._parent))
    return keep


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
