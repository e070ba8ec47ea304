"""The warehouse schema: one typed table per record type plus the bookkeeping.

Typed tables carry the declared columns and `_batch_id` (the batch that last
wrote the row). Bookkeeping: `meta` (demo flag, last batch), `load_log` and
`load_files` (one row per batch and per file), `quarantine` (one row per
rejected value, with the whole raw row), `history` (the previous version of
every updated row). `ensure_schema` is idempotent, so a copy made by an older
version gains new tables and new columns (null in the rows it holds) on its next load, and a column whose declared type
changed (coordinates from 4 to 6 decimals, amounts to the fen) takes the new
type; values already stored keep the digits they had.
"""
from __future__ import annotations

import duckdb

from warehouse.record_types import RECORD_TYPES, RecordType

SCHEMA_VERSION = "2"

BOOKKEEPING = """
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists load_log (
    batch_id varchar, started_at timestamp, finished_at timestamp,
    user_name varchar, host varchar, status varchar, files integer,
    rows bigint, loaded bigint, updated bigint, unchanged bigint,
    quarantined bigint, message varchar
);
create table if not exists load_files (
    batch_id varchar, file_name varchar, file_path varchar, record_type varchar,
    sha256 varchar, size_bytes bigint, file_format varchar, encoding varchar,
    rows bigint, loaded bigint, updated bigint, unchanged bigint,
    quarantined bigint, extra_columns varchar[], message varchar
);
create table if not exists quarantine (
    batch_id varchar, file_name varchar, record_type varchar,
    row_number bigint, column_name varchar, raw_value varchar, reason varchar,
    message_zh varchar, message_en varchar, raw_record varchar
);
create table if not exists history (
    batch_id varchar, record_type varchar, record_key varchar,
    old_record varchar, replaced_at timestamp
);
"""


def table_ddl(rt: RecordType) -> str:
    cols = ",\n    ".join(f"{c.name} {c.sql_type}" for c in rt.columns)
    return f"create table if not exists {rt.table} (\n    {cols},\n    _batch_id varchar\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection, *, elsewhere: tuple[str, ...] = ()) -> None:
    """`elsewhere`: record tables this file does not hold (a partitioned warehouse's core:
    warehouse.partitions)."""
    con.execute(BOOKKEEPING)
    for rt in RECORD_TYPES:
        if rt.table not in elsewhere:
            con.execute(table_ddl(rt))
    existing = {(t, c): d for t, c, d in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and not internal").fetchall()}
    for rt in RECORD_TYPES:
        if rt.table in elsewhere:
            continue
        for col in rt.columns:
            if (rt.table, col.name) not in existing:   # a column the contract added (coordinates of posts)
                con.execute(f"alter table {rt.table} add column {col.name} {col.sql_type}")
            elif existing[(rt.table, col.name)] != col.sql_type:
                con.execute(f"alter table {rt.table} alter column {col.name} set data type {col.sql_type}")
    con.execute(
        "insert or replace into meta values ('schema_version', $v)", {"v": SCHEMA_VERSION}
    )


def align_types(con: duckdb.DuckDBPyConnection, rt: RecordType, catalog: str) -> None:
    """Give `rt`'s table in the attached `catalog` (a partition being written) the declared columns
    and column types, as `ensure_schema` does for the tables of the file it opens."""
    existing = dict(con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = $c and schema_name = 'main' "
        "and table_name = $t", {"c": catalog, "t": rt.table}).fetchall())
    for col in rt.columns:
        if col.name not in existing:   # a partition written before the contract added the column
            con.execute(f"alter table {catalog}.main.{rt.table} add column {col.name} {col.sql_type}")
        elif existing[col.name] != col.sql_type:
            con.execute(f"alter table {catalog}.main.{rt.table} alter column {col.name} set data type {col.sql_type}")
