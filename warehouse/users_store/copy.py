"""Copy a SQLite users database into PostgreSQL, with nothing lost, and show it.

Accounts, settings (the secret key, so signed cookies stay valid), sessions,
every audit entry with its id and time, and the subscriptions with their
deliveries and the 周报 archive's records go over in one transaction: the
copy is whole or nothing. A target that already holds accounts or entries is
refused unless `merge` is asked for; then accounts, settings and sessions the
target already has are kept as they are there (and listed), and the audit
entries are appended after the target's own, in their order.

Afterwards the copy is checked through both stores' interfaces: the rows per
table, and a sample of rows read back and compared field by field.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.users_store.interface import AuditQuery
from warehouse.users_store.postgres import PostgresUsersStore
from warehouse.users_store.sqlite import SqliteUsersStore

TABLES = ("users", "settings", "sessions", "audit_log")
SAMPLE = 50


class CopyRefused(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass
class CopyReport:
    source_rows: dict[str, int]
    target_rows_before: dict[str, int]
    target_rows_after: dict[str, int]
    kept_in_target: list[str] = field(default_factory=list)   # accounts the target had already (merge)
    sampled: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _sqlite_counts(path: Path) -> dict[str, int]:
    import sqlite3
    con = sqlite3.connect(path)
    try:
        return {t: int(con.execute(f"select count(*) from {t}").fetchone()[0]) for t in TABLES}
    finally:
        con.close()


def _postgres_counts(con) -> dict[str, int]:
    return {t: int(con.execute(f"select count(*) from {t}").fetchone()[0]) for t in TABLES}


def _source_rows(path: Path, table: str) -> tuple[list[str], list[tuple]]:
    """The table's columns, and its rows in key order (the audit log: by id, the order it was written)."""
    import sqlite3
    con = sqlite3.connect(path)
    try:
        columns = [r[1] for r in con.execute(f"pragma table_info({table})")]
        return columns, con.execute(f"select {', '.join(columns)} from {table} order by {columns[0]}").fetchall()
    finally:
        con.close()


_CASTS = {"created_at": "timestamptz", "updated_at": "timestamptz", "last_login_at": "timestamptz",
          "at": "timestamptz", "last_seen_at": "timestamptz", "ended_at": "timestamptz", "detail": "jsonb",
          "must_change": "int::boolean", "disabled": "int::boolean", "active": "int::boolean",
          "next_attempt_at": "timestamptz", "issued_at": "timestamptz", "period_start": "date",
          "period_end": "date"}


def _insert(con, table: str, columns: list[str], rows: list[tuple], conflict: str | None) -> int:
    values = ", ".join(f"%s::{_CASTS[c]}" if c in _CASTS else "%s" for c in columns)
    sql = (f"insert into {table} ({', '.join(columns)}) values ({values})"
           + (f" on conflict ({conflict}) do nothing" if conflict else ""))
    with con.cursor() as cur:
        cur.executemany(sql, rows)
    return len(rows)


def _copy_subscriptions(con, source: Path) -> None:
    """Subscriptions, the archive and deliveries, appended with the target's own ids (a delivery
    keeps pointing at its subscription and archive entry); an archive entry or a delivery the target
    has already (same key) is kept as it is there."""
    def insert_returning(table: str, columns: list[str], row: tuple, conflict: str) -> int | None:
        values = ", ".join(f"%s::{_CASTS[c]}" if c in _CASTS else "%s" for c in columns)
        found = con.execute(f"insert into {table} ({', '.join(columns)}) values ({values}) "
                            f"on conflict {conflict} returning id", row).fetchone()
        return None if found is None else found[0]

    ids: dict[str, dict] = {"subscriptions": {}, "briefing_archive": {}}
    for table, conflict in (("subscriptions", "do nothing"),
                            ("briefing_archive", "(scope_key, period_start, period_end, lang, format) "
                                                 "do update set scope_key = excluded.scope_key")):
        columns, rows = _source_rows(source, table)
        at = columns.index("id")
        rest = [c for c in columns if c != "id"]
        for row in rows:
            ids[table][row[at]] = insert_returning(table, rest, tuple(v for i, v in enumerate(row) if i != at),
                                                   conflict)
    columns, rows = _source_rows(source, "deliveries")
    at, sub_at, arch_at = columns.index("id"), columns.index("subscription_id"), columns.index("archive_id")
    rest = [c for c in columns if c != "id"]
    moved = []
    for row in rows:
        row = list(row)
        row[sub_at] = ids["subscriptions"].get(row[sub_at])
        row[arch_at] = ids["briefing_archive"].get(row[arch_at])
        moved.append(tuple(v for i, v in enumerate(row) if i != at))
    _insert(con, "deliveries", rest, moved, "kind, scope_key, period_key, channel, recipient")


def copy_to_postgres(source: Path, url: str, *, merge: bool = False) -> CopyReport:
    """Copy the SQLite users database at `source` into the PostgreSQL database at `url`."""
    import psycopg
    if not Path(source).is_file():
        raise CopyRefused(f"找不到用户库文件：{source}", f"no users database at {source}")
    SqliteUsersStore(source).close()          # brings an older file up to the newest schema first
    PostgresUsersStore(url).close()           # creates or upgrades the target's schema
    counts = _sqlite_counts(source)
    with psycopg.connect(url) as con:
        before = _postgres_counts(con)
        if any(before[t] for t in ("users", "audit_log", "sessions")) and not merge:
            raise CopyRefused(
                f"目标库已有数据（用户 {before['users']}，审计记录 {before['audit_log']}），未复制；"
                "确需合并请加 --merge",
                f"the target already holds data ({before['users']} users, {before['audit_log']} audit entries); "
                "nothing copied; add --merge to merge into it")
        with con.transaction():
            columns, users = _source_rows(source, "users")
            existing = {r[0] for r in con.execute("select username from users")}
            kept = sorted(existing & {row[0] for row in users})
            _insert(con, "users", columns, users, "username")
            columns, settings = _source_rows(source, "settings")
            _insert(con, "settings", columns, settings, "key")
            columns, sessions = _source_rows(source, "sessions")
            user_at = columns.index("username")
            _insert(con, "sessions", columns, [s for s in sessions if s[user_at] not in kept], "id")
            columns, audit = _source_rows(source, "audit_log")
            if before["audit_log"]:     # appended after the target's own entries, in their order
                columns, audit = columns[1:], [row[1:] for row in audit]
            _insert(con, "audit_log", columns, audit, None)
            con.execute("select setval(pg_get_serial_sequence('audit_log', 'id'), "
                        "greatest((select max(id) from audit_log), 1))")
            _copy_subscriptions(con, source)
        after = _postgres_counts(con)
    report = CopyReport(counts, before, after, kept)
    compare(source, url, report)
    return report


def compare(source: Path, url: str, report: CopyReport) -> None:
    """Rows per table, and a sample of accounts, sessions and audit entries read back through both stores."""
    for table in TABLES:
        added = report.target_rows_after[table] - report.target_rows_before[table]
        expected = report.source_rows[table]
        if table == "users":
            expected -= len(report.kept_in_target)
        if table == "settings":
            continue    # a key the target had is kept
        if table == "sessions" and report.kept_in_target:
            continue
        if added != expected:
            report.differences.append(f"{table}: {expected} → {added}")
    old, new = SqliteUsersStore(source), PostgresUsersStore(url)
    try:
        pick = random.Random(0)
        old_accounts = {a.username: a for a in old.accounts()}
        new_accounts = {a.username: a for a in new.accounts()}
        names = [n for n in old_accounts if n not in report.kept_in_target]
        for name in pick.sample(names, min(SAMPLE, len(names))):
            report.sampled += 1
            if new_accounts.get(name) != old_accounts[name]:
                report.differences.append(f"users: {name}")
        old_entries = old.audit_entries(AuditQuery(newest_first=False))
        new_entries = new.audit_entries(AuditQuery(newest_first=False))[report.target_rows_before["audit_log"]:]
        if len(new_entries) != len(old_entries):
            report.differences.append(f"audit_log: {len(old_entries)} → {len(new_entries)}")
        else:
            merged = bool(report.target_rows_before["audit_log"])
            for i in pick.sample(range(len(old_entries)), min(SAMPLE, len(old_entries))):
                report.sampled += 1
                a, b = old_entries[i], new_entries[i]
                if (a.at, a.actor, a.event, a.target, a.detail, a.ip) != (b.at, b.actor, b.event, b.target,
                                                                         b.detail, b.ip) or (not merged and a.id != b.id):
                    report.differences.append(f"audit_log: id {a.id}")
        _, sessions = _source_rows(source, "sessions")
        for row in pick.sample(sessions, min(SAMPLE, len(sessions))):
            if row[1] in report.kept_in_target:
                continue
            report.sampled += 1
            found_old, found_new = old.session(row[0]), new.session(row[0])
            if found_new is None or found_new[0] != found_old[0]:
                report.differences.append(f"sessions: {row[0][:12]}…")
        if not report.kept_in_target and report.target_rows_before["users"] == 0 and \
                new.secret_key() != old.secret_key():
            report.differences.append("settings: secret_key")
    finally:
        old.close()
        new.close()
