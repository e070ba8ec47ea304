"""The users store: accounts, sessions, the append-only audit log, the app's secret key, and the
subscriptions to the 周报 and alerts with their deliveries, the archive of issued 周报 and leases.

All the SQL about users lives here. `UsersStore` (`interface`) is what the
dashboard's access control and the command lines call; `SqliteUsersStore`
(`sqlite`, schema and migrations in `sqlite_schema`) keeps them in a small
SQLite file of its own (`warehouse.config.default_users_db_path`:
`TPD_USERS_DB`, else beside the warehouse), because every load replaces the
warehouse file whole and accounts and audit entries must outlive loads.
`PostgresUsersStore` (`postgres`, schema in `postgres_schema`) keeps them in
PostgreSQL for several web nodes, chosen by a `postgresql://` URL
(`TPD_USERS_URL`). Both are migrated with Alembic (`migrate`) when opened.

Shared by the dashboard (sign-in, sessions, user administration, exports) and
the ETL command line (loads), so it imports neither.
"""
from __future__ import annotations

import getpass
import os
import socket
import threading
from pathlib import Path

from warehouse.users_store.interface import (Account, ArchiveEntry, AuditEntry, AuditQuery, Delivery, Event,
                                             Session, StoreUnavailable, Subscription, UsersStore, now_utc,
                                             parse_utc, utc_after, utc_text)
from warehouse.users_store.migrate import is_url
from warehouse.users_store.sqlite import SqliteUsersStore

__all__ = ["Account", "ArchiveEntry", "AuditEntry", "AuditQuery", "Delivery", "Event", "Session", "SqliteUsersStore",
           "StoreUnavailable", "Subscription", "UsersStore", "forget_store", "is_url", "location", "now_utc",
           "open_store", "os_actor", "parse_utc", "record", "utc_after", "utc_text"]

_open: dict[Path, UsersStore] = {}
_open_lock = threading.Lock()


def location(value: Path | str) -> Path | str:
    """Where a users store is: a `postgresql://` URL as it is, anything else a SQLite file's path."""
    return value if is_url(value) else Path(value)


def open_store(path: Path | str) -> UsersStore:
    """The store at `path` (a SQLite file, or a PostgreSQL URL), opened (created, migrated) once per
    process and shared by its threads."""
    if is_url(path):
        with _open_lock:
            store = _open.get(path)
            if store is None:
                from warehouse.users_store.postgres import PostgresUsersStore   # psycopg only when asked for
                store = _open[path] = PostgresUsersStore(path)
            return store
    key = Path(path).absolute()
    with _open_lock:
        store = _open.get(key)
        if store is None or not key.exists():   # a file removed meanwhile (tests) is made afresh
            store = _open[key] = SqliteUsersStore(key)
        return store


def forget_store(path: Path | str) -> None:
    """Close and forget the store at `path` in this process (a dropped test database)."""
    key = path if is_url(path) else Path(path).absolute()
    with _open_lock:
        store = _open.pop(key, None)
    if store is not None:
        store.close()


def record(path: Path | str, event: str, **entry) -> int:
    """Append one audit entry to the store at `path` (for command lines)."""
    return open_store(path).append_audit(Event(event, **entry))


def os_actor() -> str:
    """Who runs a command-line tool: the operating-system account and host."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"
