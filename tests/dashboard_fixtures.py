"""A small demo warehouse for dashboard tests, built once per test session.

Page, query and browser tests use the same fictional city as the demo, at a
small scale, with `today` pinned so periods and figures are stable. Use it
from a test module with:

    from tests.dashboard_fixtures import demo_db  # noqa: F401  (the fixture)

Callbacks and layouts answer a signed-in user only. Tests that call them as
functions run as someone: `pytestmark = pytest.mark.usefixtures("as_admin")`,
or `with acting_as(make_user("unit", "YL0003")):` for one block
(`tests/conftest.py`). Tests through the web server use `tests/auth_fixtures.py`:
an account per role, a signed-in `requests` session or Playwright context.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest

TODAY = dt.date(2026, 11, 23)
SCALE = 6000
# Loads, sign-ins and downloads are stamped with the real clock, not the pinned TODAY:
# a view of the load log, the quarantine or the audit log takes a period that holds both.
LOG_PERIOD = (f"period=custom&start={TODAY.year}-01-01"
              f"&end={max(TODAY, dt.date.today()) + dt.timedelta(days=1)}")


def build_demo_warehouse(path, scale: int = SCALE, today: dt.date = TODAY):
    from etl.demo import generate_exports
    from etl.loader import load_batch

    exports = path.parent / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    files = generate_exports(exports, seed=7, scale=scale, today=today)
    load_batch(path, files, user="test", meta={"demo": "true"})
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """Path of the session's demo warehouse; the query layer points at it, today is pinned."""
    from dashboard.queries import db

    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_demo_warehouse(path)
    os.environ["TPD_TODAY"] = TODAY.isoformat()
    os.environ["TPD_DB"] = str(path)
    db.configure(path)
    return path
