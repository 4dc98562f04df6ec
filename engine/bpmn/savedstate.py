"""A case's saved workflow state: the document we write, and how it is read back through the
migration chain (``engine.bpmn.statemigrations``) whatever release wrote it.

The document is SpiffWorkflow's own serialization without the process spec: a version's spec is
stored once (``process_version.spec``, written by ``spec_to_dict``) and every case on the version
borrows it from a per-process cache. Only ``engine.bpmn.runtime`` restores a workflow from a document
(tests/test_architecture.py): it gives the restored workflow its sandboxed script engine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from ..errors import StateUnreadable
from ..outbox.servicetasks import CAMUNDA_OUTBOX_CONFIG, SPIFF_OUTBOX_CONFIG
from ..types import Dialect
from . import statemigrations, zeebe
from .statemigrations import SERIALIZER_VERSION

__all__ = ["SERIALIZER_VERSION", "LoadedSpec", "spec_to_dict", "spec_from_dict", "dump", "restore"]


@dataclass(frozen=True)
class LoadedSpec:
    """A process version's parsed spec, shared read-only by every case on that version."""

    dialect: Dialect
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    zeebe: dict[str, dict[str, Any]] = field(default_factory=dict)  # Camunda 8 facts by element (engine.bpmn.zeebe)


class _SpecByReference(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """Leaves the spec out of saved state and takes it from the caller on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        # What BpmnWorkflowConverter.to_dict writes, minus the specs (converting them is a fifth
        # of the cost of a save, only to be thrown away).
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], loaded: LoadedSpec | None = None) -> BpmnWorkflow:
        if loaded is None:  # a full document, e.g. from SpiffWorkflow's own tools
            return super().from_dict(dct)
        workflow = self.target_class(loaded.spec, loaded.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer(config: dict[type, type]) -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(config)
    _SpecByReference(BpmnWorkflow, registry)
    return BpmnWorkflowSerializer(registry)


_SERIALIZERS = {Dialect.SPIFF: _serializer(SPIFF_OUTBOX_CONFIG), Dialect.CAMUNDA: _serializer(CAMUNDA_OUTBOX_CONFIG)}
_SERIALIZERS[Dialect.ZEEBE] = _SERIALIZERS[Dialect.CAMUNDA]


def spec_to_dict(dialect: Dialect, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec],
                 zeebe_facts: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The spec document; with a Camunda 8 map's ``zeebe.element_facts`` (mappings, headers, keys)."""
    registry = _SERIALIZERS[dialect].registry
    document = {"spec": registry.convert(spec),
                "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()}}
    return {**document, zeebe.FACTS: zeebe_facts} if zeebe_facts else document


def spec_from_dict(dialect: Dialect, dct: dict[str, Any]) -> LoadedSpec:
    registry = _SERIALIZERS[dialect].registry
    loaded = LoadedSpec(dialect, registry.restore(dct["spec"]),
                        {name: registry.restore(s) for name, s in dct["subprocess_specs"].items()},
                        dct.get(zeebe.FACTS) or {})
    zeebe.attach([loaded.spec, *loaded.subprocess_specs.values()], loaded.zeebe)
    return loaded


def dump(loaded: LoadedSpec, workflow: BpmnWorkflow) -> str:
    """The document to save, in the current format (SERIALIZER_VERSION)."""
    serializer = _SERIALIZERS[loaded.dialect]
    serializer.registry._encoder_mode = True  # as SpiffWorkflow's serialize_json does
    try:
        return json.dumps(serializer.to_dict(workflow), cls=serializer._encoder_cls)
    finally:
        serializer.registry._encoder_mode = False


def _target(loaded: LoadedSpec) -> statemigrations.Target:
    specs = {loaded.spec.name: loaded.spec, **loaded.subprocess_specs}
    return statemigrations.Target(
        process=loaded.spec.name,
        task_specs={name: set(spec.task_specs) for name, spec in specs.items()},
        spec_document=lambda: spec_to_dict(loaded.dialect, loaded.spec, loaded.subprocess_specs),
        spiff_migrate=_SERIALIZERS[loaded.dialect].migrate)


def restore(loaded: LoadedSpec, text: str, version: str) -> BpmnWorkflow:
    """The workflow saved as ``text`` with format ``version``, upgraded first if an older release
    wrote it; StateUnreadable if it cannot be (whatever the cause: a format this release does not
    know, bad JSON, a document SpiffWorkflow does not understand, data too deep to restore)."""
    try:
        document = json.loads(text)
        if not isinstance(document, dict):
            raise ValueError("the saved state is not a JSON object")
    except (ValueError, RecursionError) as err:
        raise StateUnreadable(f"its saved state cannot be loaded ({type(err).__name__}: {str(err)[:200]})") from err
    if version != SERIALIZER_VERSION:  # the chain, and what its steps may consult, only when needed
        statemigrations.upgrade(document, version, _target(loaded))
    try:
        return _SERIALIZERS[loaded.dialect].registry.restore(document, loaded=loaded)
    except Exception as err:  # RecursionError, ValueError, KeyError, TypeError...: all mean the same here
        raise StateUnreadable(f"its saved state cannot be loaded ({type(err).__name__}: "
                              f"{str(err)[:200]})") from err
