#!/usr/bin/env bash
# Serve the dashboard for real: gunicorn, several workers, settings in gunicorn.conf.py.
# Usage: TPD_DB=/srv/tpd/warehouse.duckdb ./serve.sh [extra gunicorn options]
#   TPD_BIND=0.0.0.0:8050  TPD_WEB_WORKERS=4  TPD_WEB_THREADS=4  (see gunicorn.conf.py)
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export TPD_DB="${TPD_DB:-$PWD/data/warehouse.duckdb}"
if [ ! -f "$TPD_DB" ]; then
  echo "数据仓库文件不存在：$TPD_DB（请先用 .venv/bin/python -m etl load --db $TPD_DB 导入导出文件，或运行 ./run.sh 生成演示数据）" >&2
  echo "warehouse not found: $TPD_DB (load exports with .venv/bin/python -m etl load --db $TPD_DB, or build the demo with ./run.sh)" >&2
  exit 2
fi
# Someone must be able to sign in: a demo warehouse gets its demo administrator (the one-time
# password is printed), a real one needs `python -m dashboard.users add <name> --role admin`.
.venv/bin/python -c 'import sys; from pathlib import Path
from dashboard.__main__ import ensure_users
from warehouse.config import default_users_db_path
db = Path(sys.argv[1]); sys.exit(0 if ensure_users(db, default_users_db_path(db)) else 2)' "$TPD_DB"
# The scheduler (subscribed 周报 and alerts) runs beside the web server: with several nodes each may
# start one, only the holder of the users store's lease works (README, "Subscriptions and the
# scheduler"). TPD_SCHEDULER=off leaves it out (run `python -m dashboard.scheduler` elsewhere).
if [ "${TPD_SCHEDULER:-on}" = "off" ]; then
  exec .venv/bin/gunicorn -c gunicorn.conf.py "$@" dashboard.wsgi:server
fi
.venv/bin/python -m dashboard.scheduler --db "$TPD_DB" &
scheduler=$!
.venv/bin/gunicorn -c gunicorn.conf.py "$@" dashboard.wsgi:server &
web=$!
trap 'kill -TERM "$web" 2>/dev/null || true' TERM INT
status=0
wait "$web" || status=$?
if kill -0 "$web" 2>/dev/null; then   # a signal ended the wait: let gunicorn finish its shutdown
  wait "$web" || status=$?
fi
kill -TERM "$scheduler" 2>/dev/null || true
wait "$scheduler" 2>/dev/null || true
exit "$status"
