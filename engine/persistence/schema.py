"""Creates and upgrades the schema with alembic (``councilflow init``)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import DBAPIError

from .db import UNAVAILABLE, Database, DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


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


def head_revision(db: Database) -> str | None:
    """The revision ``councilflow init`` migrates to."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def require_current(db: Database) -> None:
    """Raise DatabaseUnavailable unless the database opens and is migrated to this release's schema."""
    where = db.engine.url.render_as_string(hide_password=True)
    try:
        revision = current_revision(db)
    except UNAVAILABLE + (DBAPIError,) as err:  # at start-up any driver error means "cannot use it"
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot open the database {where}: {reason}") from err
    if revision != head_revision(db):
        found = f"is at schema revision {revision}" if revision else "has no councilflow schema"
        raise DatabaseUnavailable(f"the database {where} {found}; run `councilflow init` to create or "
                                  f"upgrade it to revision {head_revision(db)}")
