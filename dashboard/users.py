"""`python -m dashboard.users add|list|disable|enable|reset-password|audit`: manage the dashboard's users.

    python -m dashboard.users add wang --role leader --name 王局
    python -m dashboard.users add li --role unit --unit YL0003
    python -m dashboard.users list [--json]
    python -m dashboard.users disable li
    python -m dashboard.users enable li
    python -m dashboard.users reset-password li
    python -m dashboard.users audit [--user li] [--kind signin] [--from 2026-12-01] [--to "2026-12-07 18:00"]
                                    [--out audit.csv]

`add` and `reset-password` print a generated one-time password (the user
must change it at the first sign-in) unless `--password-stdin` reads one
from standard input. Users live in the users database (`--users-db`, else
`TPD_USERS_DB`, else beside the warehouse `--db` / `TPD_DB`); a unit code is
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
Exit status: 0 done, 2 refused (unknown role, user exists, no such user …).
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
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    db = args.users_db or default_users_db_path(args.db)
    actor = "cli:" + users_store.os_actor()
    command = {"add": cmd_add, "list": cmd_list, "disable": cmd_disable, "enable": cmd_enable,
               "reset-password": cmd_reset, "audit": cmd_audit}[args.command]
    try:
        return command(args, db, actor)
    except store.UserError as refusal:
        print(f"未执行 refused: {refusal.zh} / {refusal.en}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
