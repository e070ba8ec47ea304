"""Where the warehouse lives and how big each reader may get.

The default warehouse file is `data/warehouse.duckdb` under the repository;
`TPD_DB` overrides it. The users database (accounts and the audit log) lives
beside it as `<warehouse>.users.sqlite3`, never inside it, because every load
replaces the warehouse file; `TPD_USERS_DB` overrides that. Reader limits (`TPD_DUCKDB_THREADS`,
`TPD_DUCKDB_MEMORY`) let several web workers share one machine.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_db_path() -> Path:
    return Path(os.environ.get("TPD_DB", REPO_ROOT / "data" / "warehouse.duckdb"))


def default_users_db_path(warehouse: Path | str | None = None) -> Path:
    """`TPD_USERS_DB`, else `<warehouse stem>.users.sqlite3` beside the warehouse."""
    if env := os.environ.get("TPD_USERS_DB"):
        return Path(env)
    db = Path(warehouse) if warehouse is not None else default_db_path()
    return db.parent / f"{db.stem}.users.sqlite3"


def reader_config() -> dict[str, str]:
    config = {"access_mode": "READ_ONLY"}
    if threads := os.environ.get("TPD_DUCKDB_THREADS"):
        config["threads"] = threads
    if memory := os.environ.get("TPD_DUCKDB_MEMORY"):
        config["memory_limit"] = memory
    return config
