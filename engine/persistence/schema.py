"""Creates and upgrades the schema with alembic (``councilflow init``), and says whether a database is
ready for this release before anything else touches it."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.exc import DBAPIError

from ..errors import EngineError, UserError
from .db import UNAVAILABLE, Database, DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseNotSetUp(UserError):
    """The database has no councilflow schema, or an older or newer one than this release's. The
    person running councilflow fixes it (``councilflow init``), so it is theirs to act on: exit code 2."""


class DatabaseFromNewerRelease(DatabaseNotSetUp):
    """The database was migrated by a newer councilflow: ``init`` cannot take it back, only that release
    (or a restored backup) can use it."""


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    config.attributes["engine"] = db.engine
    return config


def upgrade(db: Database) -> None:
    command.upgrade(alembic_config(db), "head")


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@cache
def _migrations() -> ScriptDirectory:
    """The migrations shipped with this release (read once: every command asks before it starts)."""
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str | None:
    """The revision ``councilflow init`` migrates to."""
    return _migrations().get_current_head()


def where(db: Database) -> str:
    """The database as its operator knows it: a SQLite file's path, else the URL without its password."""
    url = db.engine.url
    return (url.database or ":memory:") if db.is_sqlite else url.render_as_string(hide_password=True)


def _missing_sqlite_file(db: Database) -> bool:
    """A SQLite file that does not exist yet (in a folder that does): opening it would create an empty
    file, so it is reported as not set up without being touched."""
    name = db.engine.url.database
    if not db.is_sqlite or not name or name == ":memory:" or name.startswith("file:"):
        return False
    path = Path(name)
    return not path.exists() and path.parent.is_dir()


def schema_problem(db: Database) -> EngineError | None:
    """Why this release cannot use ``db`` yet (None: it can): DatabaseUnavailable when it cannot be opened,
    DatabaseNotSetUp when it holds no councilflow schema or another revision than this release's."""
    not_set_up = DatabaseNotSetUp(f"The database at {where(db)} is not set up: run `councilflow init`")
    if _missing_sqlite_file(db):
        return not_set_up
    try:
        revision = current_revision(db)
    except UNAVAILABLE + (DBAPIError,) as err:  # at start-up any driver error means "cannot use it"
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        return DatabaseUnavailable(f"The database at {where(db)} cannot be opened: {reason}")
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        return not_set_up
    if not _known(revision):
        return DatabaseFromNewerRelease(f"The database at {where(db)} is at migration {revision}, which this "
                                        f"councilflow does not know (it needs {head}): use the release that "
                                        f"migrated it")
    return DatabaseNotSetUp(f"The database at {where(db)} is at migration {revision}, this councilflow needs "
                            f"{head}: run `councilflow init` to upgrade")


def _known(revision: str) -> bool:
    """Whether ``revision`` is one of this release's migrations (a newer release's is not)."""
    try:
        return _migrations().get_revision(revision) is not None
    except CommandError:  # what alembic raises for an id it has never seen
        return False


def require_current(db: Database) -> None:
    """Raise DatabaseUnavailable or DatabaseNotSetUp unless this release can use ``db`` (see schema_problem)."""
    problem = schema_problem(db)
    if problem is not None:
        raise problem
