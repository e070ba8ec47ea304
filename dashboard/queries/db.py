"""The dashboard's access to the warehouse: read-only, cached, version-aware.

`configure(path)` points the process at a warehouse file (once, at start).
`frame(sql, params)` runs parameterised SQL on a cursor of its own and returns a
DataFrame; results are cached on (warehouse version, SQL, parameters), so a
newly published warehouse is never answered from an older one's cache.
Callers treat returned frames as read-only (they get a copy).

Snapshots: `pinned()` holds one published version for a block (the web app
pins one per HTTP request, see dashboard.app), so every query of a request,
including those run concurrently on other threads, reads the same batch
boundary even when a load publishes meanwhile. Outside a pin, each cached
computation pins its own.

Caches by purpose: `QUERIES` here holds query results only; the layers above
keep their own, named, in a `VersionedCache` each (callback answers in
dashboard.components.cached, export charts in dashboard.exports.charts,
briefings in dashboard.briefing.compose). Each is this process's own LRU of
Python objects of `TPD_CACHE_ENTRIES` entries, keyed by version. When a newer
version is opened a cache's old entries are dropped at once; a request still
pinned to an older version computes its answers without caching them. Under
gunicorn each worker has its own caches: see the README (Serving) for why they
are not shared. Within a process a key is computed once at a time: a thread asking
for a key that another is computing waits for its answer (single flight; a
thread of the query pool computes it itself rather than wait, as the other may
be waiting for the pool). `clear_cache()` empties every named cache (a new warehouse,
or a test that wants this process to forget).
"""
from __future__ import annotations

import contextvars
import functools
import os
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from warehouse.connection import Snapshot, Warehouse

CACHE_ENTRIES = int(os.environ.get("TPD_CACHE_ENTRIES", "1024"))
_state: dict = {"warehouse": None}
_pinned: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar("tpd_snapshot", default=None)


_opened_listeners: list = []
FLIGHT_WAIT_SECONDS = 30.0
_pool_thread = threading.local()


def mark_pool_thread() -> None:
    """Run by each thread of the query pool (breakdown.concurrently) as it starts."""
    _pool_thread.active = True


def in_pool_thread() -> bool:
    return getattr(_pool_thread, "active", False)


def on_new_version(listener) -> None:
    """Call `listener(version)` whenever this process's readers open a version (the first, and each
    newly published or replicated one). It must return at once: it runs in the query's thread."""
    _opened_listeners.append(listener)


def _opened(version: str) -> None:
    for listener in list(_opened_listeners):
        listener(version)


def configure(path: Path | str) -> None:
    _state["warehouse"] = Warehouse(path, on_open=_opened)
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


class VersionedCache:
    """A named LRU of answers computed from the warehouse, keyed by the pinned version."""

    every: list[VersionedCache] = []

    def __init__(self, name: str, size: int = CACHE_ENTRIES):
        self.name, self.size = name, size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._version: str | None = None
        self._flights: dict = {}
        VersionedCache.every.append(self)

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None

    def get(self, key_parts: tuple, compute):
        """compute(), memoised under the pinned warehouse version and `key_parts`. While one thread
        computes a key, another asking for it waits for that answer (single flight): two callbacks
        of one page often run the same statement at the same moment."""
        with pinned() as snap:
            key = (snap.version, key_parts)
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
                flight = self._flights.get(key)
                leads = flight is None
                if leads:
                    flight = self._flights[key] = _Flight()
            if not leads:
                return flight.wait_for(compute)
            try:
                value = compute()
                flight.answer(value)
            finally:
                with self._lock:
                    self._flights.pop(key, None)
                flight.done.set()
            with self._lock:
                if self._version != snap.version:
                    if snap.version != warehouse().latest_version():
                        return value  # a request pinned to a replaced version: answer, keep nothing
                    self._entries.clear()  # a new version is published: the old answers go at once
                    self._version = snap.version
                self._entries[key] = value
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value


class _Flight:
    """One computation of a cache key in progress, and what it answered."""

    def __init__(self):
        self.done = threading.Event()
        self.value, self.answered = None, False

    def answer(self, value) -> None:
        self.value, self.answered = value, True

    def wait_for(self, compute):
        """The leader's answer; computed here instead when the leader failed, or took longer than
        FLIGHT_WAIT_SECONDS, or when this is a query-pool thread (the leader may be waiting for
        the pool: a pool thread never waits on another thread's statement)."""
        if in_pool_thread() or not self.done.wait(FLIGHT_WAIT_SECONDS) or not self.answered:
            return compute()
        return self.value


QUERIES = VersionedCache("query results")


def clear_cache() -> None:
    for cache in VersionedCache.every:
        cache.clear()


def _freeze(params: dict | None) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in (params or {}).items()))


def cached(key_parts: tuple, compute):
    """Memoise a query's compute() in the query cache, under the pinned version and `key_parts`."""
    return QUERIES.get(key_parts, compute)


# Each thread's idle cursors on each open snapshot, kept for its next statement: a new cursor costs
# two statements of settings (`Snapshot.cursor`). Keyed weakly by the snapshot, so a replaced
# version's cursors go with it and the replaced file is not held open by a thread that has
# stopped asking.
_idle: weakref.WeakKeyDictionary[Snapshot, threading.local] = weakref.WeakKeyDictionary()
_idle_lock = threading.Lock()


def _idle_cursors(snap: Snapshot) -> list:
    with _idle_lock:
        local = _idle.get(snap)
        if local is None:
            local = _idle[snap] = threading.local()
    if not hasattr(local, "cursors"):
        local.cursors = []
    return local.cursors


def _run(fn):
    """fn(cursor) on one of this thread's idle cursors of the snapshot (a new one if none is idle:
    a statement run while another's result is still being read gets its own)."""
    snap = snapshot()
    idle = _idle_cursors(snap)
    cur = idle.pop() if idle else snap.cursor()
    try:
        result = fn(cur)
    except BaseException:
        cur.close()   # an interrupted or failed statement's cursor is not handed out again
        raise
    idle.append(cur)
    return result


def kept_whole(fn):
    """A query whose frame several parts of one answer ask for (a chart and its note, a grid and the
    line under it): kept whole in the query cache under its name and arguments; each caller gets
    its own copy."""
    @functools.wraps(fn)
    def kept(*args, **kwargs) -> pd.DataFrame:
        key = (f"{fn.__module__}.{fn.__qualname__}", args, tuple(sorted(kwargs.items())))
        return cached(key, lambda: fn(*args, **kwargs)).copy()
    return kept


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
