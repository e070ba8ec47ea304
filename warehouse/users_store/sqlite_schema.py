"""The SQLite users database's schema, by version, only ever added to.

The steps are run by Alembic (`warehouse.users_store.migrations`, revisions
0001 and 0002). Before Alembic the version was SQLite's `user_version`
(0: users, audit_log and settings without a mark; 1; 2): such a file is
adopted when opened — stamped with the revision its `user_version` names and
brought up to date where it lies. Each statement is idempotent (`if not
exists`), so a file from before versions, whose tables exist without a mark,
is upgraded from the start without harm; nothing is dropped or rewritten.
`user_version` is still set, so the file says its version to any SQLite tool.
"""
from __future__ import annotations

import sqlite3

# 1: accounts, the append-only audit log, settings (the schema before versions, unchanged).
ACCOUNTS_AND_AUDIT = (
    """create table if not exists users (
    username       text primary key,
    display_name   text,
    role           text not null check (role in ('admin', 'leader', 'opinion', 'publicity', 'unit')),
    unit_code      text,
    password_hash  text not null,
    must_change    integer not null default 1,
    disabled       integer not null default 0,
    session_epoch  integer not null default 0,   -- bumped by a password change, reset, disable or enable
    created_at     text not null,
    updated_at     text not null,
    last_login_at  text,
    check ((role = 'unit') = (unit_code is not null))
)""",
    """create table if not exists audit_log (
    id      integer primary key autoincrement,
    at      text not null,           -- UTC, ISO 8601, seconds
    actor   text,                    -- user name; null for an anonymous request
    event   text not null,           -- signin.ok, signin.failed, export, load, user.added ...
    target  text,                    -- what the event is about: a user name, a chart, a batch id
    detail  text,                    -- JSON object
    ip      text
)""",
    "create index if not exists audit_log_event_target on audit_log (event, target, at)",
    "create index if not exists audit_log_at on audit_log (at)",
    """create trigger if not exists audit_log_no_update before update on audit_log
begin select raise(abort, 'audit_log is append-only'); end""",
    """create trigger if not exists audit_log_no_delete before delete on audit_log
begin select raise(abort, 'audit_log is append-only'); end""",
    """create table if not exists settings (
    key    text primary key,
    value  text not null
)""",
    "pragma user_version = 1",
)

# 2: server-side sessions: the cookie names one; signing out, a disable or a reset ends it.
SESSIONS = (
    """create table if not exists sessions (
    id            text primary key,  -- SHA-256 of the cookie's token
    username      text not null references users (username),
    created_at    text not null,
    last_seen_at  text not null,
    ended_at      text,
    ended_reason  text,              -- signout, disabled, password, expired
    ip            text
)""",
    "create index if not exists sessions_user on sessions (username, ended_at)",
    "create index if not exists sessions_last_seen on sessions (last_seen_at)",
    "create index if not exists audit_log_actor_at on audit_log (actor, at)",
    "pragma user_version = 2",
)

# The Alembic revision each `user_version` of a file from before Alembic stands for.
REVISION_OF_USER_VERSION = {1: "0001", 2: "0002"}
VERSION = 2


def version(con: sqlite3.Connection) -> int:
    return int(con.execute("pragma user_version").fetchone()[0])
