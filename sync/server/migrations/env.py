"""Alembic environment: runs migrations online against the URL the ward server was given."""
from alembic import context

from sync.server.db import Base, make_engine

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
