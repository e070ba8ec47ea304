"""What the command lines ask of a warehouse file before they start: its unit codes, whether it is a demo.

Each opens its own read-only connection (`connect_reader`) and closes it: the
callers run once, outside the dashboard's per-request snapshots.
"""
from __future__ import annotations

from pathlib import Path

from warehouse.connection import connect_reader


def unit_codes(path: Path) -> set[str] | None:
    """Every unit code in the warehouse at `path`; None when there is no warehouse there (yet)."""
    if not Path(path).exists():
        return None
    con = connect_reader(path)
    try:
        return {row[0] for row in con.execute("select unit_code from units").fetchall()}
    finally:
        con.close()


def is_demo(path: Path) -> bool:
    """Whether the warehouse at `path` holds generated demo data (`python -m etl demo` marks it so)."""
    con = connect_reader(path)
    try:
        found = con.execute("select value from meta where key = 'demo'").fetchall()
    finally:
        con.close()
    return bool(found) and found[0][0] == "true"
