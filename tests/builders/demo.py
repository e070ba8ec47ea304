"""The demo city the page, export and browser tests read, at a small scale with `today` pinned.

`tests.fixtures.demo.demo_db` builds it once per session with `build_demo_warehouse`;
the constants say which day it is there and which period holds its load log.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
SCALE = 6000
# Loads, sign-ins and downloads are stamped with the real clock, not the pinned TODAY:
# a view of the load log, the quarantine or the audit log takes a period that holds both.
LOG_PERIOD = (f"period=custom&start={TODAY.year}-01-01"
              f"&end={max(TODAY, dt.date.today()) + dt.timedelta(days=1)}")


def build_demo_warehouse(path: Path, scale: int = SCALE, today: dt.date = TODAY) -> Path:
    from etl.demo import generate_exports
    from etl.loader import load_batch

    exports = path.parent / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    files = generate_exports(exports, seed=7, scale=scale, today=today)
    load_batch(path, files, user="test", meta={"demo": "true"})
    return path


def a_branch(db_path: Path) -> str:
    """The first 景区分局 of the demo city: a unit with units below it."""
    import duckdb
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("select unit_code from units where unit_level = '景区分局' order by 1 limit 1").fetchone()[0]
    finally:
        con.close()
