"""Read one export file into a staging table of raw text, one column per field.

- `headers`: the record type (from `--type` or the file name) and the header row
- `encodings`: a CSV file's encoding, and a UTF-8 copy for DuckDB's reader
- `lines`: records and line endings as Excel counts them
- `csv_staging`: a CSV file through DuckDB's reader, malformed rows kept or recovered
- `sheets`: XLSX (and XLS/ODS), the first sheet through python-calamine
- `staged`: what staging gives the loader (`StagedFile`), the file's digest

The staged view has `_row` (the row number a clerk sees in Excel) and, per declared column,
its raw text (VARCHAR, NULL where the file lacks it), whether its cleaned text is non-empty
(`n_<name>`) and its typed value (`t_<name>`): cells are cleaned and typed as they are read.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from etl.errors import FileRefused
from etl.readers.csv_staging import stage_csv
from etl.readers.encodings import detect_encoding
from etl.readers.headers import HEADER_SCAN_ROWS, detect_type, find_header, fold_name, header_key, type_from_name
from etl.readers.sheets import cell_text, excel_error_cells, stage_sheet
from etl.readers.staged import CSV_SUFFIXES, SHEET_SUFFIXES, MalformedRow, StagedFile, file_digest
from warehouse.record_types import RecordType

__all__ = ["CSV_SUFFIXES", "HEADER_SCAN_ROWS", "SHEET_SUFFIXES", "MalformedRow", "StagedFile", "cell_text",
           "detect_encoding", "detect_type", "excel_error_cells", "file_digest", "find_header", "fold_name",
           "header_key", "stage_csv", "stage_file", "stage_sheet", "type_from_name"]


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, rt: RecordType, table: str,
               workdir: Path, name: str, salt: str = "") -> StagedFile:
    """Stage one file; PII cells are hashed with `salt` (see etl.pii) as they are read."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileRefused(name, f"找不到文件：{name}", f"file not found: {name}")
    if suffix in SHEET_SUFFIXES:
        return stage_sheet(con, path, rt, table, name, salt)
    if suffix in CSV_SUFFIXES:
        return stage_csv(con, path, rt, table, workdir, name, salt)
    raise FileRefused(
        name, f"{name}：不支持的文件格式 {suffix or '(无扩展名)'}（支持 CSV、XLSX）",
        f"{name}: unsupported file format {suffix or '(no extension)'} (CSV and XLSX are accepted)",
    )
