"""`python -m dashboard.users add|list|disable|enable|reset-password|audit`: manage the dashboard's users.

    python -m dashboard.users add wang --role leader --name 王局
    python -m dashboard.users add li --role unit --unit YL0003
    python -m dashboard.users list [--json]
    python -m dashboard.users disable li
    python -m dashboard.users enable li
    python -m dashboard.users reset-password li
    python -m dashboard.users audit [--user li] [--kind signin] [--from 2026-12-01] [--to "2026-12-07 18:00"]
                                    [--out audit.csv]
    python -m dashboard.users copy-to-postgres --to postgresql://tpd@127.0.0.1/tpd [--merge]

`add` and `reset-password` print a generated one-time password (the user
must change it at the first sign-in) unless `--password-stdin` reads one
from standard input. Users live in the users database (`--users-db`: a SQLite file or a
`postgresql://` URL, else `TPD_USERS_URL`, else `TPD_USERS_DB`, else beside the
warehouse `--db` / `TPD_DB`); a unit code is
checked against the warehouse when there is one. Every change is audited
with the operating-system account that ran the command. `disable` and
`reset-password` end the user's sessions at once (a signed-in browser is
refused within a second).

`audit` writes the audit log as CSV (UTF-8 with a byte-order mark, for Excel)
to standard output or `--out FILE`, oldest first: entries by or about a user
(`--user`, repeatable), of a kind (`--kind`, repeatable: an event such as
`signin.failed`, or every event of a kind such as `signin` or `user`), from
and to a China time (`--from`, `--to`: a day, both ends included, or a day and
a time). Reading the log is itself audited.

`copy-to-postgres` copies the SQLite users database (accounts, the secret
key, sessions, every audit entry) into PostgreSQL in one transaction, then
compares the rows per table and a sample of rows field by field; a target
that already holds users or entries is refused unless `--merge`.
Exit status: 0 done, 1 the copy does not match, 2 refused (unknown role, user exists, no such user …).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from dashboard.auth import audit, passwords, roles, store
from warehouse import facts, users_store
from warehouse.config import default_db_path, default_users_db_path

EXIT_REFUSED = 2


def _password(args) -> tuple[str, bool]:
    """(password, generated?)"""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return passwords.generate_password(), True


def _print_password(name: str, password: str) -> None:
    print(f"用户 {name} 的一次性密码 one-time password for {name}: {password}")
    print("首次登录后须修改密码 / it must be changed at the first sign-in")


def cmd_add(args, db: Path, actor: str) -> int:
    password, generated = _password(args)
    user = store.add(args.username, args.role, password=password, unit_code=args.unit, display_name=args.name,
                     must_change=generated or not args.no_change, actor=actor,
                     known_units=facts.unit_codes(args.db), db=db)
    print(f"已添加用户 added user {user.username}（{roles.label(user.role)} {roles.label(user.role, 'en')}"
          f"{'，单位 unit ' + user.unit_code if user.unit_code else ''}）")
    if generated:
        _print_password(user.username, password)
    return 0


def cmd_list(args, db: Path, actor: str) -> int:
    users = store.list_users(db)
    if args.json:
        print(json.dumps(users, ensure_ascii=False))
        return 0
    print(f"{'用户 user':<20} {'角色 role':<12} {'单位 unit':<10} {'状态 status':<14} {'最近登录 last sign-in':<22} 姓名 name")
    for u in users:
        status = "停用 disabled" if u["disabled"] else "待改密 change" if u["must_change"] else "正常 active"
        print(f"{u['username']:<20} {u['role']:<12} {u['unit_code'] or '':<10} {status:<14} "
              f"{u['last_login_at'] or '—':<22} {u['display_name'] or ''}")
    return 0


def cmd_disable(args, db: Path, actor: str) -> int:
    store.set_disabled(args.username, True, actor=actor, db=db)
    print(f"已停用 disabled {store.normalise(args.username)}（其登录会话已失效 / their sessions have ended）")
    return 0


def cmd_enable(args, db: Path, actor: str) -> int:
    store.set_disabled(args.username, False, actor=actor, db=db)
    print(f"已启用 enabled {store.normalise(args.username)}")
    return 0


def cmd_reset(args, db: Path, actor: str) -> int:
    password, generated = _password(args)
    store.reset_password(args.username, password, actor=actor, must_change=generated or not args.no_change, db=db)
    print(f"已重置密码 password reset for {store.normalise(args.username)}（其登录会话已失效 / their sessions have ended）")
    if generated:
        _print_password(store.normalise(args.username), password)
    return 0


def _china_moment(text: str, *, end: bool) -> str:
    """A `--from`/`--to` value (China time) as the stored UTC bound: a day's start, or for `--to` the
    start of the next day; a time to the second (`--to` includes that second)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return audit.china_midnight(day + dt.timedelta(days=1) if end else day)
        moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise store.UserError(f"无法识别的时间：{text}（格式 YYYY-MM-DD 或 YYYY-MM-DD HH:MM[:SS]，北京时间）",
                              f"not a time: {text} (YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], China time)") from None
    if moment.tzinfo is not None:
        raise store.UserError(f"时间不带时区，按北京时间解释：{text}", f"give the time without a zone (China time): {text}")
    at = moment.replace(tzinfo=audit.CHINA) + (dt.timedelta(seconds=1) if end else dt.timedelta(0))
    return users_store.utc_text(at)


def cmd_audit(args, db: Path, actor: str) -> int:
    since = _china_moment(args.start, end=False) if args.start else None
    until = _china_moment(args.end, end=True) if args.end else None
    if since and until and since >= until:
        raise store.UserError(f"--from {args.start} 晚于 --to {args.end}", f"--from {args.start} is after --to {args.end}")
    users = tuple(store.normalise(u) for u in args.user)
    rows = audit.search(users_store.AuditQuery(since=since, until=until, users=users, kinds=tuple(args.kind),
                                               newest_first=False), db)
    text = audit.as_csv(rows)
    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # it names people and addresses
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(f"已导出 {len(rows)} 条审计记录 wrote {len(rows)} audit entries → {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    users_store.open_store(db).append_audit(users_store.Event(
        "audit.read", actor=actor, detail={"users": list(users), "kinds": args.kind, "from": args.start,
                                           "to": args.end, "entries": len(rows), "out": str(args.out or "-")}))
    return 0


def cmd_copy_to_postgres(args, db, actor: str) -> int:
    from warehouse.users_store.copy import CopyRefused, copy_to_postgres
    if users_store.is_url(db):
        raise store.UserError("复制的来源须是 SQLite 用户库文件（--users-db 文件）",
                              "the copy's source must be a SQLite users file (--users-db FILE)")
    if not users_store.is_url(args.to):
        raise store.UserError(f"--to 须是 postgresql:// 地址：{args.to}", f"--to must be a postgresql:// URL: {args.to}")
    try:
        report = copy_to_postgres(db, args.to, merge=args.merge)
    except CopyRefused as refusal:
        raise store.UserError(refusal.zh, refusal.en) from None
    for table in ("users", "settings", "sessions", "audit_log"):
        print(f"{table:<10} 来源 source {report.source_rows[table]:>7}   目标 target "
              f"{report.target_rows_before[table]:>7} → {report.target_rows_after[table]:>7}")
    if report.kept_in_target:
        print(f"目标库已有、保留未改的用户 kept as the target had them: {', '.join(report.kept_in_target)}")
    if not report.ok:
        print(f"复制后核对不一致 the copy does not match: {'; '.join(report.differences)}", file=sys.stderr)
        return 1
    print(f"核对一致：各表行数相符，抽样 {report.sampled} 行逐字段相同 / checked: rows per table match, "
          f"{report.sampled} sampled rows identical field by field")
    users_store.open_store(args.to).append_audit(users_store.Event(
        "users.copied", actor=actor, target="postgresql",
        detail={"from": str(db), "rows": report.source_rows, "merge": args.merge, "kept": report.kept_in_target}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.users", description="旅游警务数据看板用户管理 user administration")
    parser.add_argument("--db", type=Path, default=None,
                        help="the warehouse (default: $TPD_DB or data/warehouse.duckdb)")
    parser.add_argument("--users-db", type=users_store.location, default=None,
                        help="the users database: a SQLite file or a postgresql:// URL (default: $TPD_USERS_URL, else $TPD_USERS_DB, else beside the warehouse)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=roles.NAMES)
    add.add_argument("--unit", help="the unit code (role unit only)")
    add.add_argument("--name", help="display name")
    lst = sub.add_parser("list", help="list users")
    lst.add_argument("--json", action="store_true")
    for name, helptext in (("disable", "disable a user (ends their sessions)"), ("enable", "enable a user again")):
        sub.add_parser(name, help=helptext).add_argument("username")
    reset = sub.add_parser("reset-password", help="set a new one-time password (ends their sessions)")
    reset.add_argument("username")
    log = sub.add_parser("audit", help="the audit log as CSV (UTF-8 with BOM), filtered")
    log.add_argument("--user", action="append", default=[], help="entries by or about this user (repeatable)")
    log.add_argument("--kind", action="append", default=[],
                     help="an event (signin.failed) or a kind of events (signin, user, export; repeatable)")
    log.add_argument("--from", dest="start", help="from this China day or time (YYYY-MM-DD[ HH:MM[:SS]])")
    log.add_argument("--to", dest="end", help="to this China day (included) or time")
    log.add_argument("--out", type=Path, help="write to this file (default: standard output)")
    for p in (add, reset):
        p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        p.add_argument("--no-change", action="store_true",
                       help="with --password-stdin: the user need not change it at the first sign-in")
    copy = sub.add_parser("copy-to-postgres", help="copy the SQLite users database into PostgreSQL")
    copy.add_argument("--to", required=True, help="the target: postgresql://user@host/database")
    copy.add_argument("--merge", action="store_true",
                      help="copy into a target that already holds users or audit entries (kept as they are)")
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    db = args.users_db or default_users_db_path(args.db)
    actor = "cli:" + users_store.os_actor()
    command = {"add": cmd_add, "list": cmd_list, "disable": cmd_disable, "enable": cmd_enable,
               "reset-password": cmd_reset, "audit": cmd_audit,
               "copy-to-postgres": cmd_copy_to_postgres}[args.command]
    try:
        return command(args, db, actor)
    except store.UserError as refusal:
        print(f"未执行 refused: {refusal.zh} / {refusal.en}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
