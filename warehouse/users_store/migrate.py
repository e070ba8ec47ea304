"""Bring a users database (a SQLite file or a PostgreSQL URL) to the newest schema with Alembic.

Why Alembic: versioned, reviewable migration scripts (`migrations/versions`,
one file per revision, each saying what it adds) that run the same way on
both engines, with the revision kept in the database (`alembic_version`).
Autogenerate is not used: there are no SQLAlchemy models, each revision runs
the engine's own statements (`sqlite_schema`, `postgres_schema`).

Opening a store calls `upgrade`. It first asks the database its revision
over a plain connection and returns at once when it is `HEAD`, so Alembic
and SQLAlchemy are only imported when there is something to do. A SQLite
file from before Alembic is adopted: stamped with the revision its
`user_version` names, then upgraded. Two processes upgrading at once take
turns: a lock on the file (SQLite) or an advisory lock (PostgreSQL).
"""
from __future__ import annotations

import fcntl
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from warehouse.users_store import sqlite_schema

HEAD = "0003"          # the newest revision in migrations/versions (a test checks Alembic agrees)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK = 0x7470_6475   # "tpdu": the users store's migrations, one at a time per server


def is_url(location) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def sqlalchemy_url(location) -> str:
    if is_url(location):
        return "postgresql+psycopg://" + location.split("://", 1)[1]
    return f"sqlite:///{Path(location).absolute()}"


def sqlite_revision(path: Path) -> str | None:
    con = sqlite3.connect(path, timeout=10)
    try:
        try:
            return con.execute("select version_num from alembic_version").fetchone()[0]
        except (sqlite3.OperationalError, TypeError):   # no table yet, or an empty one
            return None
    finally:
        con.close()


def postgres_revision(url: str) -> str | None:
    import psycopg
    with psycopg.connect(url, connect_timeout=5) as con:
        if con.execute("select to_regclass('alembic_version')").fetchone()[0] is None:
            return None
        row = con.execute("select version_num from alembic_version").fetchone()
        return row[0] if row else None


def revision(location) -> str | None:
    return postgres_revision(location) if is_url(location) else sqlite_revision(Path(location))


@contextmanager
def _file_lock(path: Path):
    with open(path, "rb") as handle:   # flock: independent of SQLite's own (fcntl) locks
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alembic_config(connection):
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _adopt_sqlite(connection, config) -> None:
    """A file from before Alembic: stamp the revision its `user_version` names."""
    from alembic import command
    from sqlalchemy import inspect
    if inspect(connection).has_table("alembic_version"):
        return
    user_version = connection.exec_driver_sql("pragma user_version").scalar()
    stamped = sqlite_schema.REVISION_OF_USER_VERSION.get(user_version)
    if stamped:
        command.stamp(config, stamped)


def upgrade(location) -> str | None:
    """Upgrade the database at `location` to `HEAD`; returns the revision it had (None: none)."""
    found = revision(location)
    if found == HEAD:
        return found
    from alembic import command
    from sqlalchemy import create_engine
    engine = create_engine(sqlalchemy_url(location))
    try:
        if is_url(location):
            with engine.begin() as connection:
                connection.exec_driver_sql(f"select pg_advisory_xact_lock({_ADVISORY_LOCK})")
                command.upgrade(_alembic_config(connection), "head")
        else:
            with _file_lock(Path(location)), engine.begin() as connection:
                config = _alembic_config(connection)
                _adopt_sqlite(connection, config)
                command.upgrade(config, "head")
    finally:
        engine.dispose()
    return found
