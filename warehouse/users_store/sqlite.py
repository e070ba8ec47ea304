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
from warehouse.users_store.interface import (Account, ArchiveEntry, AuditEntry, AuditQuery, Delivery, Event,
                                             Session, Subscription, UsersStore, now_utc, utc_after)

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


_SUBSCRIPTION_COLUMNS = ("username, kind, unit_code, area_code, weekday, hour, minute, format, lang, email, "
                         "webhook_url, active")
_DELIVERY_COLUMNS = ("kind, scope_key, period_key, channel, recipient, username, title, subscription_id, state, "
                     "attempts, last_error, next_attempt_at, archive_id")
_ARCHIVE_COLUMNS = ("scope_key, unit_code, area_code, period_start, period_end, lang, format, title, path, "
                    "figures_path, size, sha256")


def _subscription(row) -> Subscription:
    return Subscription(row["username"], row["kind"], row["unit_code"], row["area_code"], int(row["weekday"]),
                        int(row["hour"]), int(row["minute"]), row["format"], row["lang"], row["email"],
                        row["webhook_url"], bool(row["active"]), int(row["id"]), row["created_at"])


def _delivery(row) -> Delivery | None:
    if row is None:
        return None
    return Delivery(row["kind"], row["scope_key"], row["period_key"], row["channel"], row["recipient"],
                    row["username"], row["title"], row["subscription_id"], row["state"], int(row["attempts"]),
                    row["last_error"], row["next_attempt_at"], row["archive_id"], int(row["id"]),
                    row["created_at"], row["updated_at"])


def _archive(row) -> ArchiveEntry | None:
    if row is None:
        return None
    return ArchiveEntry(row["scope_key"], row["unit_code"], row["area_code"], row["period_start"],
                        row["period_end"], row["lang"], row["format"], row["title"], row["path"],
                        row["figures_path"], int(row["size"]), row["sha256"], row["issued_at"], int(row["id"]))


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

    # ---- subscriptions, deliveries, the archive, leases ----------------------------------------------

    def add_subscription(self, subscription: Subscription, event: Event) -> int:
        s, now = subscription, now_utc()
        with self._transaction() as con:
            cur = con.execute(f"insert into subscriptions ({_SUBSCRIPTION_COLUMNS}, created_at, updated_at) "
                              "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (s.username, s.kind, s.unit_code, s.area_code, s.weekday, s.hour, s.minute, s.format,
                               s.lang, s.email, s.webhook_url, int(s.active), now, now))
            self._append(con, event)
            return int(cur.lastrowid)

    def subscriptions(self, username: str | None = None, *, kind: str | None = None) -> list[Subscription]:
        where, params = ["active = 1"], []
        for column, value in (("username", username), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._con().execute(f"select id, created_at, {_SUBSCRIPTION_COLUMNS} from subscriptions "
                                   f"where {' and '.join(where)} order by id", params).fetchall()
        return [_subscription(r) for r in rows]

    def end_subscription(self, subscription_id: int, username: str | None, event: Event) -> bool:
        with self._transaction() as con:
            changed = con.execute("update subscriptions set active = 0, updated_at = ? where id = ? and active = 1 "
                                  "and (? is null or username = ?)",
                                  (now_utc(), subscription_id, username, username)).rowcount
            if changed:
                self._append(con, event)
            return bool(changed)

    def claim_delivery(self, delivery: Delivery, now: str, max_attempts: int) -> Delivery | None:
        d, stamp = delivery, now_utc()
        key = (d.kind, d.scope_key, d.period_key, d.channel, d.recipient)
        with self._transaction() as con:
            found = con.execute(f"select id, created_at, updated_at, {_DELIVERY_COLUMNS} from deliveries "
                                "where kind = ? and scope_key = ? and period_key = ? and channel = ? and recipient = ?",
                                key).fetchone()
            if found is None:
                con.execute(f"insert into deliveries ({_DELIVERY_COLUMNS}, created_at, updated_at) "
                            "values (?, ?, ?, ?, ?, ?, ?, ?, 'sending', 1, null, null, ?, ?, ?)",
                            (*key, d.username, d.title, d.subscription_id, d.archive_id, stamp, stamp))
            elif (found["state"] == "failed" and int(found["attempts"]) < max_attempts
                  and (found["next_attempt_at"] or "") <= now):
                con.execute("update deliveries set state = 'sending', attempts = attempts + 1, updated_at = ? "
                            "where id = ?", (stamp, found["id"]))
            else:
                return None
            return _delivery(con.execute(f"select id, created_at, updated_at, {_DELIVERY_COLUMNS} from deliveries "
                                         "where kind = ? and scope_key = ? and period_key = ? and channel = ? "
                                         "and recipient = ?", key).fetchone())

    def finish_delivery(self, delivery_id: int, state: str, event: Event, *, error: str | None = None,
                        next_attempt_at: str | None = None, archive_id: int | None = None) -> None:
        with self._transaction() as con:
            con.execute("update deliveries set state = ?, last_error = ?, next_attempt_at = ?, "
                        "archive_id = coalesce(?, archive_id), updated_at = ? where id = ?",
                        (state, error, next_attempt_at, archive_id, now_utc(), delivery_id))
            self._append(con, event)

    def deliveries(self, states: tuple[str, ...] = (), limit: int = 200) -> list[Delivery]:
        where = f"where state in ({', '.join('?' * len(states))})" if states else ""
        rows = self._con().execute(f"select id, created_at, updated_at, {_DELIVERY_COLUMNS} from deliveries {where} "
                                   "order by updated_at desc, id desc limit ?", (*states, limit)).fetchall()
        return [_delivery(r) for r in rows]

    def add_archive(self, entry: ArchiveEntry) -> ArchiveEntry:
        e = entry
        with self._transaction() as con:
            con.execute(f"insert into briefing_archive ({_ARCHIVE_COLUMNS}, issued_at) "
                        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "on conflict (scope_key, period_start, period_end, lang, format) do nothing",
                        (e.scope_key, e.unit_code, e.area_code, e.period_start, e.period_end, e.lang, e.format,
                         e.title, e.path, e.figures_path, e.size, e.sha256, e.issued_at or now_utc()))
        return self.find_archive(e.scope_key, e.period_start, e.period_end, e.lang, e.format)

    def archive_entry(self, entry_id: int) -> ArchiveEntry | None:
        return _archive(self._con().execute(f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive "
                                            "where id = ?", (entry_id,)).fetchone())

    def archive_entries(self, limit: int = 500) -> list[ArchiveEntry]:
        rows = self._con().execute(f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive "
                                   "order by period_start desc, id desc limit ?", (limit,)).fetchall()
        return [_archive(r) for r in rows]

    def find_archive(self, scope_key: str, period_start: str, period_end: str, lang: str,
                     format: str) -> ArchiveEntry | None:
        return _archive(self._con().execute(
            f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive where scope_key = ? "
            "and period_start = ? and period_end = ? and lang = ? and format = ?",
            (scope_key, period_start, period_end, lang, format)).fetchone())

    def acquire_lease(self, name: str, holder: str, seconds: int) -> bool:
        with self._transaction() as con:
            con.execute("insert into leases (name, holder, expires_at) values (?, ?, ?) "
                        "on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at "
                        "where leases.expires_at < ? or leases.holder = excluded.holder",
                        (name, holder, utc_after(seconds), now_utc()))
            return con.execute("select holder from leases where name = ?", (name,)).fetchone()[0] == holder

    def release_lease(self, name: str, holder: str) -> None:
        self._con().execute("delete from leases where name = ? and holder = ?", (name, holder))

    def lease_holder(self, name: str) -> tuple[str, str] | None:
        row = self._con().execute("select holder, expires_at from leases where name = ?", (name,)).fetchone()
        return None if row is None else (row[0], row[1])

    # ---- settings -----------------------------------------------------------------------------------

    def secret_key(self) -> str:
        con = self._con()
        con.execute("insert or ignore into settings (key, value) values ('secret_key', ?)", (secrets.token_hex(32),))
        return con.execute("select value from settings where key = 'secret_key'").fetchone()[0]
