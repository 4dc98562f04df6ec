"""SpiffArena's data stores, kept in our database: data that maps share between cases.

A map declares a store as SpiffArena's modeller draws it: ``<bpmn:dataStore id="cereals"
name="JSONDataStore"/>`` (``name`` is the kind: ``JSONDataStore``, ``KKVDataStore`` or
``TypeaheadDataStore``), a ``bpmn:dataStoreReference`` to it, and data associations from a task:

* **JSON** (``JSONDataStore``): reading puts the whole document into the task's data under the store's
  id; writing replaces the document with that variable's value (and takes the variable out of the data).
* **Key-value** (``KKVDataStore``): reading gives scripts a function of that name,
  ``cereals(top_key, secondary_key)`` (one value, or None) or ``cereals(top_key)`` (a dict of every
  secondary key's value); writing takes ``{top_key: {secondary_key: value}}`` (a None value deletes
  that entry, a None in place of the inner dict deletes every entry under the top key).
* **Typeahead** (``TypeaheadDataStore``): write only: ``{category: [{"search_term": ..., "result":
  {...}}]}`` replaces each category named.

**Process group.** SpiffArena keeps stores in a process group (a folder of process models). A case's
group here is its **service** (``case.service_key``: the directory entry the case delivers, by default
the process's own key), so every map delivering one service shares its stores, and maps of other
services never see them. Stores are created by the first write (from a map or ``councilflow
datastores set``); reading a JSON store never written fails the step, a key-value store never
written reads as empty.

A model test (``councilflow test``) runs each test case on empty stores of its own (``scratch``).

Reads and writes go through the case writer's session (``serving``, entered by ``CaseWriter.step``), so
they are committed with the case's state. A write larger than ``MAX_WRITE_BYTES`` (as JSON), a store with
more than ``MAX_ENTRIES`` entries, or a key longer than ``MAX_KEY`` characters is refused: the step fails.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.bpmn.serializer.helpers import BpmnDataSpecificationConverter
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataStoreSpecification

from ..errors import NotFound, UserError
from ..persistence.data_stores import scratch_session
from ..persistence.tables import DataStore, DataStoreEntry

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["JSONDataStore", "KKVDataStore", "TypeaheadDataStore", "CLASSES", "CONVERTERS", "StoreAccess",
           "serving", "scratch", "getters", "typeahead_search", "list_stores", "show_store", "set_store", "MAX_WRITE_BYTES"]

MAX_WRITE_BYTES = 256 * 1024  # one write (a document, or one task's entries), as JSON
MAX_ENTRIES = 20_000  # entries of one key-value or typeahead store
MAX_KEY = 200  # characters of a key, secondary key, category or search term (data_store_entry columns)
MAX_IDENTIFIER = 100
KINDS = ("json", "kkv", "typeahead")


@dataclass(frozen=True)
class StoreAccess:
    """Where one step of one case reads and writes its stores."""

    session: Session
    group: str
    actor: str
    now: datetime


_access: ContextVar[StoreAccess | None] = ContextVar("councilflow_data_stores", default=None)


@contextmanager
def serving(access: StoreAccess) -> Iterator[None]:
    token = _access.set(access)
    try:
        yield
    finally:
        _access.reset(token)


@contextmanager
def scratch(group: str, actor: str, now: datetime) -> Iterator[None]:
    """Stores that start empty and are forgotten afterwards: what a model test's case reads and writes."""
    with scratch_session() as session, serving(StoreAccess(session, group, actor, now)):
        yield


def _here(spec: BpmnDataStoreSpecification, task: Any) -> StoreAccess:
    access = _access.get()
    if access is None:
        raise WorkflowDataException(f"data store '{spec.bpmn_id}' can only be used by a running case", task)
    return access


def _find(session: Session, group: str, identifier: str) -> DataStore | None:
    return session.scalar(select(DataStore).where(DataStore.store_group == group, DataStore.identifier == identifier))


def _size(value: Any, what: str) -> None:
    try:
        size = len(json.dumps(value, allow_nan=False).encode())
    except (TypeError, ValueError, RecursionError) as err:
        raise UserError(f"{what} is not plain JSON data: {err}") from err
    if size > MAX_WRITE_BYTES:
        raise UserError(f"{what} is {size:,} bytes as JSON, over the limit of {MAX_WRITE_BYTES:,}")


def _key(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_KEY:
        raise UserError(f"{what} must be text of 1 to {MAX_KEY} characters")
    return value


def _store(access: StoreAccess, identifier: str, kind: str, create: bool) -> DataStore | None:
    """The group's store ``identifier`` of ``kind``; created (when ``create``) if the group has none."""
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        raise UserError(f"a data store's id must be 1 to {MAX_IDENTIFIER} characters")
    store = _find(access.session, access.group, identifier)
    if store is not None and store.kind != kind:
        raise UserError(f"data store '{identifier}' of {access.group} is a {store.kind} store, not {kind}")
    if store is None and create:
        store = DataStore(store_group=access.group, identifier=identifier, kind=kind, data=None,
                          updated_by=access.actor, updated_at=access.now)
        access.session.add(store)
        access.session.flush()
    return store


def _touched(store: DataStore, access: StoreAccess) -> None:
    store.updated_by, store.updated_at = access.actor, access.now


def _write_json(access: StoreAccess, identifier: str, value: Any) -> None:
    _size(value, f"data store '{identifier}'")
    store = _store(access, identifier, "json", create=True)
    assert store is not None
    store.data = copy.deepcopy(value)
    _touched(store, access)


def _write_entries(access: StoreAccess, identifier: str, kind: str, rows: dict[tuple[str, str], Any],
                   cleared: list[str]) -> None:
    """Sets ``rows`` ((key, subkey) -> value; None deletes) after deleting every entry under ``cleared`` keys."""
    store = _store(access, identifier, kind, create=True)
    assert store is not None
    session = access.session
    if cleared:
        session.execute(delete(DataStoreEntry).where(DataStoreEntry.store_id == store.id,
                                                     DataStoreEntry.key.in_(cleared)))
    for (key, subkey), value in rows.items():
        found = session.scalar(select(DataStoreEntry).where(DataStoreEntry.store_id == store.id,
                                                            DataStoreEntry.key == key, DataStoreEntry.subkey == subkey))
        if value is None:
            if found is not None:
                session.delete(found)
        elif found is None:
            session.add(DataStoreEntry(store_id=store.id, key=key, subkey=subkey, value=copy.deepcopy(value)))
        else:
            found.value = copy.deepcopy(value)
    session.flush()
    count = session.scalar(select(func.count()).select_from(DataStoreEntry).where(DataStoreEntry.store_id == store.id))
    if (count or 0) > MAX_ENTRIES:
        raise UserError(f"data store '{identifier}' would hold {count:,} entries, over the limit of {MAX_ENTRIES:,}")
    _touched(store, access)


def _kkv_rows(identifier: str, value: Any) -> tuple[dict[tuple[str, str], Any], list[str]]:
    if not isinstance(value, dict):
        raise UserError(f"writing to key-value data store '{identifier}' needs a dict of dicts")
    _size(value, f"what is written to data store '{identifier}'")
    rows: dict[tuple[str, str], Any] = {}
    cleared = []
    for top, inner in value.items():
        _key(top, f"a key of data store '{identifier}'")
        if inner is None:
            cleared.append(top)
            continue
        if not isinstance(inner, dict):
            raise UserError(f"writing to key-value data store '{identifier}' needs a dict as the value of '{top}'")
        for secondary, item in inner.items():
            rows[(top, _key(secondary, f"a secondary key of data store '{identifier}'"))] = item
    return rows, cleared


def _typeahead_rows(identifier: str, value: Any) -> tuple[dict[tuple[str, str], Any], list[str]]:
    if not isinstance(value, dict):
        raise UserError(f"writing to typeahead data store '{identifier}' needs a dict of categories")
    _size(value, f"what is written to data store '{identifier}'")
    rows: dict[tuple[str, str], Any] = {}
    for category, items in value.items():
        _key(category, f"a category of data store '{identifier}'")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UserError(f"typeahead data store '{identifier}': category '{category}' needs a list of items")
        for item in items:
            term = _key(item.get("search_term"), f"an item's search_term in data store '{identifier}'")
            rows[(category, term)] = item.get("result", {})
    return rows, list(value)


class _CouncilDataStore(BpmnDataStoreSpecification):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    kind = ""

    def _failing(self, task: Any, action: Callable[[StoreAccess], None]) -> None:
        access = _here(self, task)
        try:
            with access.session.begin_nested():  # a refused write leaves nothing half-written
                action(access)
        except UserError as err:
            raise WorkflowDataException(err.message, task) from err

    def _existing(self, task: Any) -> tuple[StoreAccess, DataStore | None]:
        """Where this step's stores are, and this store there (None: never written)."""
        access = _here(self, task)
        try:
            return access, _store(access, self.bpmn_id, self.kind, create=False)
        except UserError as err:
            raise WorkflowDataException(err.message, task) from err

    def set(self, my_task: Any) -> None:
        if self.bpmn_id not in my_task.data:
            return
        value = my_task.data[self.bpmn_id]
        self._failing(my_task, lambda access: self._write(access, value))
        del my_task.data[self.bpmn_id]

    def _write(self, access: StoreAccess, value: Any) -> None:
        raise NotImplementedError


class JSONDataStore(_CouncilDataStore):
    kind = "json"

    def get(self, my_task: Any) -> None:
        access, store = self._existing(my_task)
        if store is None:
            raise WorkflowDataException(f"data store '{self.bpmn_id}' of {access.group} has no data yet: write it "
                                        "from a map or with `councilflow datastores set`", my_task)
        my_task.data[self.bpmn_id] = copy.deepcopy(store.data)

    def _write(self, access: StoreAccess, value: Any) -> None:
        _write_json(access, self.bpmn_id, value)


class KKVDataStore(_CouncilDataStore):
    """Read through a function in scripts' scope (``getters``), not through the task's data: a function
    in task data could not be saved with a task waiting for someone."""

    kind = "kkv"

    def get(self, my_task: Any) -> None:
        return None

    def _write(self, access: StoreAccess, value: Any) -> None:
        rows, cleared = _kkv_rows(self.bpmn_id, value)
        _write_entries(access, self.bpmn_id, self.kind, rows, cleared)

    def reader(self, task: Any) -> Callable[..., Any]:
        def read(top_level_key: Any, secondary_key: Any = None) -> Any:
            access, store = self._existing(task)
            if store is None:
                return None if secondary_key is not None else {}
            query = select(DataStoreEntry).where(DataStoreEntry.store_id == store.id,
                                                 DataStoreEntry.key == str(top_level_key))
            if secondary_key is not None:
                found = access.session.scalar(query.where(DataStoreEntry.subkey == str(secondary_key)))
                return copy.deepcopy(found.value) if found is not None else None
            return {e.subkey: copy.deepcopy(e.value) for e in access.session.scalars(query.order_by(DataStoreEntry.subkey))}
        return read


class TypeaheadDataStore(_CouncilDataStore):
    kind = "typeahead"

    def get(self, my_task: Any) -> None:
        raise WorkflowDataException(f"typeahead data store '{self.bpmn_id}' can only be written to", my_task)

    def _write(self, access: StoreAccess, value: Any) -> None:
        rows, cleared = _typeahead_rows(self.bpmn_id, value)
        _write_entries(access, self.bpmn_id, self.kind, rows, cleared)


CLASSES: dict[str, type[BpmnDataStoreSpecification]] = {
    "JSONDataStore": JSONDataStore, "KKVDataStore": KKVDataStore, "TypeaheadDataStore": TypeaheadDataStore}
_BY_KIND = {cls.kind: cls for cls in (JSONDataStore, KKVDataStore, TypeaheadDataStore)}


class _Converter(BpmnDataSpecificationConverter):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    def to_dict(self, spec: Any) -> dict[str, Any]:
        return {"bpmn_id": spec.bpmn_id, "bpmn_name": spec.bpmn_name, "capacity": spec.capacity,
                "is_unlimited": spec.is_unlimited}


CONVERTERS: dict[type, type] = {cls: _Converter for cls in CLASSES.values()}


def getters(task: Any) -> dict[str, Callable[..., Any]]:
    """The key-value stores a task reads, as functions for its scripts (empty outside a running case)."""
    if task is None or _access.get() is None:
        return {}
    spec = getattr(task, "task_spec", None)
    return {ref.bpmn_id: ref.reader(task) for ref in getattr(spec, "data_input_associations", None) or []
            if isinstance(ref, KKVDataStore)}


def typeahead_search(session: Session, group: str, category: str, prefix: str = "", exact: bool = False,
                     limit: int = 100) -> list[tuple[str, Any]]:
    """(search term, result) of the group's typeahead items in ``category`` whose search term starts with
    ``prefix`` (is it, when ``exact``), ignoring case, by search term: what SpiffArena's typeahead offers."""
    term = func.lower(DataStoreEntry.subkey)
    wanted = prefix.lower()
    query = (select(DataStoreEntry.subkey, DataStoreEntry.value).join(DataStore, DataStore.id == DataStoreEntry.store_id)
             .where(DataStore.store_group == group, DataStore.kind == "typeahead", DataStoreEntry.key == category))
    if exact:
        query = query.where(term == wanted)
    elif wanted:  # a prefix compared as text, so "%" and "_" typed are not wildcards
        query = query.where(func.substr(term, 1, len(wanted)) == wanted)
    return [(t, copy.deepcopy(v)) for t, v in session.execute(query.order_by(DataStoreEntry.subkey).limit(limit))]


# --- for admins (CLI) -------------------------------------------------------------------------------

def _summary(session: Session, store: DataStore) -> dict[str, Any]:
    entries = session.scalar(select(func.count()).select_from(DataStoreEntry).where(DataStoreEntry.store_id == store.id))
    return {"group": store.store_group, "id": store.identifier, "kind": store.kind, "entries": entries or 0,
            "updated_by": store.updated_by, "updated_at": store.updated_at.isoformat()}


def list_stores(ctx: Context, group: str | None = None) -> list[dict[str, Any]]:
    with ctx.db.transaction() as session:
        query = select(DataStore).order_by(DataStore.store_group, DataStore.identifier)
        if group:
            query = query.where(DataStore.store_group == group)
        return [_summary(session, store) for store in session.scalars(query)]


def show_store(ctx: Context, group: str, identifier: str) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        store = _find(session, group, identifier)
        if store is None:
            raise NotFound(f"no data store '{identifier}' in group {group}")
        shown = _summary(session, store)
        if store.kind == "json":
            shown["data"] = store.data
        else:
            data: dict[str, dict[str, Any]] = {}
            for entry in session.scalars(select(DataStoreEntry).where(DataStoreEntry.store_id == store.id)
                                         .order_by(DataStoreEntry.key, DataStoreEntry.subkey)):
                data.setdefault(entry.key, {})[entry.subkey] = entry.value
            shown["data"] = data
        return shown


def set_store(ctx: Context, actor: str, group: str, identifier: str, kind: str, value: Any) -> dict[str, Any]:
    """Writes ``value`` to the store as a map's task would (a JSON document replaced; key-value entries
    set or, as None, deleted; typeahead categories replaced), creating the store if need be."""
    if kind not in _BY_KIND:
        raise UserError(f"a data store's kind is one of {', '.join(KINDS)}, not '{kind}'")
    _key(group, "the group")
    with ctx.db.transaction() as session:
        access = StoreAccess(session, group, actor, ctx.clock.now())
        if kind == "json":
            _write_json(access, identifier, value)
        else:
            rows, cleared = (_kkv_rows if kind == "kkv" else _typeahead_rows)(identifier, value)
            _write_entries(access, identifier, kind, rows, cleared)
    return show_store(ctx, group, identifier)
