"""Warehouse replicas: put the newest published version onto a node, atomically.

One machine loads and publishes (warehouse.connection.publishing). Each web
node reads its own replica: `python -m warehouse replicate SOURCE DEST` copies
the file published at SOURCE (a path the node can read: the loader's disk, a
network mount, or a file rsync has just brought over) to DEST the way a
publish does: into a temporary file in DEST's directory, checked, synced, then
renamed over DEST. The node's readers notice the new file at their next query
(`Warehouse.snapshot` compares the file's version) and reopen; requests pinned
to the older version finish on it. Until its copy is renamed, a node keeps
serving the version it has: a copy cut short (a kill, a full disk) is never
seen, and the next run removes it.

The replica keeps the published file's modification time and size, so all
replicas of one publish share `published_version` (the version shared answers
in Redis are keyed by). A replica never goes back: a SOURCE older than DEST is
not copied.

A partitioned warehouse (warehouse.partitions) ships only what changed: its partition files
are immutable and named for the batch that wrote them, so the node receives the files its
replica lacks (each into a temporary name, synced, renamed), then the core, renamed last — the
step that makes the new set the node's version. Files the new core does not name are removed
after it (a node's readers still holding them keep their handles). A partition the source
removed meanwhile (a newer publish replaced it) stops the run with nothing published: run it
again. Only the warehouse file is replicated: the nodes do not load, so
they need neither the loader's journal nor its pseudonymisation salt, and the
users store is shared (or beside each node) on its own.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connection import WarehouseMissing, _fsync_dir, file_version, published_version, writer_lock
from warehouse.faults import crash_point
from warehouse.partitions import collect, parts_dir, published_files

COPY_CHUNK = 16 << 20


class NotAWarehouse(ValueError):
    def __init__(self, path: Path, reason: str):
        super().__init__(f"不是可读取的数据仓库文件：{path}（{reason}）/ not a readable warehouse file: {path} ({reason})")


@dataclass(frozen=True)
class Replicated:
    version: str          # published_version of what DEST holds now
    copied: bool          # False: DEST already held that version, or a newer one
    size: int             # bytes copied (a partitioned warehouse: its core and the partitions DEST lacked)
    seconds: float


class SourceMoved(RuntimeError):
    def __init__(self, path: Path):
        super().__init__(f"复制期间源数据仓库已发布新版本（{path.name} 已被替换），本节点未改动，请重新运行"
                         f" / the source published a newer version while copying ({path.name} was replaced);"
                         f" this node is unchanged, run again")


def _copy_partitions(source: Path, dest: Path, files: set[str]) -> int:
    """The partition files DEST's directory lacks, each copied to a temporary name, synced, renamed."""
    src_dir, dest_dir = parts_dir(source), parts_dir(dest)
    dest_dir.mkdir(parents=True, exist_ok=True)
    for stale in dest_dir.glob(".*.replicating-*"):
        stale.unlink(missing_ok=True)
    copied = 0
    for name in sorted(files):
        if (dest_dir / name).exists():
            continue
        temp = dest_dir / f".{name}.replicating-{os.getpid()}"
        try:
            with open(src_dir / name, "rb") as src, open(temp, "wb") as out:
                shutil.copyfileobj(src, out, COPY_CHUNK)
                out.flush()
                os.fsync(out.fileno())
                copied += out.tell()
        except FileNotFoundError:
            temp.unlink(missing_ok=True)
            raise SourceMoved(src_dir / name) from None
        os.replace(temp, dest_dir / name)
    _fsync_dir(dest_dir)
    return copied


def _temp_prefix(dest: Path) -> str:
    return f".{dest.name}.replicating-"


def _check_readable(path: Path) -> None:
    """The copy opens as a DuckDB warehouse with its bookkeeping: a wrong or damaged file is never published."""
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            con.execute("select count(*) from meta").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise NotAWarehouse(path, str(exc).splitlines()[0]) from None


def replicate(source: Path | str, dest: Path | str) -> Replicated:
    source, dest = Path(source), Path(dest)
    started = time.monotonic()
    try:
        src = open(source, "rb")   # this file, even if a publish replaces the name meanwhile
    except FileNotFoundError:
        raise WarehouseMissing(source) from None
    with src:
        st = os.fstat(src.fileno())
        version = f"{st.st_mtime_ns}-{st.st_size}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(dest):
            if dest.exists():
                held = os.stat(dest)
                if held.st_mtime_ns >= st.st_mtime_ns:      # the same publish, or a newer one
                    return Replicated(published_version(file_version(dest)), False, held.st_size,
                                      time.monotonic() - started)
            for stale in dest.parent.glob(_temp_prefix(dest) + "*"):
                stale.unlink(missing_ok=True)
            temp = dest.parent / f"{_temp_prefix(dest)}{os.getpid()}"
            try:
                with open(temp, "wb") as out:
                    shutil.copyfileobj(src, out, COPY_CHUNK)
                    out.flush()
                    os.fchmod(out.fileno(), st.st_mode & 0o777)
                    os.utime(out.fileno(), ns=(st.st_atime_ns, st.st_mtime_ns))
                    os.fsync(out.fileno())
                _check_readable(temp)
                files = published_files(temp)
                shipped = st.st_size + (_copy_partitions(source, dest, files) if files else 0)
                crash_point("replica-copied")
                os.replace(temp, dest)
                _fsync_dir(dest.parent)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            if files:
                collect(dest, files)
    return Replicated(version, True, shipped, time.monotonic() - started)
