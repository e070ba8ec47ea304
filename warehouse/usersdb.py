"""The users database: accounts, the append-only audit log and the app's secret key.

A small SQLite file of its own (`warehouse.config.default_users_db_path`:
`TPD_USERS_DB`, else beside the warehouse), because every load replaces the
warehouse file whole and accounts and audit entries must outlive loads. The
file is created readable by its owner only.

Shared by the dashboard (sign-in, user administration, exports) and the ETL
command line (loads), so it imports neither. The audit log has no update or
delete path here, and triggers refuse UPDATE and DELETE on it in SQL too:
entries can only be appended.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import secrets
import socket
import sqlite3
from pathlib import Path

SCHEMA = """
create table if not exists users (
    username       text primary key,
    display_name   text,
    role           text not null check (role in ('admin', 'leader', 'opinion', 'publicity', 'unit')),
    unit_code      text,
    password_hash  text not null,
    must_change    integer not null default 1,
    disabled       integer not null default 0,
    session_epoch  integer not null default 0,   -- bumped by a reset or disable: older sessions end
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


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection to the users database at `path`, created (mode 600, schema) when missing."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process created it a moment ago
    con = sqlite3.connect(path, timeout=10, isolation_level=None)  # autocommit; explicit transactions
    con.row_factory = sqlite3.Row
    con.execute("pragma busy_timeout = 10000")
    con.execute("pragma journal_mode = wal")
    con.execute("pragma synchronous = full")
    con.executescript(SCHEMA)
    return con


def append_audit(con: sqlite3.Connection, event: str, *, actor: str | None = None, target: str | None = None,
                 detail: dict | None = None, ip: str | None = None) -> int:
    """Append one audit entry; returns its id."""
    cur = con.execute(
        "insert into audit_log (at, actor, event, target, detail, ip) values (?, ?, ?, ?, ?, ?)",
        (now_utc(), actor, event, target,
         json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None, ip))
    return int(cur.lastrowid)


def record(path: Path | str, event: str, **entry) -> int:
    """Open the users database at `path`, append one audit entry, close."""
    con = connect(path)
    try:
        return append_audit(con, event, **entry)
    finally:
        con.close()


def os_actor() -> str:
    """Who runs a command-line tool: the operating-system account and host."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def secret_key(con: sqlite3.Connection) -> str:
    """The key that signs session cookies: one per users database, made on first use."""
    con.execute("insert or ignore into settings (key, value) values ('secret_key', ?)", (secrets.token_hex(32),))
    return con.execute("select value from settings where key = 'secret_key'").fetchone()[0]
