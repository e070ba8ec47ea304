"""The one place that opens DuckDB connections.

Readers: `Warehouse(path).cursor()` hands out a cursor on a read-only
connection and reopens it when a load has published a new file, so a reader
never sees half a batch and never holds a lock a writer needs.

Writers: `publishing(path)` copies the published file to a private temporary
file, yields a read-write connection on the copy and, only when the block
finishes, checkpoints it and renames it over the published file (an atomic
swap on POSIX). An exception, a SIGKILL or a power cut before the rename leaves
the published file exactly as it was; the stale copy is removed by the next
writer. One writer at a time, serialised by an advisory lock file.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from warehouse.config import reader_config
from warehouse.faults import crash_point
from warehouse import partitions
from warehouse.marts import stand_in_for_missing_marts
from warehouse.schema import ensure_schema


class WarehouseMissing(FileNotFoundError):
    def __init__(self, path: Path):
        super().__init__(
            f"数据仓库文件不存在：{path}（请先运行 python -m etl demo 或 python -m etl load）"
            f" / warehouse file not found: {path} (run `python -m etl demo` or `python -m etl load` first)"
        )


def file_version(path: Path) -> str:
    """A token that changes whenever a new warehouse file is published."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WarehouseMissing(path) from None
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def published_version(version: str) -> str:
    """What names one publish on every node: a `file_version` without the inode, which is each
    node's own. A replica keeps the published file's modification time and size
    (`python -m warehouse replicate`), so the replicas of one publish share this."""
    return version.split("-", 1)[1]


READER_CATALOG = "wh"


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection on the file published at `path` now.

    `duckdb.connect(path)` would hand back the database instance this process
    already has open for that path, i.e. the previous version while any
    cursor on it is still alive; attaching the file to a fresh in-memory
    instance always opens the file the path names now.
    """
    if not Path(path).exists():
        raise WarehouseMissing(Path(path))
    config = {k: v for k, v in reader_config().items() if k != "access_mode"}
    con = duckdb.connect(":memory:", config=config)
    quoted = "'" + str(path).replace("'", "''") + "'"
    con.execute(f"attach {quoted} as {READER_CATALOG} (read_only)")
    try:
        if partitions.is_partitioned(con, READER_CATALOG):
            partitions.attach_for_reading(con, READER_CATALOG, Path(path))
        else:
            stand_in_for_missing_marts(con, READER_CATALOG)
    except BaseException:
        con.close()
        raise
    _read_from_warehouse(con)
    return con


def _read_from_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Names resolve in the attached warehouse, then in the in-memory catalog (the stand-ins for
    marts an older warehouse lacks). Both settings belong to the connection: every cursor needs them."""
    con.execute(f"use {READER_CATALOG}")
    con.execute(f"set search_path = '{READER_CATALOG}.main,memory.main'")


class Snapshot:
    """One published version, held open: every cursor from it reads that version.

    A request that pins a snapshot answers all of its queries from one batch
    boundary, even when a load publishes a new file half-way through it (the
    replaced file stays readable through the open connection until the last
    snapshot of it is gone).
    """

    def __init__(self, version: str, con: duckdb.DuckDBPyConnection):
        self.version = version
        self._con = con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        _read_from_warehouse(cur)  # a cursor starts in the in-memory catalog
        return cur


class Warehouse:
    """A read-only view of the published warehouse that follows new versions.

    No connection is opened until the first query, and a process forked after
    that (a web worker) opens its own: DuckDB connections do not survive a fork.
    """

    def __init__(self, path: Path | str, on_open=None):
        """`on_open(version)`: called (outside the lock) each time this process opens a version
        it had not open: at the first query, and whenever the readers reopen after a publish or a
        replication (the dashboard warms its shared answers from it)."""
        self.path = Path(path)
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._pid = os.getpid()
        self._on_open = on_open

    def version(self) -> str:
        return file_version(self.path)

    def latest_version(self) -> str | None:
        """The version of the newest snapshot this process has opened (None before any)."""
        current = self._current
        return current.version if current is not None and self._pid == os.getpid() else None

    def snapshot(self) -> Snapshot:
        """The published version as it is now, opened once per version and process."""
        version = self.version()
        opened = False
        with self._lock:
            current = self._current
            if current is None or version != current.version or self._pid != os.getpid():
                current = self._current = self._open()
                self._pid = os.getpid()
                opened = True
        if opened and self._on_open is not None:
            self._on_open(current.version)
        return current

    def _open(self) -> Snapshot:
        # The version must name the file the connection opened: a publish between
        # the stat and the attach would otherwise label the new file with the old
        # version (and cache its answers under it). Files are only ever replaced,
        # never rewritten, so the same version before and after the attach is the
        # version of what was attached.
        # On a partitioned warehouse a publish also removes the partitions it replaced: a
        # reader that read the old core but had not yet attached them opens again.
        while True:
            before = self.version()
            try:
                con = connect_reader(self.path)
            except duckdb.IOException:
                if self.version() == before:
                    raise
                continue
            if self.version() == before:
                return Snapshot(before, con)
            con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.snapshot().cursor()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.loading-"


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def publishing(path: Path, batch_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection on a copy; publish it when the block ends.

    The caller must hold `writer_lock(path)`.
    """
    path = Path(path)
    for stale in path.parent.glob(_temp_prefix(path) + "*"):
        stale.unlink(missing_ok=True)
    temp = path.parent / f"{_temp_prefix(path)}{batch_id}"
    existed = path.exists()
    if existed:
        shutil.copyfile(path, temp)
    crash_point("copy")
    con = duckdb.connect(str(temp))
    parts = None
    try:
        partitioned = partitions.is_partitioned(con) if existed else partitions.wants_partitions()
        if partitioned:
            # The core is small; the months the batch writes are copied when it first writes
            # them (warehouse.partitions). A transaction may write one file only, so each
            # statement commits on its own: the copies are private until the core's rename.
            ensure_schema(con, elsewhere=partitions.RECORDS)
            con.execute(partitions.MANIFEST_DDL)
            parts = partitions.begin(con, path, batch_id)
            yield con
            parts.finish()
            crash_point("partitions")
        else:
            ensure_schema(con)
            # One transaction for the whole batch: the copy is private, and a commit
            # per statement would cost a WAL flush each.
            con.execute("begin transaction")
            yield con
            con.execute("commit")
        _swap_in(con, temp, path)
        crash_point("published")
    except BaseException:
        _discard(con, temp, parts)
        raise
    finally:
        partitions.end(con)
    if parts is not None:
        # The files of the version just replaced and the copies of killed loads go: a reader
        # holding the replaced version keeps its open handles, one opening it now opens again
        # (Warehouse._open).
        partitions.collect(path, set(parts.files.values()))


def _swap_in(con: duckdb.DuckDBPyConnection, temp: Path, path: Path) -> None:
    """Checkpoint and close the copy, make it durable and rename it over the published file."""
    con.execute("checkpoint")
    con.close()
    with open(temp, "rb+") as fh:
        os.fsync(fh.fileno())
    crash_point("publish")
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _discard(con: duckdb.DuckDBPyConnection, temp: Path, parts) -> None:
    """What a failed or killed publish leaves behind goes: the copy, its WAL, its partition files."""
    try:
        con.close()
    finally:
        for leftover in (temp, Path(f"{temp}.wal")):
            leftover.unlink(missing_ok=True)
        if parts is not None:
            parts.discard()


def convert_to_partitions(path: Path, batch_id: str) -> bool:
    """Publish the single-file warehouse at `path` as a partitioned one (warehouse.partitions): a
    new core and one file per month, published by the core's rename. False when it already is.

    The caller must hold `writer_lock(path)`."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(path)
    for stale in path.parent.glob(_temp_prefix(path) + "*"):
        stale.unlink(missing_ok=True)
    temp = path.parent / f"{_temp_prefix(path)}{batch_id}"
    con = duckdb.connect(str(temp))
    parts = None
    try:
        quoted = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"attach {quoted} as source (read_only)")
        if partitions.is_partitioned(con, "source"):
            con.close()
            temp.unlink(missing_ok=True)
            return False
        parts = partitions.convert(con, "source", path, batch_id)
        con.execute("detach source")
        parts.finish()
        crash_point("partitions")
        _swap_in(con, temp, path)
    except BaseException:
        _discard(con, temp, parts)
        raise
    finally:
        partitions.end(con)
    partitions.collect(path, set(parts.files.values()))
    return True


def journal_path(path: Path) -> Path:
    return Path(path).parent / f".{Path(path).name}.journal.jsonl"


def journal_append(path: Path, entry: dict) -> None:
    """Record a load attempt outside the warehouse, so a crash still leaves a trace."""
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    with open(journal_path(path), "a+b") as fh:
        # A writer killed mid-line leaves no newline: start on a line of our own,
        # or this entry would be glued to the cut one and lost with it.
        if fh.seek(0, os.SEEK_END) > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                line = b"\n" + line
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def journal_entries(path: Path) -> list[dict]:
    jp = journal_path(path)
    if not jp.exists():
        return []
    entries = []
    for line in jp.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
    return entries
