"""Alembic environment: runs migrations on the engine councilflow already configured."""
from alembic import context

from engine.persistence.tables import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from sqlalchemy import create_engine
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic was run without councilflow's engine and without sqlalchemy.url to connect to")
    engine = create_engine(url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
