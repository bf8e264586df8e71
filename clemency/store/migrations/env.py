"""Alembic environment: the connection is handed over by clemency.store.db.migrate (never from a file)."""

from __future__ import annotations

from alembic import context

from clemency.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
