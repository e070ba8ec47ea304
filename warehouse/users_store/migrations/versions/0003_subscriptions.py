"""Subscriptions to the 周报 and alerts, their deliveries (one per kind, scope, period, channel and
recipient), the archive of issued 周报, and leases (one scheduler runs the jobs).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from warehouse.users_store import postgres_schema, sqlite_schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = sqlite_schema if bind.dialect.name == "sqlite" else postgres_schema
    for statement in schema.SUBSCRIPTIONS:
        bind.exec_driver_sql(statement)
