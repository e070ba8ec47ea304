#!/usr/bin/env bash
# Start the services the several-node tests use, when they are not answering:
#   PostgreSQL on 127.0.0.1:5432, a superuser role named for this account and its
#   databases (`test` and its own), loopback connections without a password (trust);
#   Redis on 127.0.0.1:6379, in memory only.
# nginx is not started here: each test starts its own with a config in a temporary directory.
# scripts/setup.sh --system installs the Debian packages (postgresql, redis-server, nginx) first
# and then runs this. Quick when everything answers: two probes, nothing started.
set -euo pipefail

# The ports and the cluster's name can be changed for a trial of this script beside the real ones.
PG_HOST=127.0.0.1 PG_PORT=${PG_PORT:-5432} PG_CLUSTER=${PG_CLUSTER:-main} REDIS_PORT=${REDIS_PORT:-6379}
me=$(id -un)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    echo "需要 root 权限来启动服务 / root is needed to start the services: $*" >&2
    exit 1
  fi
}

as_postgres() {  # a shell command run as the postgres account (peer authentication on its socket)
  as_root su postgres -s /bin/sh -c "export PGPORT=$PG_PORT; $1"
}

pg_answers() {
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$me" -d test -w -Atqc 'select 1' >/dev/null 2>&1
}

start_postgresql() {
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version $PG_CLUSTER" \
      || as_root pg_createcluster --port "$PG_PORT" "$version" "$PG_CLUSTER" >/dev/null
    echo "启动 PostgreSQL $version / starting PostgreSQL $version ($PG_CLUSTER, port $PG_PORT)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start
    for _ in $(seq 50); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 0.2; done
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { echo "PostgreSQL 未能启动 / PostgreSQL did not start" >&2; exit 1; }
  fi
  pg_answers && return 0
  # A fresh cluster: a superuser role for this account, its databases, and loopback trust.
  as_postgres "psql -Atqc \"select 1 from pg_roles where rolname = '$me'\" | grep -q 1 || createuser --superuser '$me'"
  for database in test "$me"; do
    as_postgres "psql -Atqc \"select 1 from pg_database where datname = '$database'\" | grep -q 1 || createdb --owner '$me' '$database'"
  done
  if ! pg_answers; then
    local hba
    hba=$(as_postgres "psql -Atqc 'show hba_file'")
    echo "PostgreSQL：本机回环连接免密码（$hba）/ PostgreSQL: loopback connections trusted ($hba)"
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    as_postgres "psql -Atqc 'select pg_reload_conf()'" >/dev/null
    sleep 0.2
  fi
  pg_answers || { echo "无法连接 PostgreSQL / cannot connect to PostgreSQL as $me on $PG_HOST:$PG_PORT" >&2; exit 1; }
}

start_redis() {
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
  echo "启动 Redis / starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  echo "Redis 未能启动 / Redis did not start" >&2
  exit 1
}

start_postgresql
start_redis
