"""The WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`.

The warehouse is `TPD_DB` (default `data/warehouse.duckdb`). Importing this
module builds the Dash app and opens no DuckDB connection, so it is safe to
import before or after gunicorn forks its workers (see gunicorn.conf.py).
"""
from __future__ import annotations

from dashboard.app import create_app
from warehouse.config import default_db_path
from warehouse.connection import WarehouseMissing

_db = default_db_path()
if not _db.exists():
    raise WarehouseMissing(_db)

app = create_app(_db)
server = app.server
