"""Relational storage: tables, the database handle, the schema's migrations and the workflow-state serializer.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the package is its own business: the engine's modules import its tables directly."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .customers import Customer, CustomerWord
    from .db import UNAVAILABLE, Database, DatabaseUnavailable
    from .mail import Email
    from .mi import MiCount, MiDay, MiHour
    from .schema import DatabaseFromNewerRelease, current_revision, require_current, schema_problem, upgrade
    from .tables import Case, CaseState, Process, ProcessVersion, Task, Team, Timer, User

__all__ = [
    "Case", "CaseState", "current_revision", "Customer", "CustomerWord", "Database", "DatabaseFromNewerRelease",
    "DatabaseUnavailable", "Email", "MiCount", "MiDay", "MiHour", "Process", "ProcessVersion", "require_current",
    "schema_problem", "Task", "Team", "Timer", "UNAVAILABLE", "upgrade", "User",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "Case": "tables", "CaseState": "tables", "current_revision": "schema", "Customer": "customers",
        "CustomerWord": "customers", "Database": "db", "DatabaseFromNewerRelease": "schema",
        "DatabaseUnavailable": "db", "Email": "mail", "MiCount": "mi", "MiDay": "mi", "MiHour": "mi",
        "Process": "tables", "ProcessVersion": "tables", "require_current": "schema", "schema_problem": "schema",
        "Task": "tables", "Team": "tables", "Timer": "tables", "UNAVAILABLE": "db", "upgrade": "schema",
        "User": "tables",
    })
