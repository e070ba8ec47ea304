"""The dashboard's access to the warehouse: read-only, cached, version-aware.

`configure(path)` points the process at a warehouse file (once, at start).
`frame(sql, params)` runs parameterised SQL on a fresh cursor and returns a
DataFrame; results are cached on (warehouse version, SQL, parameters), so a
newly published warehouse is never answered from an older one's cache.
Callers treat returned frames as read-only (they get a copy).

Snapshots: `pinned()` holds one published version for a block (the web app
pins one per HTTP request, see dashboard.app), so every query of a request,
including those run concurrently on other threads, reads the same batch
boundary even when a load publishes meanwhile. Outside a pin, each cached
computation pins its own.

The cache is this process's own (an LRU of Python objects: frames, figures,
components), keyed by version. When a newer version is opened the old
entries are dropped at once; a request still pinned to an older version
computes its answers without caching them. Under gunicorn each worker has its
own cache: see the README (Serving) for why it is not shared.
"""
from __future__ import annotations

import contextvars
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from warehouse.connection import Snapshot, Warehouse

_CACHE_SIZE = int(os.environ.get("TPD_CACHE_ENTRIES", "1024"))
_state: dict = {"warehouse": None, "cache_version": None}
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
_pinned: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar("tpd_snapshot", default=None)


def configure(path: Path | str) -> None:
    _state["warehouse"] = Warehouse(path)
    clear_cache()


def warehouse() -> Warehouse:
    if _state["warehouse"] is None:
        from warehouse.config import default_db_path
        configure(default_db_path())
    return _state["warehouse"]


def snapshot() -> Snapshot:
    """The pinned snapshot, or the published version as it is now."""
    return _pinned.get() or warehouse().snapshot()


def version() -> str:
    pinned = _pinned.get()
    return pinned.version if pinned is not None else warehouse().version()


@contextmanager
def pinned() -> Iterator[Snapshot]:
    """Answer every query in the block (and in threads started with its context) from one version."""
    current = _pinned.get()
    if current is not None:
        yield current
        return
    token = _pinned.set(warehouse().snapshot())
    try:
        yield _pinned.get()
    finally:
        _pinned.reset(token)


def pin() -> contextvars.Token:
    """Pin the current version until `unpin(token)` (for request hooks that cannot use `with`)."""
    return _pinned.set(warehouse().snapshot())


def unpin(token: contextvars.Token) -> None:
    _pinned.reset(token)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _state["cache_version"] = None


def _freeze(params: dict | None) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in (params or {}).items()))


def cached(key_parts: tuple, compute):
    """Memoise compute() under the pinned warehouse version and `key_parts`."""
    with pinned() as snap:
        key = (snap.version, key_parts)
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        value = compute()
        with _cache_lock:
            if _state["cache_version"] != snap.version:
                if snap.version != warehouse().latest_version():
                    return value  # a request pinned to a replaced version: answer, keep nothing
                _cache.clear()  # a new version is published: the old answers go at once
                _state["cache_version"] = snap.version
            _cache[key] = value
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return value


def _run(fn):
    cur = snapshot().cursor()
    try:
        return fn(cur)
    finally:
        cur.close()


def frame(sql: str, params: dict | None = None) -> pd.DataFrame:
    return cached(("frame", sql, _freeze(params)),
                  lambda: _run(lambda cur: cur.execute(sql, params or {}).df())).copy()


def rows(sql: str, params: dict | None = None) -> list[tuple]:
    return list(cached(("rows", sql, _freeze(params)),
                       lambda: _run(lambda cur: cur.execute(sql, params or {}).fetchall())))


def with_cursor(key_parts: tuple, fn):
    """Cache fn(cursor) — for callers like the metrics engine that run several statements."""
    return cached(key_parts, lambda: _run(fn))


def warm_up() -> None:
    """Read what the pages read once, before anyone asks.

    A freshly opened warehouse answers its first queries from disk; on a large one
    that makes the first page of the day several times slower than the next. Every
    catalog metric over the last two years touches the columns the pages use.
    """
    import datetime as dt

    from dashboard.clock import today
    from dashboard.model.filters import Filters, Scope
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
