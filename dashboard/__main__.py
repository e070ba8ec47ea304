"""`python -m dashboard --db PATH [--host H] [--port P]`: serve the dashboard.

`python -m dashboard warm [--db PATH] [--seconds N]`: compute the default views
into the shared answers now (dashboard.warm; a serving node does it by itself
after each publish) and print what was computed.

Every page needs a signed-in user. On a demo warehouse with no users yet,
the first start creates the demo administrator `admin` with a one-time
password and prints it (it must be changed at the first sign-in). A real
warehouse never gets a default account: with no users the command refuses
to start and says how to add one.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from warehouse import facts, users_store
from warehouse.config import default_db_path, default_users_db_path

DEMO_ADMIN = "admin"


def ensure_users(db: Path, users_db: Path) -> bool:
    """True when someone can sign in; creates the demo admin on a demo warehouse without users."""
    from dashboard.auth import passwords, store
    from warehouse import users_store

    if store.count(users_db):
        return True
    if not facts.is_demo(db):
        print(f"还没有任何用户，看板不会以默认密码启动。请先添加管理员：\n"
              f"  python -m dashboard.users --db {db} add <用户名> --role admin\n"
              f"No users yet, and a real warehouse never gets a default password. Add an administrator first:\n"
              f"  python -m dashboard.users --db {db} add <name> --role admin", file=sys.stderr)
        return False
    password = passwords.generate_password()
    store.add(DEMO_ADMIN, "admin", password=password, display_name="演示管理员", must_change=True,
              actor="demo-setup:" + users_store.os_actor(), db=users_db)
    bar = "=" * 64
    print(f"{bar}\n演示数据：已创建演示管理员 / demo data: created the demo administrator\n"
          f"  用户名 user: {DEMO_ADMIN}\n  一次性密码 one-time password: {password}\n"
          f"首次登录后须修改密码；忘记时 / it must be changed at the first sign-in; if lost:\n"
          f"  python -m dashboard.users --db {db} reset-password {DEMO_ADMIN}\n{bar}", file=sys.stderr)
    return True


def request_handler():
    """Werkzeug's handler without its `Server: Werkzeug/… Python/…` banner."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def send_response(self, code, message=None):
            self.log_request(code)
            self.send_response_only(code, message)
            self.send_header("Date", self.date_time_string())

    return QuietHandler


def warm_command(argv) -> int:
    import json

    parser = argparse.ArgumentParser(prog="python -m dashboard warm",
                                     description="预热共享答案 / compute the default views into the shared answers")
    parser.add_argument("--db", type=Path, default=None, help="the warehouse (default: $TPD_DB)")
    parser.add_argument("--users-db", type=users_store.location, default=None,
                        help="whose units to warm: a SQLite file or a postgresql:// URL (default as when serving)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="time budget (default: $TPD_WARM_SECONDS, else 600)")
    args = parser.parse_args(argv)
    db = args.db or default_db_path()
    if not db.exists():
        print(f"数据仓库文件不存在：{db} / warehouse not found: {db}", file=sys.stderr)
        return 2
    os.environ["TPD_DB"] = str(db)
    from dashboard import warm
    from dashboard.app import create_app

    app = create_app(db, args.users_db or default_users_db_path(db))
    done = warm.run_by_hand(app, args.seconds)
    print(json.dumps(done.as_dict(), ensure_ascii=False, indent=2))
    return 0 if done.outcome == "warmed" else 1


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["warm"]:
        return warm_command(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="旅游警务数据看板")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--users-db", type=users_store.location, default=None,
                        help="users and audit log: a SQLite file or a postgresql:// URL (default: $TPD_USERS_URL, else $TPD_USERS_DB, else beside the warehouse)")
    parser.add_argument("--host", default=os.environ.get("TPD_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TPD_PORT", "8050")))
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    db = args.db or default_db_path()
    if not db.exists():
        print(f"数据仓库文件不存在：{db}（先运行 python -m etl demo --db {db}）/ "
              f"warehouse not found: {db} (run `python -m etl demo --db {db}` first)", file=sys.stderr)
        return 2
    os.environ["TPD_DB"] = str(db)
    users_db = args.users_db or default_users_db_path(db)
    if not ensure_users(db, users_db):
        return 2
    from dashboard.app import create_app

    app = create_app(db, users_db)
    from dashboard.exports.renderer import warm_up as start_export_browser
    from dashboard.queries.db import warm_up_in_background
    warm_up_in_background()
    from dashboard.warm import start_warming
    start_warming(app)       # the default views into the shared answers, now and after each publish
    start_export_browser()   # the export browser starts now, so the first chart download does not wait for it
    print(f"旅游警务数据看板 → http://{args.host}:{args.port}/", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=args.debug, request_handler=request_handler())
    return 0


if __name__ == "__main__":
    sys.exit(main())
