"""The users store in PostgreSQL (`TPD_USERS_URL=postgresql://…`), shared by several web nodes.

Each process has a small pool of connections (psycopg_pool), opened on first
use and opened afresh in a forked worker (a connection must not cross a
fork). Connections are in autocommit; a change and its audit entry are one
explicit transaction. A connection is checked when taken from the pool, so
after PostgreSQL restarts the next request gets a live one; while it is down
a request waits at most `WAIT_SECONDS` and gets `StoreUnavailable` (the
dashboard answers 503 and does nothing, see dashboard.auth.guard). Times are `timestamptz` in the database and UTC text
(`now_utc()`) at the interface, as in SQLite.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from warehouse.users_store import migrate
from warehouse.users_store.interface import (Account, ArchiveEntry, AuditEntry, AuditQuery, Delivery, Event,
                                             Session, StoreUnavailable, Subscription, UsersStore, now_utc, utc_after,
                                             utc_text)

POOL_SIZE = 4            # per process: a gunicorn worker's threads share them
WAIT_SECONDS = 3.0       # for a connection from the pool, or a new one to the server
_ACCOUNT_COLUMNS = ("username, role, unit_code, display_name, password_hash, must_change, disabled, session_epoch, "
                    "created_at, updated_at, last_login_at")


def _text(at) -> str | None:
    return None if at is None else utc_text(at)


def _account(row) -> Account | None:
    if row is None:
        return None
    return Account(row["username"], row["role"], row["unit_code"], row["display_name"], row["password_hash"],
                   row["must_change"], row["disabled"], int(row["session_epoch"]), _text(row["created_at"]),
                   _text(row["updated_at"]), _text(row["last_login_at"]))


def _session(row) -> Session:
    return Session(row["id"], row["username"], _text(row["created_at"]), _text(row["last_seen_at"]),
                   _text(row["ended_at"]), row["ended_reason"], row["ip"])


_SUBSCRIPTION_COLUMNS = ("username, kind, unit_code, area_code, weekday, hour, minute, format, lang, email, "
                         "webhook_url, active")
_DELIVERY_COLUMNS = ("kind, scope_key, period_key, channel, recipient, username, title, subscription_id, state, "
                     "attempts, last_error, next_attempt_at, archive_id")
_ARCHIVE_COLUMNS = ("scope_key, unit_code, area_code, period_start, period_end, lang, format, title, path, "
                    "figures_path, size, sha256")
_DELIVERY_KEY = "kind = %s and scope_key = %s and period_key = %s and channel = %s and recipient = %s"


def _subscription(row) -> Subscription:
    return Subscription(row["username"], row["kind"], row["unit_code"], row["area_code"], int(row["weekday"]),
                        int(row["hour"]), int(row["minute"]), row["format"], row["lang"], row["email"],
                        row["webhook_url"], bool(row["active"]), int(row["id"]), _text(row["created_at"]))


def _delivery(row) -> Delivery | None:
    if row is None:
        return None
    return Delivery(row["kind"], row["scope_key"], row["period_key"], row["channel"], row["recipient"],
                    row["username"], row["title"], row["subscription_id"], row["state"], int(row["attempts"]),
                    row["last_error"], _text(row["next_attempt_at"]), row["archive_id"], int(row["id"]),
                    _text(row["created_at"]), _text(row["updated_at"]))


def _archive(row) -> ArchiveEntry | None:
    if row is None:
        return None
    return ArchiveEntry(row["scope_key"], row["unit_code"], row["area_code"], row["period_start"].isoformat(),
                        row["period_end"].isoformat(), row["lang"], row["format"], row["title"], row["path"],
                        row["figures_path"], int(row["size"]), row["sha256"], _text(row["issued_at"]), int(row["id"]))


def _detail(detail: dict | None) -> str | None:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None


class PostgresUsersStore(UsersStore):
    def __init__(self, url: str):
        self.url = url
        self._pool: ConnectionPool | None = None
        self._pid = None
        self._lock = threading.Lock()
        migrate.upgrade(url)

    # ---- connections --------------------------------------------------------------------------------

    def _pool_here(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():   # a forked worker opens its own
                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=POOL_SIZE, timeout=WAIT_SECONDS, open=True,
                    check=ConnectionPool.check_connection, name="tpd-users",
                    kwargs={"autocommit": True, "row_factory": dict_row,
                            "connect_timeout": max(1, int(WAIT_SECONDS))})
                self._pid = os.getpid()
            return self._pool

    @contextmanager
    def _connection(self):
        try:
            with self._pool_here().connection() as con:
                yield con
        except (psycopg.OperationalError, PoolTimeout) as lost:   # the server is down or unreachable
            raise StoreUnavailable(str(lost)) from lost

    @contextmanager
    def _transaction(self):
        with self._connection() as con, con.transaction():
            yield con

    def _one(self, sql: str, params=()):
        with self._connection() as con:
            return con.execute(sql, params).fetchone()

    def _all(self, sql: str, params=()):
        with self._connection() as con:
            return con.execute(sql, params).fetchall()

    def _run(self, sql: str, params=()) -> int:
        with self._connection() as con:
            return con.execute(sql, params).rowcount

    def check(self) -> None:
        with psycopg.connect(self.url, connect_timeout=2) as con:
            con.execute("select count(*) from users").fetchone()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None

    # ---- accounts -----------------------------------------------------------------------------------

    def account(self, username: str) -> Account | None:
        return _account(self._one(f"select {_ACCOUNT_COLUMNS} from users where username = %s", (username,)))

    def count_accounts(self) -> int:
        return int(self._one("select count(*) as n from users")["n"])

    def accounts(self) -> list[Account]:
        return [_account(r) for r in self._all(f"select {_ACCOUNT_COLUMNS} from users order by username")]

    def add_account(self, account: Account, event: Event) -> bool:
        now = now_utc()
        with self._transaction() as con:
            added = con.execute(
                "insert into users (username, display_name, role, unit_code, password_hash, must_change, "
                "created_at, updated_at) values (%s, %s, %s, %s, %s, %s, %s::timestamptz, %s::timestamptz) "
                "on conflict (username) do nothing",
                (account.username, account.display_name, account.role, account.unit_code, account.password_hash,
                 account.must_change, now, now)).rowcount
            if not added:
                return False
            self._append(con, event)
        return True

    def set_disabled(self, username: str, disabled: bool, event: Event) -> bool:
        with self._transaction() as con:
            changed = con.execute("update users set disabled = %s, session_epoch = session_epoch + 1, "
                                  "updated_at = %s::timestamptz where username = %s",
                                  (disabled, now_utc(), username)).rowcount
            if not changed:
                return False
            self._end_sessions(con, username, "disabled" if disabled else "enabled")
            self._append(con, event)
        return True

    def set_password(self, username: str, password_hash: str, must_change: bool, event: Event, *,
                     keep_session: str | None = None) -> int | None:
        with self._transaction() as con:
            row = con.execute("update users set password_hash = %s, must_change = %s, "
                              "session_epoch = session_epoch + 1, updated_at = %s::timestamptz "
                              "where username = %s returning session_epoch",
                              (password_hash, must_change, now_utc(), username)).fetchone()
            if row is None:
                return None
            self._end_sessions(con, username, "password", keep=keep_session)
            self._append(con, event)
            return int(row["session_epoch"])

    def record_signin(self, username: str, event: Event) -> Account:
        with self._transaction() as con:
            con.execute("update users set last_login_at = %s::timestamptz where username = %s",
                        (now_utc(), username))
            self._append(con, event)
        return self.account(username)

    # ---- the audit log ------------------------------------------------------------------------------

    @staticmethod
    def _append(con, event: Event) -> int:
        return int(con.execute(
            "insert into audit_log (at, actor, event, target, detail, ip) "
            "values (%s::timestamptz, %s, %s, %s, %s::jsonb, %s) returning id",
            (now_utc(), event.actor, event.event, event.target, _detail(event.detail), event.ip)).fetchone()["id"])

    def append_audit(self, event: Event) -> int:
        with self._connection() as con:
            return self._append(con, event)

    def audit_entries(self, query: AuditQuery) -> list[AuditEntry]:
        where, params = [], []
        if query.since:
            where.append("at >= %s::timestamptz")
            params.append(query.since)
        if query.until:
            where.append("at < %s::timestamptz")
            params.append(query.until)
        if query.users:
            where.append("(actor = any(%s) or target = any(%s))")
            params.extend((list(query.users), list(query.users)))
        if query.kinds:
            where.append("(" + " or ".join("event = %s or left(event, %s) = %s" for _ in query.kinds) + ")")
            for kind in query.kinds:
                params.extend((kind, len(kind) + 1, kind + "."))
        sql = ("select id, at, actor, event, target, detail, ip from audit_log"
               + (" where " + " and ".join(where) if where else "")
               + f" order by id {'desc' if query.newest_first else 'asc'}"
               + (" limit %s" if query.limit is not None else ""))
        if query.limit is not None:
            params.append(query.limit)
        return [AuditEntry(r["id"], _text(r["at"]), r["actor"], r["event"], r["target"], r["detail"] or {}, r["ip"])
                for r in self._all(sql, params)]

    def count_audit(self, event: str, *, target: str | None = None, ip: str | None = None,
                    since: str | None = None) -> int:
        where, params = ["event = %s"], [event]
        for column, value in (("target", target), ("ip", ip)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        if since:
            where.append("at >= %s::timestamptz")
            params.append(since)
        return int(self._one(f"select count(*) as n from audit_log where {' and '.join(where)}", params)["n"])

    def latest_audit_at(self, target: str, events: tuple[str, ...]) -> str | None:
        row = self._one("select max(at) as at from audit_log where target = %s and event = any(%s)",
                        (target, list(events)))
        return _text(row["at"])

    # ---- sessions -----------------------------------------------------------------------------------

    def start_session(self, session_id: str, username: str, ip: str | None = None) -> Session:
        now = now_utc()
        self._run("insert into sessions (id, username, created_at, last_seen_at, ip) "
                  "values (%s, %s, %s::timestamptz, %s::timestamptz, %s)", (session_id, username, now, now, ip))
        return Session(session_id, username, now, now, ip=ip)

    def session(self, session_id: str) -> tuple[Session, Account] | None:
        row = self._one(f"select s.id, s.username, s.created_at as s_created, s.last_seen_at, s.ended_at, "
                        f"s.ended_reason, s.ip, u.{_ACCOUNT_COLUMNS.replace(', ', ', u.')} "
                        f"from sessions s join users u on u.username = s.username where s.id = %s", (session_id,))
        if row is None:
            return None
        session = Session(row["id"], row["username"], _text(row["s_created"]), _text(row["last_seen_at"]),
                          _text(row["ended_at"]), row["ended_reason"], row["ip"])
        return session, _account(row)

    def touch_session(self, session_id: str) -> None:
        self._run("update sessions set last_seen_at = %s::timestamptz where id = %s and ended_at is null",
                  (now_utc(), session_id))

    def end_session(self, session_id: str, reason: str) -> None:
        self._run("update sessions set ended_at = %s::timestamptz, ended_reason = %s "
                  "where id = %s and ended_at is null", (now_utc(), reason, session_id))

    @staticmethod
    def _end_sessions(con, username: str, reason: str, keep: str | None = None) -> int:
        return con.execute("update sessions set ended_at = %s::timestamptz, ended_reason = %s "
                           "where username = %s and ended_at is null and id is distinct from %s",
                           (now_utc(), reason, username, keep)).rowcount

    def end_sessions(self, username: str, reason: str) -> int:
        with self._transaction() as con:
            return self._end_sessions(con, username, reason)

    def forget_sessions(self, last_seen_before: str) -> int:
        return self._run("delete from sessions where last_seen_at < %s::timestamptz", (last_seen_before,))

    # ---- subscriptions, deliveries, the archive, leases ----------------------------------------------

    def add_subscription(self, subscription: Subscription, event: Event) -> int:
        s, now = subscription, now_utc()
        with self._transaction() as con:
            row = con.execute(f"insert into subscriptions ({_SUBSCRIPTION_COLUMNS}, created_at, updated_at) "
                              "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::timestamptz, "
                              "%s::timestamptz) returning id",
                              (s.username, s.kind, s.unit_code, s.area_code, s.weekday, s.hour, s.minute, s.format,
                               s.lang, s.email, s.webhook_url, s.active, now, now)).fetchone()
            self._append(con, event)
            return int(row["id"])

    def subscriptions(self, username: str | None = None, *, kind: str | None = None) -> list[Subscription]:
        where, params = ["active"], []
        for column, value in (("username", username), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        return [_subscription(r) for r in self._all(
            f"select id, created_at, {_SUBSCRIPTION_COLUMNS} from subscriptions where {' and '.join(where)} "
            "order by id", params)]

    def end_subscription(self, subscription_id: int, username: str | None, event: Event) -> bool:
        with self._transaction() as con:
            changed = con.execute("update subscriptions set active = false, updated_at = %s::timestamptz "
                                  "where id = %s and active and (%s::text is null or username = %s)",
                                  (now_utc(), subscription_id, username, username)).rowcount
            if changed:
                self._append(con, event)
            return bool(changed)

    def claim_delivery(self, delivery: Delivery, now: str, max_attempts: int) -> Delivery | None:
        d, stamp = delivery, now_utc()
        key = (d.kind, d.scope_key, d.period_key, d.channel, d.recipient)
        with self._transaction() as con:
            row = con.execute(
                f"insert into deliveries ({_DELIVERY_COLUMNS}, created_at, updated_at) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s, 'sending', 1, null, null, %s, %s::timestamptz, "
                "%s::timestamptz) on conflict (kind, scope_key, period_key, channel, recipient) do update "
                "set state = 'sending', attempts = deliveries.attempts + 1, updated_at = excluded.updated_at "
                "where deliveries.state = 'failed' and deliveries.attempts < %s "
                "and coalesce(deliveries.next_attempt_at, '-infinity') <= %s::timestamptz "
                f"returning id, created_at, updated_at, {_DELIVERY_COLUMNS}",
                (*key, d.username, d.title, d.subscription_id, d.archive_id, stamp, stamp, max_attempts,
                 now)).fetchone()
            return _delivery(row)

    def finish_delivery(self, delivery_id: int, state: str, event: Event, *, error: str | None = None,
                        next_attempt_at: str | None = None, archive_id: int | None = None) -> None:
        with self._transaction() as con:
            con.execute("update deliveries set state = %s, last_error = %s, next_attempt_at = %s::timestamptz, "
                        "archive_id = coalesce(%s, archive_id), updated_at = %s::timestamptz where id = %s",
                        (state, error, next_attempt_at, archive_id, now_utc(), delivery_id))
            self._append(con, event)

    def deliveries(self, states: tuple[str, ...] = (), limit: int = 200) -> list[Delivery]:
        where, params = ("where state = any(%s)", [list(states)]) if states else ("", [])
        return [_delivery(r) for r in self._all(
            f"select id, created_at, updated_at, {_DELIVERY_COLUMNS} from deliveries {where} "
            "order by updated_at desc, id desc limit %s", (*params, limit))]

    def add_archive(self, entry: ArchiveEntry) -> ArchiveEntry:
        e = entry
        self._run(f"insert into briefing_archive ({_ARCHIVE_COLUMNS}, issued_at) "
                  "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::timestamptz) "
                  "on conflict (scope_key, period_start, period_end, lang, format) do nothing",
                  (e.scope_key, e.unit_code, e.area_code, e.period_start, e.period_end, e.lang, e.format,
                   e.title, e.path, e.figures_path, e.size, e.sha256, e.issued_at or now_utc()))
        return self.find_archive(e.scope_key, e.period_start, e.period_end, e.lang, e.format)

    def archive_entry(self, entry_id: int) -> ArchiveEntry | None:
        return _archive(self._one(f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive where id = %s",
                                  (entry_id,)))

    def archive_entries(self, limit: int = 500) -> list[ArchiveEntry]:
        return [_archive(r) for r in self._all(
            f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive "
            "order by period_start desc, id desc limit %s", (limit,))]

    def find_archive(self, scope_key: str, period_start: str, period_end: str, lang: str,
                     format: str) -> ArchiveEntry | None:
        return _archive(self._one(
            f"select id, issued_at, {_ARCHIVE_COLUMNS} from briefing_archive where scope_key = %s "
            "and period_start = %s::date and period_end = %s::date and lang = %s and format = %s",
            (scope_key, period_start, period_end, lang, format)))

    def acquire_lease(self, name: str, holder: str, seconds: int) -> bool:
        row = self._one("insert into leases (name, holder, expires_at) values (%s, %s, %s::timestamptz) "
                        "on conflict (name) do update set holder = excluded.holder, "
                        "expires_at = excluded.expires_at "
                        "where leases.expires_at < %s::timestamptz or leases.holder = excluded.holder "
                        "returning holder", (name, holder, utc_after(seconds), now_utc()))
        return row is not None and row["holder"] == holder

    def release_lease(self, name: str, holder: str) -> None:
        self._run("delete from leases where name = %s and holder = %s", (name, holder))

    def lease_holder(self, name: str) -> tuple[str, str] | None:
        row = self._one("select holder, expires_at from leases where name = %s", (name,))
        return None if row is None else (row["holder"], _text(row["expires_at"]))

    # ---- settings -----------------------------------------------------------------------------------

    def secret_key(self) -> str:
        with self._connection() as con:
            con.execute("insert into settings (key, value) values ('secret_key', %s) on conflict (key) do nothing",
                        (secrets.token_hex(32),))
            return con.execute("select value from settings where key = 'secret_key'").fetchone()["value"]
