"""Where the warehouse lives and how big each reader may get.

The default warehouse file is `data/warehouse.duckdb` under the repository;
`TPD_DB` overrides it. Reader limits (`TPD_DUCKDB_THREADS`,
`TPD_DUCKDB_MEMORY`) let several web workers share one machine.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_db_path() -> Path:
    return Path(os.environ.get("TPD_DB", REPO_ROOT / "data" / "warehouse.duckdb"))


def reader_config() -> dict[str, str]:
    config = {"access_mode": "READ_ONLY"}
    if threads := os.environ.get("TPD_DUCKDB_THREADS"):
        config["threads"] = threads
    if memory := os.environ.get("TPD_DUCKDB_MEMORY"):
        config["memory_limit"] = memory
    return config
