"""Accounts, the append-only audit log indexed by time, settings.

Revision ID: 0001
Revises:
"""
from alembic import op

from warehouse.users_store import postgres_schema, sqlite_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = sqlite_schema if bind.dialect.name == "sqlite" else postgres_schema
    for statement in schema.ACCOUNTS_AND_AUDIT:
        bind.exec_driver_sql(statement)
