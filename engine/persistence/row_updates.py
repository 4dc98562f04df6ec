"""Writing the changed columns of rows a transaction already holds, one UPDATE statement per row, without the
Session's flush.

The case writer changes the same few rows at every step: the case (its data, status, time and version) and
the task just finished or withdrawn. The Session's flush would write them too, but its unit of work (sorting
the objects, working out the statements, checking every attribute) cost more than a fifth of a step. Here
each row's changed columns go out as one UPDATE built once per set of columns, with the row's version column
checked and raised as the flush would (``StaleDataError`` when someone else saved the row first), and the
object is then marked as saved, as the flush marks it.

Only rows whose changes are all plain columns are written here. A row with a changed relationship, a new or
deleted row, or a row of any other table is left to the flush, which still runs after this and has nothing
left to do in the common case.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Table, Update, and_, bindparam, inspect, update
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.exc import StaleDataError

_STATEMENTS: dict[tuple[Mapper[Any], tuple[str, ...]], Update] = {}  # (mapper, changed attributes) -> the UPDATE
_KEY, _VERSION, _NEXT = "rw_key_", "rw_version", "rw_next_version"  # bound names that no column takes


def _statement(mapper: Mapper[Any], keys: tuple[str, ...]) -> Update:
    """The UPDATE of ``keys`` for one row of ``mapper``'s table, by primary key (and version), built once."""
    statement = _STATEMENTS.get((mapper, keys))
    if statement is None:
        where = [column == bindparam(f"{_KEY}{n}") for n, column in enumerate(mapper.primary_key)]
        columns = {key: mapper.column_attrs[key].columns[0] for key in keys}
        values: dict[Any, Any] = {column: bindparam(key, type_=column.type) for key, column in columns.items()}
        version = mapper.version_id_col
        if version is not None:
            where.append(version == bindparam(_VERSION))
            values[version] = bindparam(_NEXT)
        statement = _STATEMENTS[(mapper, keys)] = update(_table(mapper)).where(and_(*where)).values(values)
    return statement


def _table(mapper: Mapper[Any]) -> Table:
    table = mapper.local_table
    assert isinstance(table, Table), f"{mapper} is not mapped to one table"
    return table


def _changed_columns(state: InstanceState[Any]) -> tuple[str, ...] | None:
    """The columns whose value changed since the row was read or last saved (an attribute given its own value
    again is no change, as for the flush: no UPDATE, no new version); None: the flush must write the row, as
    something else changed too (a relationship), its version is not loaded, or it is not simply persistent."""
    mapper = state.mapper
    if not state.persistent or mapper.version_id_generator is False:
        return None
    if mapper.version_id_col is not None and mapper.get_property_by_column(mapper.version_id_col).key not in state.dict:
        return None
    touched = [key for key in mapper.attrs.keys() if key not in state.unmodified]
    if any(key not in mapper.column_attrs or key not in state.dict for key in touched):
        return None
    return tuple(sorted(key for key in touched if state.attrs[key].history.has_changes()))


def write(session: Session, rows: Iterable[object]) -> None:
    """Write each of ``rows``' changed columns with one UPDATE, checking its version column when it has one;
    StaleDataError, as the flush raises it, when the row was changed by someone else since it was read."""
    for row in rows:
        state: InstanceState[Any] = inspect(row)
        keys = _changed_columns(state)
        if keys is None:
            continue
        if keys:
            _update(session, state, keys)
        # What the flush does once a row is written: its values become the saved ones, it is no longer dirty, and
        # the transaction knows it changed, so that a rolled-back savepoint expires it. SQLAlchemy has no public
        # calls for these; its version is pinned in pyproject.toml and tests/engine/test_row_updates.py fails if
        # they stop holding.
        state._commit_all(state.dict, session.identity_map)
        session._register_altered([state])


def _update(session: Session, state: InstanceState[Any], keys: tuple[str, ...]) -> None:
    mapper = state.mapper
    params: dict[str, Any] = {key: state.dict[key] for key in keys}
    params.update({f"{_KEY}{n}": value for n, value in enumerate(state.identity or ())})
    version = mapper.version_id_col
    if version is not None:
        version_key = mapper.get_property_by_column(version).key
        params[_VERSION] = state.dict[version_key]
        params[_NEXT] = cast(Callable[[Any], Any], mapper.version_id_generator)(params[_VERSION])
    if session.connection().execute(_statement(mapper, keys), params).rowcount != 1:
        raise StaleDataError(f"{_table(mapper).name} {state.identity} was changed or removed by someone else")
    if version is not None:
        state.dict[version_key] = params[_NEXT]
