"""Saved case states carry a version and are upgraded on load, one step per format, before
SpiffWorkflow restores them: a case that waits for months must survive the releases in between.

A state's version (``case_state.serializer_version``) is ``spiff-<S>+cf<N>``: ``S`` is SpiffWorkflow's
serializer format (its ``VERSION``), ``N`` is ours, the shape we give SpiffWorkflow's document:

- ``cf0``: SpiffWorkflow's own document, as ``BpmnWorkflowSerializer.serialize_json`` writes it, with
  the process spec and every subprocess spec embedded (and SpiffWorkflow's ``serializer_version`` key).
- ``cf1``: the specs left out; a process version's spec is stored once and the case's version
  supplies it on load (docs/architecture.md, "A version's spec is stored once").

``upgrade`` runs SpiffWorkflow's own migration first (its steps read the specs, so a ``cf1`` document
has its version's spec lent to it for the step), then ours in order. A version this release does not
know (written by a newer release, or garbage) is refused with StateUnreadable, never guessed at: the
case keeps its state untouched, can be shown and cancelled, and works again once a release that
knows the format is deployed. How to add a step when SpiffWorkflow is upgraded: docs/operators.md.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT

from ..errors import StateUnreadable

OURS = 1
SERIALIZER_VERSION = f"spiff-{SPIFF_FORMAT}+cf{OURS}"

# Where SpiffWorkflow's own step for each older format lands (read from its version_migration.py:
# its steps do not all chain to the newest format, so ours repeats them until they do). A new
# SpiffWorkflow adds a format here; tests/engine/test_saved_state_versions.py fails until it is listed.
SPIFF_LANDS = {"1.0": "1.3", "1.1": "1.3", "1.2": "1.3", "1.3": "1.4", "1.4": "1.5"}

_VERSION = re.compile(r"spiff-(\d+(?:\.\d+)*)\+cf(\d+)")
_SPEC_KEYS = ("spec", "subprocess_specs")


@dataclass(frozen=True)
class StateVersion:
    spiff: str
    ours: int

    def __str__(self) -> str:
        return f"spiff-{self.spiff}+cf{self.ours}"


@dataclass(frozen=True)
class Target:
    """What the steps may consult about the process version the case runs on."""

    process: str  # the top-level spec's name
    task_specs: dict[str, set[str]]  # task spec names per spec name (top level and subprocesses)
    spec_document: Callable[[], dict[str, Any]]  # {"spec": ..., "subprocess_specs": ...} as SpiffWorkflow writes them
    spiff_migrate: Callable[[dict[str, Any]], None]  # BpmnWorkflowSerializer.migrate


def _numbers(spiff: str) -> tuple[int, ...]:
    return tuple(int(part) for part in spiff.split("."))


def parse(text: str) -> StateVersion:
    """The version of a saved state; StateUnreadable if this release cannot upgrade it."""
    found = _VERSION.fullmatch(text or "")
    if found is None:
        raise StateUnreadable(f"its saved state has a format this release does not know ({text!r:.60}; "
                              f"it reads formats up to {SERIALIZER_VERSION})")
    version = StateVersion(found.group(1), int(found.group(2)))
    if version.ours > OURS or _numbers(version.spiff) > _numbers(SPIFF_FORMAT):
        raise StateUnreadable(f"its saved state was written by a newer release of councilflow (format {version}; "
                              f"this release reads formats up to {SERIALIZER_VERSION})")
    if version.spiff != SPIFF_FORMAT and version.spiff not in SPIFF_LANDS:
        raise StateUnreadable(f"its saved state has SpiffWorkflow format {version.spiff}, which this release "
                              f"cannot upgrade (format {version}; it reads formats up to {SERIALIZER_VERSION})")
    return version


def _spiff_step(document: dict[str, Any], version: StateVersion, target: Target) -> StateVersion:
    """SpiffWorkflow's own migration from ``version.spiff``, on the document with its specs."""
    lent = version.ours >= 1  # cf1 and later leave the specs out: lend the version's for the step
    if lent:
        document.update(target.spec_document())
    document["serializer_version"] = version.spiff  # the key SpiffWorkflow's migrate reads (and removes)
    target.spiff_migrate(document)
    if lent:
        for key in _SPEC_KEYS:
            document.pop(key, None)
    return StateVersion(SPIFF_LANDS[version.spiff], version.ours)


def _spec_by_reference(document: dict[str, Any], target: Target) -> None:
    """cf0 -> cf1: leave out the embedded specs, once they are known to be the case's version's.

    A document embedding another process's spec (or a version with other elements) would restore
    with tasks that point at nothing, silently losing them, so it is refused instead."""
    embedded = document.get("spec") or {}
    if embedded.get("name") != target.process:
        raise StateUnreadable(f"its saved state embeds process {embedded.get('name')!r}, not {target.process!r}")
    unknown = {(spec, task) for spec, task in _task_spec_names(document)
               if task not in target.task_specs.get(spec, set())}
    if unknown:
        names = ", ".join(sorted(f"{spec}:{task}" for spec, task in unknown)[:5])
        raise StateUnreadable(f"its saved state has tasks that this version of the process does not have ({names})")
    for key in (*_SPEC_KEYS, "serializer_version"):
        document.pop(key, None)


def _task_spec_names(document: dict[str, Any]) -> set[tuple[str, str]]:
    """(spec name, task spec name) of every saved task, top level and in subprocesses."""
    top = document["spec"]["name"]
    found = {(top, task["task_spec"]) for task in document["tasks"].values()}
    for sub in document.get("subprocesses", {}).values():
        found |= {(sub["spec"], task["task_spec"]) for task in sub["tasks"].values()}
    return found


# Ours, one per format: OUR_STEPS[n] turns a cf<n> document into cf<n + 1>.
OUR_STEPS: dict[int, Callable[[dict[str, Any], Target], None]] = {0: _spec_by_reference}


def upgrade(document: dict[str, Any], text: str, target: Target) -> dict[str, Any]:
    """``document`` (saved with version ``text``) in the current format, changed in place."""
    version = parse(text)
    while version.spiff != SPIFF_FORMAT:
        try:
            version = _spiff_step(document, version, target)
        except Exception as err:  # SpiffWorkflow's steps assume a well-formed document
            raise StateUnreadable(f"its saved state (format {text}) could not be upgraded: SpiffWorkflow's "
                                  f"migration from format {version.spiff} failed ({type(err).__name__}: "
                                  f"{str(err)[:200]})") from err
    while version.ours < OURS:
        try:
            OUR_STEPS[version.ours](document, target)
        except StateUnreadable:
            raise
        except Exception as err:
            raise StateUnreadable(f"its saved state (format {text}) could not be upgraded from cf{version.ours} "
                                  f"({type(err).__name__}: {str(err)[:200]})") from err
        version = StateVersion(version.spiff, version.ours + 1)
    return document
