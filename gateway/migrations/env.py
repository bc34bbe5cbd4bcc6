"""Alembic's environment: runs on the connection `gateway.migrations.upgrade` opened (no alembic.ini)."""

from alembic import context

from gateway.migrations import VERSION_TABLE

context.configure(connection=context.config.attributes["connection"], version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
