#!/usr/bin/env bash
# Set up ./.venv with the pinned dependencies; with --system also the Debian
# packages the tests and exports need (Chromium, CJK fonts; poppler-utils, whose
# pdftotext the briefing test reads its PDF with; PostgreSQL, Redis and nginx for
# the several-node tests), installed when missing, and PostgreSQL and Redis
# started when they are not answering (scripts/services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
[ "${1:-}" = "--system" ] && want_system=1

if [ "$want_system" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # grep reads all of fc-list's output: with -q it would stop early, fc-list would die of SIGPIPE
  # and, under pipefail, the fonts would count as missing.
  fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "安装系统依赖 installing system packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "缺少系统依赖，请以 root 安装 / missing system packages, install as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  scripts/services.sh
fi

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then
    python="$candidate"; break
  fi
done
[ -n "$python" ] || { echo "需要 Python 3.11+ / Python 3.11 or newer is required" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "安装 Python 依赖 installing Python dependencies into .venv …"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$wanted" > "$stamp"
fi
