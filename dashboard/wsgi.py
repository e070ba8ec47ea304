"""The WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`.

The warehouse is `TPD_DB` (default `data/warehouse.duckdb`), the users
database `TPD_USERS_DB` (default beside the warehouse). Importing this module
builds the Dash app and opens no DuckDB connection, so it is safe to import
before or after gunicorn forks its workers (see gunicorn.conf.py). It refuses
to serve a warehouse nobody can sign in to: ./serve.sh adds the demo
administrator to a demo warehouse first, as `python -m dashboard` does; a real
warehouse needs `python -m dashboard.users add <name> --role admin`.
"""
from __future__ import annotations

from dashboard.app import create_app
from dashboard.auth import store
from warehouse.config import default_db_path, default_users_db_path
from warehouse.connection import WarehouseMissing

_db = default_db_path()
if not _db.exists():
    raise WarehouseMissing(_db)
_users_db = default_users_db_path(_db)
if not store.count(_users_db):
    raise SystemExit(
        f"还没有任何用户，看板不会启动：请先运行 python -m dashboard.users --db {_db} add <用户名> --role admin\n"
        f"no users yet, the dashboard will not start: run python -m dashboard.users --db {_db} add <name> --role admin")

app = create_app(_db, _users_db)
server = app.server
