"""Alembic's environment for the users store: run on the connection `migrate.upgrade` hands over.

No ini file and no models (autogenerate is not used): each revision runs the
statements of `sqlite_schema` or `postgres_schema` for the engine it is on.
"""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=connection.dialect.name != "sqlite")
with context.begin_transaction():
    context.run_migrations()
