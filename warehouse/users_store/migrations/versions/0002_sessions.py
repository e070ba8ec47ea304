"""Server-side sessions (sign-out and disable end them on every node); the audit log by actor and time.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from warehouse.users_store import postgres_schema, sqlite_schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = sqlite_schema if bind.dialect.name == "sqlite" else postgres_schema
    for statement in schema.SESSIONS:
        bind.exec_driver_sql(statement)
