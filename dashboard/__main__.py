"""`python -m dashboard --db PATH [--host H] [--port P]`: serve the dashboard."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from warehouse.config import default_db_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="旅游警务数据看板")
    parser.add_argument("--db", type=Path, default=None)
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
    from dashboard.app import create_app

    app = create_app(db)
    from dashboard.exports.renderer import warm_up
    warm_up()   # the export browser starts now, so the first chart download does not wait for it
    print(f"旅游警务数据看板 → http://{args.host}:{args.port}/", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
