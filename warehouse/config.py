"""Where the warehouse lives and how big each reader may get.

The default warehouse file is `data/warehouse.duckdb` under the repository;
`TPD_DB` overrides it. The users database (accounts and the audit log) lives
beside it as `<warehouse>.users.sqlite3`, never inside it, because every load
replaces the warehouse file; `TPD_USERS_DB` overrides that, and `TPD_USERS_URL`
(`postgresql://…`, for several web nodes) puts them in PostgreSQL instead.

Reader limits: every web worker is a process with its own DuckDB instance, and
DuckDB's defaults (all cores, 80 % of memory) are each sized for a machine of
its own. Unless `TPD_DUCKDB_THREADS` / `TPD_DUCKDB_MEMORY` say otherwise, a
reader gets its share of the machine: the cores divided by the number of web
worker processes (`TPD_WEB_WORKERS`, which gunicorn.conf.py sets; 1 for
`python -m dashboard`), at least one thread, and `READER_MEMORY_SHARE` of the
memory (the cgroup's limit when lower than the RAM) divided the same way. The
rest stays for the Python heaps, the query caches and a load running beside.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
READER_MEMORY_SHARE = 0.5


def default_db_path() -> Path:
    return Path(os.environ.get("TPD_DB", REPO_ROOT / "data" / "warehouse.duckdb"))


def default_users_db_path(warehouse: Path | str | None = None) -> Path | str:
    """`TPD_USERS_URL` (a PostgreSQL URL, as text), else `TPD_USERS_DB`, else `<warehouse stem>.users.sqlite3`
    beside the warehouse."""
    if url := os.environ.get("TPD_USERS_URL"):
        return url
    if env := os.environ.get("TPD_USERS_DB"):
        return Path(env)
    db = Path(warehouse) if warehouse is not None else default_db_path()
    return db.parent / f"{db.stem}.users.sqlite3"


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def total_memory_bytes() -> int:
    """Physical memory, or the cgroup (v2 or v1) limit of this process when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def web_workers() -> int:
    try:
        return max(1, int(os.environ.get("TPD_WEB_WORKERS", "1")))
    except ValueError:
        return 1


def reader_limits(workers: int | None = None) -> tuple[int, int]:
    """(threads, memory MiB) each reader process may use by default."""
    workers = workers or web_workers()
    threads = max(1, cpu_count() // workers)
    memory_mib = max(256, int(total_memory_bytes() * READER_MEMORY_SHARE / workers) >> 20)
    return threads, memory_mib


def reader_config() -> dict[str, str]:
    threads, memory_mib = reader_limits()
    return {
        "access_mode": "READ_ONLY",
        "threads": os.environ.get("TPD_DUCKDB_THREADS") or str(threads),
        "memory_limit": os.environ.get("TPD_DUCKDB_MEMORY") or f"{memory_mib}MiB",
    }
