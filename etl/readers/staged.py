"""What staging a file gives the loader (`StagedFile`, its `MalformedRow`s) and the file's digest.

The digest is computed on a small thread pool (`SCANNER`) while DuckDB reads,
since hashlib releases the GIL; the CSV stage scans for blank lines on it too.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.record_types import RecordType

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass
class MalformedRow:
    row: int
    raw_line: str
    message_zh: str
    message_en: str


@dataclass
class StagedFile:
    path: Path
    name: str
    rt: RecordType
    table: str
    file_format: str
    encoding: str
    sha256: str
    size_bytes: int
    header_row: int
    present: dict[str, str]                 # field name -> header text in the file
    extra_columns: list[str]
    malformed: list[MalformedRow] = field(default_factory=list)



SCANNER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tpd-scan")


def file_digest_later(path: Path) -> Future:
    """The file's SHA-256, computed on a thread while DuckDB reads (hashlib releases the GIL)."""
    return SCANNER.submit(file_digest, path)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
