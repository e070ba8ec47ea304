"""The users store in a SQLite file of its own, beside the warehouse (the one-machine default).

The file is created readable by its owner only, and migrated in place when
opened (`migrate`: Alembic, the steps in `sqlite_schema`). Each thread of each process has its own connection
(SQLite connections are neither thread- nor fork-safe), opened on first use;
writes are short `begin immediate` transactions, WAL lets readers go on
meanwhile. Triggers refuse UPDATE and DELETE on the audit log in SQL too.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

from warehouse.users_store import migrate
from warehouse.users_store.interface import (Account, AuditEntry, AuditQuery, Event, Session, UsersStore,
                                             now_utc)

_ACCOUNT_COLUMNS = ("username, role, unit_code, display_name, password_hash, must_change, disabled, session_epoch, "
                    "created_at, updated_at, last_login_at")


def _account(row) -> Account | None:
    if row is None:
        return None
    return Account(row["username"], row["role"], row["unit_code"], row["display_name"], row["password_hash"],
                   bool(row["must_change"]), bool(row["disabled"]), int(row["session_epoch"]), row["created_at"],
                   row["updated_at"], row["last_login_at"])


def _session(row) -> Session:
    return Session(row["id"], row["username"], row["created_at"], row["last_seen_at"], row["ended_at"],
                   row["ended_reason"], row["ip"])


def _detail(detail: dict | None) -> str | None:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None


class SqliteUsersStore(UsersStore):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._create()
        migrate.upgrade(self.path)

    # ---- connections --------------------------------------------------------------------------------

    def _create(self) -> None:
        if self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process created it a moment ago

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None or self._local.pid != os.getpid():   # a forked worker opens its own
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # autocommit; explicit transactions
            con.row_factory = sqlite3.Row
            con.execute("pragma busy_timeout = 10000")
            con.execute("pragma journal_mode = wal")
            con.execute("pragma synchronous = full")
            self._local.con, self._local.pid = con, os.getpid()
        return con

    @contextmanager
    def _transaction(self):
        con = self._con()
        con.execute("begin immediate")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")

    def check(self) -> None:
        con = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            con.execute("select count(*) from users").fetchone()
        finally:
            con.close()

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None and self._local.pid == os.getpid():
            con.close()
        self._local = threading.local()

    # ---- accounts -----------------------------------------------------------------------------------

    def account(self, username: str) -> Account | None:
        return _account(self._con().execute(f"select {_ACCOUNT_COLUMNS} from users where username = ?",
                                            (username,)).fetchone())

    def count_accounts(self) -> int:
        return int(self._con().execute("select count(*) from users").fetchone()[0])

    def accounts(self) -> list[Account]:
        rows = self._con().execute(f"select {_ACCOUNT_COLUMNS} from users order by username").fetchall()
        return [_account(r) for r in rows]

    def add_account(self, account: Account, event: Event) -> bool:
        now = now_utc()
        with self._transaction() as con:
            if con.execute("select 1 from users where username = ?", (account.username,)).fetchone():
                return False
            con.execute("insert into users (username, display_name, role, unit_code, password_hash, must_change, "
                        "created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                        (account.username, account.display_name, account.role, account.unit_code,
                         account.password_hash, int(account.must_change), now, now))
            self._append(con, event)
        return True

    def set_disabled(self, username: str, disabled: bool, event: Event) -> bool:
        with self._transaction() as con:
            changed = con.execute("update users set disabled = ?, session_epoch = session_epoch + 1, updated_at = ? "
                                  "where username = ?", (int(disabled), now_utc(), username)).rowcount
            if not changed:
                return False
            self._end_sessions(con, username, "disabled" if disabled else "enabled")
            self._append(con, event)
        return True

    def set_password(self, username: str, password_hash: str, must_change: bool, event: Event, *,
                     keep_session: str | None = None) -> int | None:
        with self._transaction() as con:
            changed = con.execute("update users set password_hash = ?, must_change = ?, "
                                  "session_epoch = session_epoch + 1, updated_at = ? where username = ?",
                                  (password_hash, int(must_change), now_utc(), username)).rowcount
            if not changed:
                return None
            self._end_sessions(con, username, "password", keep=keep_session)
            self._append(con, event)
            return int(con.execute("select session_epoch from users where username = ?", (username,)).fetchone()[0])

    def record_signin(self, username: str, event: Event) -> Account:
        with self._transaction() as con:
            con.execute("update users set last_login_at = ? where username = ?", (now_utc(), username))
            self._append(con, event)
        return self.account(username)

    # ---- the audit log ------------------------------------------------------------------------------

    @staticmethod
    def _append(con: sqlite3.Connection, event: Event) -> int:
        cur = con.execute("insert into audit_log (at, actor, event, target, detail, ip) values (?, ?, ?, ?, ?, ?)",
                          (now_utc(), event.actor, event.event, event.target, _detail(event.detail), event.ip))
        return int(cur.lastrowid)

    def append_audit(self, event: Event) -> int:
        return self._append(self._con(), event)

    def audit_entries(self, query: AuditQuery) -> list[AuditEntry]:
        where, params = [], []
        if query.since:
            where.append("at >= ?")
            params.append(query.since)
        if query.until:
            where.append("at < ?")
            params.append(query.until)
        if query.users:
            marks = ", ".join("?" * len(query.users))
            where.append(f"(actor in ({marks}) or target in ({marks}))")
            params.extend(query.users * 2)
        if query.kinds:
            where.append("(" + " or ".join("event = ? or substr(event, 1, ?) = ?" for _ in query.kinds) + ")")
            for kind in query.kinds:
                params.extend((kind, len(kind) + 1, kind + "."))
        sql = ("select id, at, actor, event, target, detail, ip from audit_log"
               + (" where " + " and ".join(where) if where else "")
               + f" order by id {'desc' if query.newest_first else 'asc'}"
               + (" limit ?" if query.limit is not None else ""))
        if query.limit is not None:
            params.append(query.limit)
        rows = self._con().execute(sql, params).fetchall()
        return [AuditEntry(r["id"], r["at"], r["actor"], r["event"], r["target"],
                           json.loads(r["detail"]) if r["detail"] else {}, r["ip"]) for r in rows]

    def count_audit(self, event: str, *, target: str | None = None, ip: str | None = None,
                    since: str | None = None) -> int:
        where, params = ["event = ?"], [event]
        for column, value in (("target", target), ("ip", ip)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since:
            where.append("at >= ?")
            params.append(since)
        return int(self._con().execute(f"select count(*) from audit_log where {' and '.join(where)}",
                                       params).fetchone()[0])

    def latest_audit_at(self, target: str, events: tuple[str, ...]) -> str | None:
        return self._con().execute(
            f"select max(at) from audit_log where target = ? and event in ({', '.join('?' * len(events))})",
            (target, *events)).fetchone()[0]

    # ---- sessions -----------------------------------------------------------------------------------

    def start_session(self, session_id: str, username: str, ip: str | None = None) -> Session:
        now = now_utc()
        with self._transaction() as con:
            con.execute("insert into sessions (id, username, created_at, last_seen_at, ip) values (?, ?, ?, ?, ?)",
                        (session_id, username, now, now, ip))
        return Session(session_id, username, now, now, ip=ip)

    def session(self, session_id: str) -> tuple[Session, Account] | None:
        row = self._con().execute("select * from sessions where id = ?", (session_id,)).fetchone()
        account = self.account(row["username"]) if row is not None else None
        return None if account is None else (_session(row), account)

    def touch_session(self, session_id: str) -> None:
        self._con().execute("update sessions set last_seen_at = ? where id = ? and ended_at is null",
                            (now_utc(), session_id))

    def end_session(self, session_id: str, reason: str) -> None:
        self._con().execute("update sessions set ended_at = ?, ended_reason = ? where id = ? and ended_at is null",
                            (now_utc(), reason, session_id))

    @staticmethod
    def _end_sessions(con: sqlite3.Connection, username: str, reason: str, keep: str | None = None) -> int:
        return con.execute("update sessions set ended_at = ?, ended_reason = ? "
                           "where username = ? and ended_at is null and id is not ?",
                           (now_utc(), reason, username, keep)).rowcount

    def end_sessions(self, username: str, reason: str) -> int:
        with self._transaction() as con:
            return self._end_sessions(con, username, reason)

    def forget_sessions(self, last_seen_before: str) -> int:
        return self._con().execute("delete from sessions where last_seen_at < ?", (last_seen_before,)).rowcount

    # ---- settings -----------------------------------------------------------------------------------

    def secret_key(self) -> str:
        con = self._con()
        con.execute("insert or ignore into settings (key, value) values ('secret_key', ?)", (secrets.token_hex(32),))
        return con.execute("select value from settings where key = 'secret_key'").fetchone()[0]
