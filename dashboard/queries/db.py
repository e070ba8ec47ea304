"""The dashboard's access to the warehouse: read-only, cached, version-aware.

`configure(path)` points the process at a warehouse file (once, at start).
`frame(sql, params)` runs parameterised SQL on a fresh cursor and returns a
DataFrame; results are cached on (warehouse version, SQL, parameters), so a
newly published warehouse is never answered from an older one's cache.
Callers treat returned frames as read-only (they get a copy).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd

from warehouse.connection import Warehouse

_CACHE_SIZE = 1024
_state: dict = {"warehouse": None}
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def configure(path: Path | str) -> None:
    _state["warehouse"] = Warehouse(path)
    clear_cache()


def warehouse() -> Warehouse:
    if _state["warehouse"] is None:
        from warehouse.config import default_db_path
        configure(default_db_path())
    return _state["warehouse"]


def version() -> str:
    return warehouse().version()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _freeze(params: dict | None) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in (params or {}).items()))


def cached(key_parts: tuple, compute):
    """Memoise compute() under the current warehouse version and `key_parts`."""
    key = (version(), key_parts)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def frame(sql: str, params: dict | None = None) -> pd.DataFrame:
    def run():
        cur = warehouse().cursor()
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()
    return cached(("frame", sql, _freeze(params)), run).copy()


def rows(sql: str, params: dict | None = None) -> list[tuple]:
    def run():
        cur = warehouse().cursor()
        try:
            return cur.execute(sql, params or {}).fetchall()
        finally:
            cur.close()
    return list(cached(("rows", sql, _freeze(params)), run))


def with_cursor(key_parts: tuple, fn):
    """Cache fn(cursor) — for callers like the metrics engine that run several statements."""
    def run():
        cur = warehouse().cursor()
        try:
            return fn(cur)
        finally:
            cur.close()
    return cached(key_parts, run)


def warm_up() -> None:
    """Read what the pages read once, before anyone asks.

    A freshly opened warehouse answers its first queries from disk; on a large one
    that makes the first page of the day several times slower than the next. Every
    catalog metric over the last two years touches the columns the pages use.
    """
    import datetime as dt

    from dashboard.clock import today
    from dashboard.queries.filters import Filters, Scope
    from dashboard.queries.metrics import compute

    end = today()
    cur = warehouse().cursor()
    try:
        compute(cur, Filters(end - dt.timedelta(days=730), end), Scope.city())
    finally:
        cur.close()


def warm_up_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="tpd-warm-up", daemon=True)
    thread.start()
    return thread
