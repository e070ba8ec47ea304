"""`python -m dashboard.users add|list|disable|enable|reset-password`: manage the dashboard's users.

    python -m dashboard.users add wang --role leader --name 王局
    python -m dashboard.users add li --role unit --unit YL0003
    python -m dashboard.users list [--json]
    python -m dashboard.users disable li
    python -m dashboard.users enable li
    python -m dashboard.users reset-password li

`add` and `reset-password` print a generated one-time password (the user
must change it at the first sign-in) unless `--password-stdin` reads one
from standard input. Users live in the users database (`--users-db`, else
`TPD_USERS_DB`, else beside the warehouse `--db` / `TPD_DB`); a unit code is
checked against the warehouse when there is one. Every change is audited
with the operating-system account that ran the command.
Exit status: 0 done, 2 refused (unknown role, user exists, no such user …).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard.auth import passwords, roles, store
from warehouse import usersdb
from warehouse.config import default_db_path, default_users_db_path

EXIT_REFUSED = 2


def _known_units(warehouse: Path) -> set[str] | None:
    if not warehouse.exists():
        return None
    from warehouse.connection import connect_reader
    con = connect_reader(warehouse)
    try:
        return {row[0] for row in con.execute("select unit_code from units").fetchall()}
    finally:
        con.close()


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
                     known_units=_known_units(args.db), db=db)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.users", description="旅游警务数据看板用户管理 user administration")
    parser.add_argument("--db", type=Path, default=None,
                        help="the warehouse (default: $TPD_DB or data/warehouse.duckdb)")
    parser.add_argument("--users-db", type=Path, default=None,
                        help="the users database (default: $TPD_USERS_DB, else beside the warehouse)")
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
    for p in (add, reset):
        p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        p.add_argument("--no-change", action="store_true",
                       help="with --password-stdin: the user need not change it at the first sign-in")
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    db = args.users_db or default_users_db_path(args.db)
    actor = "cli:" + usersdb.os_actor()
    command = {"add": cmd_add, "list": cmd_list, "disable": cmd_disable, "enable": cmd_enable,
               "reset-password": cmd_reset}[args.command]
    try:
        return command(args, db, actor)
    except store.UserError as refusal:
        print(f"未执行 refused: {refusal.zh} / {refusal.en}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
