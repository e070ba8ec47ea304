#!/usr/bin/env bash
# Set up, build the demo warehouse if there is none, and serve the dashboard.
# Usage: ./run.sh [--port 8050] [--host 127.0.0.1]
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export TPD_DB="${TPD_DB:-$PWD/data/warehouse.duckdb}"
if [ ! -f "$TPD_DB" ]; then
  echo "首次运行：生成演示数据仓库 first run: building the demo warehouse at $TPD_DB …"
  .venv/bin/python -m etl demo --db "$TPD_DB"
fi
exec .venv/bin/python -m dashboard --db "$TPD_DB" "$@"
