"""The SQLite users database's schema, by version, migrated in place and only ever added to.

The version is SQLite's `user_version`. A database from before versions
(0: users, audit_log and settings) is brought up to date where it lies, by
adding what is new; nothing is dropped or rewritten, so every account and
audit entry stays as it was. Each step is idempotent (`if not exists`), so two
processes opening an old file at once both succeed.
"""
from __future__ import annotations

import sqlite3

# 1: accounts, the append-only audit log, settings (the schema before versions, unchanged).
ACCOUNTS_AND_AUDIT = """
create table if not exists users (
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
);
create table if not exists audit_log (
    id      integer primary key autoincrement,
    at      text not null,           -- UTC, ISO 8601, seconds
    actor   text,                    -- user name; null for an anonymous request
    event   text not null,           -- signin.ok, signin.failed, export, load, user.added ...
    target  text,                    -- what the event is about: a user name, a chart, a batch id
    detail  text,                    -- JSON object
    ip      text
);
create index if not exists audit_log_event_target on audit_log (event, target, at);
create index if not exists audit_log_at on audit_log (at);
create trigger if not exists audit_log_no_update before update on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
create trigger if not exists audit_log_no_delete before delete on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
create table if not exists settings (
    key    text primary key,
    value  text not null
);
"""

# 2: server-side sessions: the cookie names one; signing out, a disable or a reset ends it.
SESSIONS = """
create table if not exists sessions (
    id            text primary key,  -- SHA-256 of the cookie's token
    username      text not null references users (username),
    created_at    text not null,
    last_seen_at  text not null,
    ended_at      text,
    ended_reason  text,              -- signout, disabled, password, expired
    ip            text
);
create index if not exists sessions_user on sessions (username, ended_at);
create index if not exists sessions_last_seen on sessions (last_seen_at);
create index if not exists audit_log_actor_at on audit_log (actor, at);
"""

MIGRATIONS = ((1, ACCOUNTS_AND_AUDIT), (2, SESSIONS))
VERSION = MIGRATIONS[-1][0]


def version(con: sqlite3.Connection) -> int:
    return int(con.execute("pragma user_version").fetchone()[0])


def migrate(con: sqlite3.Connection) -> int:
    """Bring the database at `con` to `VERSION`; returns the version it had."""
    found = version(con)
    for number, script in MIGRATIONS:
        if number > found:
            # executescript commits first and runs the whole step, its version mark included, as one.
            con.executescript(f"begin immediate;\n{script}\npragma user_version = {number};\ncommit;")
    return found
