"""The one generic loader: a batch of files in, one published warehouse out.

For each file, in reference order (units, scenic areas, then the rest, each
after what it references): stage the raw text, type and check it in bulk,
quarantine the failing rows with their reasons, and merge the rest on the
primary key — new rows inserted, identical rows counted unchanged, changed
rows updated with their previous version kept in `history`. The whole batch
runs in a private copy of the warehouse that is published only when every
file is done (see `warehouse.connection.publishing`); a refused file (unknown
type, unreadable, missing required columns) refuses the batch and nothing is
published. Every attempt is journalled beside the warehouse first, so one
that was killed still shows in the load log afterwards.

The files of a type that references itself (units naming their parent unit)
are staged and checked together before any of them is merged, so a parent
given in another file of the batch resolves whatever the order of the files;
the other types go one file at a time, which keeps one file's rows in memory.
A directory gives its data files; notes, hidden files and Office lock files
beside them are skipped and reported, not loaded.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from etl.errors import BatchRefused
from etl.pii import salt_for
from etl.readers import CSV_SUFFIXES, SHEET_SUFFIXES, StagedFile, detect_type, stage_file, type_from_name
from etl.validate import build_work_table, collect_errors
from warehouse import partitions
from warehouse.clock import china_now
from warehouse.connection import (WarehouseMissing, convert_to_partitions, journal_append, journal_entries, publishing,
                                  writer_lock)
from warehouse.faults import crash_point
from warehouse.marts import note_touched_days, refresh_marts
from warehouse.record_types import RECORD_TYPES, RecordType

ORDER = {rt.name: i for i, rt in enumerate(RECORD_TYPES)}


@dataclass
class FileResult:
    file: str
    type: str
    rows: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    extra_columns: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""
    sha256: str = ""


@dataclass
class BatchResult:
    batch_id: str
    files: list[FileResult]
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        totals = {k: sum(getattr(f, k) for f in self.files)
                  for k in ("rows", "loaded", "updated", "unchanged", "quarantined")}
        return {"batch_id": self.batch_id, "status": "committed",
                "files": [asdict(f) for f in self.files], "totals": totals,
                "skipped": self.skipped}


def new_batch_id() -> str:
    return china_now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def expand_inputs(inputs: Iterable[str | Path]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(name as given, path) of every file to load, and what a directory held besides.

    A file named on the command line is always loaded (or refused). A directory gives
    its data files (CSV, XLSX ...) and skips the rest, reporting them: files in a format
    that is not read, hidden files (`.DS_Store`, macOS `._x.csv`), Office lock files
    (`~$x.xlsx`), and `.txt` files whose name names no record type (a clerk's 说明.txt:
    `.txt` is a format the loader reads, as Excel's tab-separated export, so a `.txt`
    file named for a type is loaded). A data file of unknown type still refuses the batch.
    """
    files, skipped = [], []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _not_data(child.relative_to(path)):
                    skipped.append(str(child))
                else:
                    files.append((str(child), child))
        else:
            files.append((str(item), path))
    return files, skipped


def _not_data(relative: Path) -> bool:
    suffix = relative.suffix.lower()
    return (any(part.startswith(".") for part in relative.parts)
            or relative.name.startswith("~$")
            or suffix not in CSV_SUFFIXES | SHEET_SUFFIXES
            or (suffix == ".txt" and type_from_name(relative) is None))


def _key_string(rt: RecordType, alias: str) -> str:
    return " || '|' || ".join(f"cast({alias}.{k} as varchar)" for k in rt.key)


def merge(con: duckdb.DuckDBPyConnection, rt: RecordType, work: str, errs: str, batch_id: str) -> dict[str, int]:
    """Upsert the rows of `work` that passed every check; count them by outcome."""
    cols = [c.name for c in rt.columns]
    if con.execute(f"select count(*) = 0 from (select 1 from {rt.table} limit 1)").fetchone()[0]:
        # First load of this type: every row is new, nothing to compare or keep in history.
        loaded = _insert(con, rt, f"select {', '.join(cols)}, $batch as _batch_id "
                                  f"from {work} anti join {errs} using (_row)", {"batch": batch_id})
        note_touched_days(con, rt.table, f"select * from {rt.table} where _batch_id = $batch", {"batch": batch_id})
        return {"loaded": loaded, "updated": 0, "unchanged": 0}
    on = " and ".join(f"t.{k} = i.{k}" for k in rt.key)
    same = " and ".join(f"t.{c} is not distinct from i.{c}" for c in cols)
    incoming = f"{work}_in"
    con.execute(f"""
        create temp table {incoming} as
        select i.*, case when t.{rt.key[0]} is null then 'new'
                         when {same} then 'same' else 'changed' end as _status
        from (select {", ".join(cols)} from {work} anti join {errs} using (_row)) i
        left join {rt.table} t on {on}
    """)
    # The marts are recomputed for the days of the new versions and of the versions they replace.
    note_touched_days(con, rt.table, f"select * from {incoming} where _status in ('new', 'changed')")
    note_touched_days(con, rt.table, f"select t.* from {rt.table} t semi join "
                                     f"(select * from {incoming} where _status = 'changed') i on {on}")
    con.execute(f"""
        insert into history
        select $batch, $type, {_key_string(rt, 't')}, to_json(t), current_timestamp::timestamp
        from {rt.table} t semi join (select * from {incoming} where _status = 'changed') i on {on}
    """, {"batch": batch_id, "type": rt.name})
    parts = partitions.active(con)
    if parts is not None and rt.table in partitions.RECORDS:
        parts.delete(rt.table, f"exists (select 1 from {incoming} i where {on} and i._status = 'changed')")
    else:
        con.execute(f"""
            delete from {rt.table} t using {incoming} i where {on} and i._status = 'changed'
        """)
    _insert(con, rt, f"select {', '.join(cols)}, $batch as _batch_id from {incoming} "
                     f"where _status in ('new', 'changed')", {"batch": batch_id})
    counts = dict(con.execute(f"select _status, count(*) from {incoming} group by 1").fetchall())
    return {"loaded": counts.get("new", 0), "updated": counts.get("changed", 0),
            "unchanged": counts.get("same", 0)}


def _insert(con: duckdb.DuckDBPyConnection, rt: RecordType, rows_sql: str, params: dict) -> int:
    """Insert `rows_sql`'s rows into the record table (into their months' partitions on a partitioned
    warehouse); how many."""
    parts = partitions.active(con)
    if parts is not None and rt.table in partitions.RECORDS:
        return parts.insert(rt.table, rows_sql, params)
    return con.execute(f"insert into {rt.table} by name {rows_sql}", params).fetchone()[0]


def quarantine(con: duckdb.DuckDBPyConnection, staged: StagedFile, work: str, errs: str, batch_id: str) -> None:
    rt = staged.rt
    # PII never reaches the warehouse raw, not even in quarantine: its salted hash stands in.
    record = "to_json({" + ", ".join(
        f"'{c.name}': w.{c.name if c.pii else 'r_' + c.name}" for c in rt.columns) + "})"
    pii = [c.name for c in rt.columns if c.pii]
    raw_value = "e.raw_value" if not pii else (
        "case e.column_name " + " ".join(f"when '{n}' then coalesce(w.{n}, e.raw_value)" for n in pii)
        + " else e.raw_value end")
    con.execute(f"""
        insert into quarantine
        select $batch, $file, $type, e._row, e.column_name, {raw_value}, e.reason,
               e.message_zh, e.message_en, {record}
        from {errs} e join {work} w using (_row)
    """, {"batch": batch_id, "file": staged.name, "type": rt.name})
    if staged.malformed:
        con.executemany(
            "insert into quarantine values ($1, $2, $3, $4, null, $5, 'malformed', $6, $7, null)",
            [(batch_id, staged.name, rt.name, m.row, m.raw_line, m.message_zh, m.message_en)
             for m in staged.malformed],
        )


def load_files(con, staged_files: list[StagedFile], batch_id: str) -> list[FileResult]:
    """Type, check, quarantine and merge staged files of one record type, in order.

    They are checked together (see etl.validate.collect_errors) and merged one
    after the other, so a later file wins over an earlier one for the same key."""
    rt = staged_files[0].rt
    works = [build_work_table(con, rt, s.table) for s in staged_files]
    errs = collect_errors(con, rt, works)
    results = []
    for staged, work, err in zip(staged_files, works, errs):
        quarantine(con, staged, work, err, batch_id)
        outcome = merge(con, rt, work, err, batch_id)
        staged_rows = con.execute(f"select count(*) from {work}").fetchone()[0]
        bad_rows = con.execute(f"select count(distinct _row) from {err}").fetchone()[0]
        results.append(FileResult(
            file=staged.name, type=rt.name, rows=staged_rows + len(staged.malformed),
            quarantined=bad_rows + len(staged.malformed), extra_columns=staged.extra_columns,
            file_format=staged.file_format, encoding=staged.encoding, sha256=staged.sha256, **outcome,
        ))
    for staged in staged_files:
        # The staged file and its work table are views over its raw rows (see etl.readers).
        con.execute(f"drop view if exists {staged.table}_work")
        con.execute(f"drop view if exists {staged.table}")
        for suffix in ("_work_in", "_work_errs", "_raw", "_rows", "_lines"):
            con.execute(f"drop table if exists {staged.table}{suffix}")
    return results


def _groups(typed: list[tuple[str, Path, RecordType]]) -> list[list[tuple[str, Path, RecordType]]]:
    """The files checked together: all files of a self-referencing type, else each file alone."""
    groups: list[list[tuple[str, Path, RecordType]]] = []
    for item in typed:
        rt = item[2]
        joint = any(c.ref == rt.name for c in rt.columns)
        if joint and groups and groups[-1][0][2] is rt:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _record_unfinished_attempts(con, db: Path, current: str) -> None:
    """Attempts the journal started but never finished are logged as interrupted."""
    finished = {e["batch_id"] for e in journal_entries(db) if e.get("event") != "started"}
    logged = {r[0] for r in con.execute("select batch_id from load_log").fetchall()} | {current}
    for entry in journal_entries(db):
        bid = entry["batch_id"]
        if bid in logged:
            continue
        if entry.get("event") == "started" and bid not in finished:
            status, message = "interrupted", "加载中断（进程被终止）/ load interrupted (process killed)"
        elif entry.get("event") in ("refused", "failed"):
            status, message = entry["event"], entry.get("message", "")
        else:
            continue
        logged.add(bid)
        con.execute(
            "insert into load_log (batch_id, started_at, user_name, host, status, files, message) "
            "values ($1, $2, $3, $4, $5, $6, $7)",
            [bid, entry.get("at"), entry.get("user"), entry.get("host"), status,
             len(entry.get("files", [])), message],
        )


def load_batch(
    db: Path | str,
    inputs: Iterable[str | Path],
    *,
    record_type: str | None = None,
    user: str | None = None,
    meta: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Load one batch atomically. Raises BatchRefused (nothing loaded) for an unusable batch."""
    db = Path(db)
    batch_id = new_batch_id()
    say = progress or (lambda _msg: None)
    files, skipped = expand_inputs(inputs)
    user = user or os.environ.get("TPD_USER") or getpass.getuser()
    journal = {"batch_id": batch_id, "user": user, "host": socket.gethostname(),
               "files": [name for name, _ in files]}
    db.parent.mkdir(parents=True, exist_ok=True)
    salt = salt_for(db)
    started = china_now()
    results: list[FileResult] = []
    with writer_lock(db):
        journal_append(db, {**journal, "event": "started", "at": started})
        try:
            if not files:
                raise BatchRefused(None, "没有可导入的文件", "no files to load")
            typed = [(name, path, detect_type(path, record_type, name)) for name, path in files]
            typed.sort(key=lambda t: ORDER[t[2].name])
            with tempfile.TemporaryDirectory(prefix="tpd-etl-") as workdir, \
                    publishing(db, batch_id) as con:
                if sys.stderr.isatty():
                    con.execute("set enable_progress_bar = true")
                _record_unfinished_attempts(con, db, batch_id)
                n = 0
                for group in _groups(typed):
                    staged_files = []
                    for name, path, rt in group:
                        n += 1
                        say(f"[{n}/{len(typed)}] {name} → {rt.name}")
                        staged_files.append(stage_file(con, path, rt, f"stg_{n}", Path(workdir), name, salt))
                        crash_point("parse")
                    for staged, result in zip(staged_files, load_files(con, staged_files, batch_id)):
                        results.append(result)
                        crash_point("write")
                        _log_file(con, batch_id, staged, result)
                refresh_marts(con, incremental=True)
                crash_point("marts")
                _log_batch(con, batch_id, started, journal, results)
                for key, value in (meta or {}).items():
                    con.execute("insert or replace into meta values ($1, $2)", [key, value])
                con.execute("insert or replace into meta values ('last_batch_id', $1)", [batch_id])
        except BatchRefused as refusal:
            refusal.batch_id = batch_id
            journal_append(db, {**journal, "event": "refused", "at": china_now(),
                                "message": str(refusal)})
            raise
        except BaseException as exc:
            journal_append(db, {**journal, "event": "failed", "at": china_now(),
                                "message": f"{type(exc).__name__}: {exc}"})
            raise
        journal_append(db, {**journal, "event": "committed", "at": china_now()})
    return BatchResult(batch_id, results, skipped)


def rebuild_marts(db: Path | str) -> None:
    """Build every mart from the records and publish (after a changed mart definition, or as a
    repair); the records, the load log and the bookkeeping stay as they are."""
    db = Path(db)
    if not db.exists():
        raise WarehouseMissing(db)
    with writer_lock(db), publishing(db, "rebuild-" + new_batch_id()) as con:
        refresh_marts(con)


def partition_warehouse(db: Path | str) -> bool:
    """Publish the single-file warehouse at `db` as a partitioned one (warehouse.partitions); False
    when it already is one. Records, bookkeeping and marts are moved as they are."""
    db = Path(db)
    if not db.exists():
        raise WarehouseMissing(db)
    with writer_lock(db):
        return convert_to_partitions(db, "partition-" + new_batch_id())


def _log_file(con, batch_id: str, staged: StagedFile, r: FileResult) -> None:
    con.execute(
        "insert into load_files values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        [batch_id, staged.name, str(staged.path.resolve()), r.type, r.sha256, staged.size_bytes,
         r.file_format, r.encoding, r.rows, r.loaded, r.updated, r.unchanged, r.quarantined,
         r.extra_columns, None],
    )


def _log_batch(con, batch_id: str, started: dt.datetime, journal: dict, results: list[FileResult]) -> None:
    totals = [sum(getattr(r, k) for r in results) for k in ("rows", "loaded", "updated", "unchanged", "quarantined")]
    con.execute(
        "insert into load_log values ($1, $2, $3, $4, $5, 'committed', $6, $7, $8, $9, $10, $11, null)",
        [batch_id, started, china_now(), journal["user"], journal["host"], len(results), *totals],
    )
