"""The SQLite users database's schema, by version, only ever added to.

The steps are run by Alembic (`warehouse.users_store.migrations`, revisions
0001–0003). Before Alembic the version was SQLite's `user_version`
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

# 3 (Alembic only): subscriptions to the 周报 and alerts, their deliveries (unique per kind, scope,
# period, channel and recipient: nothing is sent twice), the archive of issued 周报, leases (one
# scheduler runs the jobs).
SUBSCRIPTIONS = (
    """create table if not exists subscriptions (
    id            integer primary key autoincrement,
    username      text not null references users (username),
    kind          text not null check (kind in ('briefing', 'alerts')),
    unit_code     text,
    area_code     text,
    weekday       integer not null default 0 check (weekday between 0 and 6),
    hour          integer not null default 8 check (hour between 0 and 23),
    minute        integer not null default 0 check (minute between 0 and 59),
    format        text not null default 'pdf' check (format in ('pdf', 'docx')),
    lang          text not null default 'zh' check (lang in ('zh', 'en')),
    email         text,
    webhook_url   text,
    active        integer not null default 1,
    created_at    text not null,
    updated_at    text not null,
    check (email is not null or webhook_url is not null)
)""",
    "create index if not exists subscriptions_user on subscriptions (username, active)",
    """create table if not exists deliveries (
    id               integer primary key autoincrement,
    subscription_id  integer references subscriptions (id),
    username         text not null,
    kind             text not null,          -- briefing / alert
    scope_key        text not null,
    period_key       text not null,
    channel          text not null check (channel in ('mail', 'webhook')),
    recipient        text not null,
    title            text not null,
    state            text not null check (state in ('sending', 'sent', 'failed', 'abandoned')),
    attempts         integer not null default 0,
    last_error       text,
    next_attempt_at  text,
    archive_id       integer,
    created_at       text not null,
    updated_at       text not null,
    unique (kind, scope_key, period_key, channel, recipient)
)""",
    "create index if not exists deliveries_state on deliveries (state, updated_at)",
    """create table if not exists briefing_archive (
    id            integer primary key autoincrement,
    scope_key     text not null,
    unit_code     text,
    area_code     text,
    period_start  text not null,
    period_end    text not null,
    lang          text not null,
    format        text not null,
    title         text not null,
    path          text not null,
    figures_path  text not null,
    size          integer not null,
    sha256        text not null,
    issued_at     text not null,
    unique (scope_key, period_start, period_end, lang, format)
)""",
    """create table if not exists leases (
    name        text primary key,
    holder      text not null,
    expires_at  text not null
)""",
)

# The Alembic revision each `user_version` of a file from before Alembic stands for.
REVISION_OF_USER_VERSION = {1: "0001", 2: "0002"}
VERSION = 2


def version(con: sqlite3.Connection) -> int:
    return int(con.execute("pragma user_version").fetchone()[0])
