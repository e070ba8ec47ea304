"""The partitioned warehouse: a small core file naming immutable partition files, one per table and month.

Layout (`TPD_WAREHOUSE_LAYOUT=partitioned` when a warehouse is created; a warehouse keeps the
layout it was created with, and `python -m etl partition` converts a single-file one):

  warehouse.duckdb          the core: bookkeeping (load log, quarantine, history, meta), the
                            record tables without a day (units, officers, deployments …), the
                            small marts, and `partitions` — the manifest: one row per partition
                            naming the file that holds it.
  warehouse.duckdb.parts/   one file per flow record table and calendar month
                            (`incidents.2025-11.<batch id>.duckdb`) holding that month's rows of
                            the table (`RECORDS`, by their day column) and the rows of the daily
                            marts built from it for its days (`DAILY` in warehouse.marts: every
                            row of those marts comes from the records of one day).

A partition file is never written once published: a load copies the partitions its batch touches
to new files named for the batch, writes into the copies, then copies the core, records the
new files in its manifest and renames it over the published core. That rename is the one atomic
step, as before: readers opening the core see the old set of files or the new one, a kill
before it leaves the old set published (and the copies are removed by the next writer), and
the core's file version still names one consistent version. Files the new manifest does not
name are removed after a publish: readers holding the replaced version keep their open handles
(and answer from it until they reopen), and one that read the old core but had not yet attached
its partitions opens again (warehouse.connection.Warehouse).

Readers attach the core and every partition read-only and see one view per partitioned table
(`union all by name` over the months), so queries name the same tables as on a single file.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb

from warehouse.marts import DAILY, DAILY_ELSEWHERE, DAY_COLUMNS, TOUCHED_DAYS, mart_columns, shape_of
from warehouse.record_types import get as record_type

LAYOUT_ENV = "TPD_WAREHOUSE_LAYOUT"
MANIFEST = "partitions"
# The flow records, kept by the month of their day column: the record types that grow with the
# warehouse (the daily marts' incidents, surveys and votes, and mediations, services, enforcement
# and visitor counts). Units, officers, posts, teams, deployments and nominations stay in the core.
RECORDS = ("incidents", "mediations", "services", "enforcement", "surveys", "visitors", "votes")
DATE_COLUMNS = {table: record_type(table).date_column for table in RECORDS}
# A partition holds one record table's month and the daily marts built from that table.
FAMILIES = {table: (table, *(name for name, records, *_ in DAILY if records == table)) for table in RECORDS}
MARTS = tuple(name for name, *_ in DAILY)
PARTITIONED = RECORDS + MARTS
UNDATED = "undated"
MANIFEST_DDL = f"create table if not exists {MANIFEST} (part varchar primary key, file varchar not null)"

_active: dict[int, "Partitions"] = {}


def wants_partitions() -> bool:
    """Whether a warehouse created now is partitioned (`TPD_WAREHOUSE_LAYOUT`)."""
    layout = os.environ.get(LAYOUT_ENV, "single").strip().lower()
    if layout not in ("single", "partitioned"):
        raise ValueError(f"{LAYOUT_ENV} 只能是 single 或 partitioned（现为 {layout!r}）"
                         f" / {LAYOUT_ENV} must be single or partitioned (got {layout!r})")
    return layout == "partitioned"


def parts_dir(path: Path) -> Path:
    path = Path(path)
    return path.parent / f"{path.name}.parts"


def period_of(day_sql: str) -> str:
    """The month (partition period) of a day expression."""
    return f"coalesce(strftime(cast({day_sql} as date), '%Y-%m'), '{UNDATED}')"


def part_name(table: str, period: str) -> str:
    """A partition's name in the manifest and at the start of its file's: `incidents.2025-11`."""
    return f"{table}.{period}"


def _alias(prefix: str, part: str) -> str:
    return f"{prefix}p_{re.sub(r'[^0-9a-z]', '_', part)}"


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def is_partitioned(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    catalog_sql = "current_database()" if catalog is None else f"'{catalog}'"
    return bool(con.execute(
        f"select count(*) from duckdb_tables() where database_name = {catalog_sql} and schema_name = 'main' "
        f"and table_name = '{MANIFEST}'").fetchone()[0])


def manifest(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, str]:
    table = MANIFEST if catalog is None else f"{catalog}.main.{MANIFEST}"
    return dict(con.execute(f"select part, file from {table} order by part").fetchall())


def published_files(path: Path) -> set[str]:
    """The partition files the core at `path` names (empty for a single-file warehouse)."""
    path = Path(path)
    if not path.exists():
        return set()
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_quote(path)} as core (read_only)")
        return set(manifest(con, "core").values()) if is_partitioned(con, "core") else set()
    finally:
        con.close()


def _tables(con, catalog: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = $c and schema_name = 'main'",
        {"c": catalog}).fetchall()}


def _create_views(con, aliases: list[str], schema: str) -> None:
    """One view per partitioned table over the partitions that hold it (`schema`: where the views go)."""
    held: dict[str, list[str]] = {}
    for catalog, table in con.execute("select database_name, table_name from duckdb_tables() "
                                      "where schema_name = 'main' order by database_name").fetchall():
        held.setdefault(table, []).append(catalog)
    wanted = set(aliases)
    kind = "temp view" if schema == "temp" else "view"
    target = "" if schema == "temp" else f"{schema}."
    for table in RECORDS:
        parts = [a for a in held.get(table, []) if a in wanted]
        if parts:
            body = "\nunion all by name\n".join(f"select * from {a}.main.{table}" for a in parts)
        else:
            rt = record_type(table)
            body = "select " + ", ".join(f"cast(null as {c.sql_type}) as {c.name}" for c in rt.columns) + \
                   ", cast(null as varchar) as _batch_id limit 0"
        con.execute(f"create or replace {kind} {target}{table} as {body}")
    for name, records, select, _day in DAILY:
        parts = [a for a in held.get(name, []) if a in wanted]
        if parts:
            # A month published before the mart existed has its records only: its rows are
            # computed from them, until a load of that month (or a rebuild) writes the mart.
            lacking = [a for a in held.get(records, []) if a in wanted and a not in parts]
            body = "\nunion all by name\n".join(
                [f"select * from {a}.main.{name}" for a in parts]
                + [f"select * from ({select.replace('{records}', f'{a}.main.{records}')})" for a in lacking])
        else:
            body = select.replace("{records}", f"{target}{records}")
        con.execute(f"create or replace {kind} {target}{name} as {body}")


def attach_for_reading(con: duckdb.DuckDBPyConnection, core_catalog: str, core_path: Path) -> None:
    """On a reader whose core is attached as `core_catalog`: attach every partition read-only and
    put the partitioned tables' views in the in-memory catalog."""
    directory = parts_dir(core_path)
    aliases = []
    for part, file in manifest(con, core_catalog).items():
        alias = _alias(core_catalog + "_", part)
        con.execute(f"attach {_quote(directory / file)} as {alias} (read_only)")
        aliases.append(alias)
    _create_views(con, aliases, "memory.main")


class Partitions:
    """The partitions seen by one publish: the published ones attached read-only, those the batch
    writes copied to new files and attached read-write (under the same names)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, batch_id: str):
        self.con, self.dir, self.batch_id = con, parts_dir(path), batch_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.published = manifest(con)
        self.files = dict(self.published)
        self.writable: set[str] = set()
        for part, file in self.files.items():
            con.execute(f"attach {_quote(self.dir / file)} as {_alias('', part)} (read_only)")
        self._views()

    def _views(self) -> None:
        _create_views(self.con, [_alias("", p) for p in sorted(self.files)], "temp")

    def new_files(self) -> list[Path]:
        return [self.dir / self.files[p] for p in self.writable]

    def make_writable(self, table: str, period: str) -> str:
        """The catalog of `table`'s partition for `period`, copied to this batch's own file and writable."""
        part = part_name(table, period)
        alias = _alias("", part)
        if part in self.writable:
            return alias
        new = f"{part}.{self.batch_id}.duckdb"
        if part in self.published:
            self.con.execute(f"detach {alias}")
            shutil.copyfile(self.dir / self.published[part], self.dir / new)
        self.con.execute(f"attach {_quote(self.dir / new)} as {alias}")
        self.files[part] = new
        self.writable.add(part)
        from warehouse.schema import align_types, table_ddl
        if part not in self.published:
            self.con.execute(table_ddl(record_type(table)).replace(
                f"create table if not exists {table}", f"create table if not exists {alias}.main.{table}", 1))
            self._views()
        else:
            align_types(self.con, record_type(table), alias)   # a column whose declared type changed
        return alias

    def insert(self, table: str, rows_sql: str, params=None) -> int:
        """Insert the rows of `rows_sql` into `table`'s partitions, each row into its month's."""
        self.con.execute(f"create or replace temp table _routed as select *, {period_of(DATE_COLUMNS[table])} "
                         f"as _period from ({rows_sql})", params or {})
        inserted = 0
        for (period,) in self.con.execute("select distinct _period from _routed order by 1").fetchall():
            alias = self.make_writable(table, period)
            inserted += self.con.execute(f"insert into {alias}.main.{table} by name "
                                         f"select * exclude (_period) from _routed where _period = $p",
                                         {"p": period}).fetchone()[0]
        self.con.execute("drop table _routed")
        return inserted

    def delete(self, table: str, condition: str) -> None:
        """Delete the rows of `table` (as `t`) meeting `condition` from whichever months hold them."""
        periods = self.con.execute(f"select distinct {period_of('t.' + DATE_COLUMNS[table])} from {table} t "
                                   f"where {condition}").fetchall()
        for (period,) in periods:
            alias = self.make_writable(table, period)
            self.con.execute(f"delete from {alias}.main.{table} t where {condition}")

    def refresh_daily(self, incremental: bool) -> None:
        """The daily marts of every month (a rebuild), or of the days noted as touched."""
        noted = self.con.execute("select count(*) from duckdb_tables() where temporary "
                                 f"and table_name = '{TOUCHED_DAYS}'").fetchone()[0]
        for name, records, select, day in DAILY:
            if incremental:
                if not noted:
                    continue
                periods = [p for (p,) in self.con.execute(
                    f"select distinct {period_of('day')} from {TOUCHED_DAYS} where records = $r and day is not null",
                    {"r": records}).fetchall()]
            else:
                prefix = part_name(records, "")
                periods = [part[len(prefix):] for part in sorted(self.files) if part.startswith(prefix)]
            for period in periods:
                alias = self.make_writable(records, period)
                whole = select.replace("{records}", f"{alias}.main.{records}")
                if not incremental or name not in _tables(self.con, alias):
                    self.con.execute(f"create or replace table {alias}.main.{name} as {whole}")
                    continue
                days = (f"(select day from {TOUCHED_DAYS} where records = '{records}' "
                        f"and {period_of('day')} = '{period}')")
                touched = (f"(select * from {alias}.main.{records} "
                           f"where cast({DAY_COLUMNS[records]} as date) in {days})")
                touched = select.replace("{records}", touched)
                if shape_of(self.con, touched) != mart_columns(self.con, name, alias):
                    self.con.execute(f"create or replace table {alias}.main.{name} as {whole}")
                else:
                    self.con.execute(f"delete from {alias}.main.{name} where {day} in {days}")
                    self.con.execute(f"insert into {alias}.main.{name} by name {touched}")
        self._views()

    def finish(self) -> None:
        """Write the batch's partitions out and name them in the core's manifest (not yet published)."""
        for part in sorted(self.writable):
            alias = _alias("", part)
            self.con.execute(f"checkpoint {alias}")
            self.con.execute(f"detach {alias}")
            with open(self.dir / self.files[part], "rb+") as fh:
                os.fsync(fh.fileno())
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.con.execute(f"delete from {MANIFEST}")
        if self.files:
            self.con.executemany(f"insert into {MANIFEST} values (?, ?)", sorted(self.files.items()))

    def discard(self) -> None:
        """A publish that failed: its own partition files go (the published ones were never written)."""
        for path in self.new_files():
            for leftover in (path, Path(f"{path}.wal")):
                leftover.unlink(missing_ok=True)


def begin(con: duckdb.DuckDBPyConnection, path: Path, batch_id: str) -> Partitions:
    """Attach the partitions to a publish's connection on its private core copy."""
    parts = Partitions(con, path, batch_id)
    _active[id(con)] = parts
    DAILY_ELSEWHERE[id(con)] = parts.refresh_daily
    return parts


def end(con: duckdb.DuckDBPyConnection) -> None:
    _active.pop(id(con), None)
    DAILY_ELSEWHERE.pop(id(con), None)


def active(con: duckdb.DuckDBPyConnection) -> Partitions | None:
    """The partitions a publish on `con` writes to, or None on a single-file warehouse."""
    return _active.get(id(con))


def collect(path: Path, keep: set[str]) -> None:
    """Remove the partition files named by no manifest in `keep` (an older version, a killed load's copies)."""
    directory = parts_dir(path)
    if not directory.exists():
        return
    for item in directory.iterdir():
        name = item.name[:-len(".wal")] if item.name.endswith(".wal") else item.name
        if name not in keep:
            item.unlink(missing_ok=True)


def convert(con: duckdb.DuckDBPyConnection, source: str, path: Path, batch_id: str) -> Partitions:
    """Fill a new, empty core on `con` from the single-file warehouse attached as `source`: its
    bookkeeping and undated tables into the core, its dated records and daily marts into one
    new partition per month. The caller publishes (`Partitions.finish`, then the core's rename)."""
    from warehouse.schema import ensure_schema

    ensure_schema(con, elsewhere=RECORDS)
    con.execute(MANIFEST_DDL)
    core = set(_tables(con, con.execute("select current_database()").fetchone()[0]))
    for table in sorted(_tables(con, source) - set(PARTITIONED)):
        if table in core:
            con.execute(f"delete from {table}")
            con.execute(f"insert into {table} by name select * from {source}.main.{table}")
        else:
            con.execute(f"create table {table} as select * from {source}.main.{table}")
    parts = begin(con, path, batch_id)
    for table in RECORDS:
        date = DATE_COLUMNS[table]
        for (period,) in con.execute(f"select distinct {period_of(date)} from {source}.main.{table} "
                                     "order by 1").fetchall():
            alias = parts.make_writable(table, period)
            con.execute(f"insert into {alias}.main.{table} by name select * from {source}.main.{table} "
                        f"where {period_of(date)} = $p order by {date}", {"p": period})
            for name, records, _select, day in DAILY:
                if records == table:
                    con.execute(f"create or replace table {alias}.main.{name} as select * from "
                                f"{source}.main.{name} where {period_of(day)} = $p", {"p": period})
    parts._views()
    return parts
