"""Prune finished history from SpiffWorkflow task trees so looping cases stay shallow.

Why: SpiffWorkflow 3.2 never forgets. Every pass through a loop (back office -> front office ->
back office ...) appends about 4-5 levels to the task tree. Several library routines recurse
over ancestors (``Task.is_descendant_of``, ``find_ancestor``), so a case with a boundary event
hits ``RecursionError`` after roughly 250 round trips. With a higher recursion limit it is
worse: ``TaskIterator`` stops at ``max_depth=1000``, so the READY task becomes invisible.

What: ``compact`` removes the finished tasks that nothing can consult any more and re-parents
each surviving task under its nearest surviving ancestor. Only the "finished zone" is touched:
tasks that are COMPLETED or CANCELLED *and* have only COMPLETED/CANCELLED ancestors. Nothing
below an unfinished (or ERROR) task changes. Removing tasks and re-parenting a task to one of
its original ancestors never makes X a descendant of Y unless it was one before. A finished
task is kept when:

* it is the root, or the parent of a task outside the zone (unfinished tasks keep the parent
  they inherit data from);
* it is the nearest ancestor named in some spec's ``split_task`` (``BoundaryEventSplit``,
  ``StartEventSplit``, ...) for some unfinished task, or a child of such a split. Structured
  joins find their split with ``find_ancestor`` and then look at its children;
* it owns a subprocess that has not completed;
* it is a finished unstructured-join instance (parallel, inclusive or end join) that a future
  instance of the same join could still see. Those joins check other instances that are not
  their ancestors, and their parents' state and data. Such an instance is kept unless it is an
  ancestor of every unfinished task that can reach the join, or an instance that is such an
  ancestor completed at the same time or later (its token was consumed). Every kept join also
  keeps its parent.

Completed subprocesses owned by removed tasks are dropped from ``workflow.subprocesses``.
``workflow.last_task`` moves to the nearest surviving ancestor. Workflow data is not touched.
The cost is that you can no longer reset a case to a pruned task.
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
    zone: list[Task] = []
    stack = [root] if root.has_state(_DONE) else []
    while stack:
        task = stack.pop()
        zone.append(task)
        stack.extend(c for c in task.children if c.has_state(_DONE))
    unfinished = [t for t in wf.tasks.values() if t.has_state(TaskState.NOT_FINISHED_MASK)]
    if len(zone) < 2 or not unfinished:
        return 0
    zone_ids = {t.id for t in zone}

    keep: set[UUID] = {root.id}
    keep.update(t.id for t in zone if any(c not in zone_ids for c in t._children))
    keep.update(_needed_splits(wf, unfinished))
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
    new_children: dict[UUID, list[UUID]] = {}
    for task in zone:
        if task.id in keep:
            kids, pending = [], list(reversed(task._children))
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


def _needed_splits(wf: BpmnBaseWorkflow, unfinished: list[Task]) -> set[UUID]:
    """For each unfinished task, the nearest ancestor of every split a structured join names,
    with its children."""
    names = {s.split_task for s in wf.spec.task_specs.values() if getattr(s, "split_task", None)}
    needed: set[UUID] = set()
    for task in unfinished:
        missing, node = set(names), task.parent
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
    """Ids of tasks that are ancestors of (or equal to) every task given."""
    chain: list[UUID] = []
    node: Task | None = tasks[0]
    while node is not None:
        chain.append(node.id)
        node = node.parent
    chain.reverse()
    depth = {task_id: i for i, task_id in enumerate(chain)}
    lowest = len(chain) - 1
    for task in tasks[1:]:
        node = task
        while node.id not in depth:
            node = node.parent
        lowest = min(lowest, depth[node.id])
    return set(chain[:lowest + 1])
