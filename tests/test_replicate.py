"""Warehouse replicas (warehouse/replicate.py): `python -m warehouse replicate SOURCE DEST`.

The loader publishes into SOURCE (the reference warehouse, then one more
batch); each node reads its own DEST. A replica is the published file whole,
with the version every replica of that publish shares; a node's readers move
to it at their next query while a request pinned before finishes on the older
one; a node not yet replicated keeps serving what it has; a copy killed before
its rename is never seen and the next run cleans it up.
"""
from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys

import pytest

from tests.builders.files import ROOT, load, rec, write_records
from warehouse.connection import Warehouse, file_version, published_version
from warehouse.partitions import parts_dir, published_files
from warehouse.replicate import replicate

pytestmark = pytest.mark.usefixtures("each_layout")   # a single-file warehouse, and a partitioned one


def cli_replicate(source, dest, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warehouse", "replicate", str(source), str(dest)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                          capture_output=True, text=True, timeout=120)


def incidents(warehouse: Warehouse) -> int:
    cur = warehouse.cursor()
    try:
        return cur.execute("select count(*) from incidents").fetchone()[0]
    finally:
        cur.close()


def publish_one_more_incident(source, inbox) -> None:
    load(source, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))


def test_a_replica_is_the_published_file_with_the_version_every_replica_shares(ref_db, tmp_path):
    nodes = [tmp_path / "node-a" / "warehouse.duckdb", tmp_path / "node-b" / "warehouse.duckdb"]
    for node in nodes:
        proc = cli_replicate(ref_db, node)
        assert proc.returncode == 0, proc.stderr
        assert "replicated version" in proc.stdout and "已复制版本" in proc.stdout
        assert filecmp.cmp(ref_db, node, shallow=False)
        assert published_files(node) == published_files(ref_db)
        assert all(filecmp.cmp(parts_dir(ref_db) / f, parts_dir(node) / f, shallow=False)
                   for f in published_files(node))
    assert {published_version(file_version(p)) for p in (ref_db, *nodes)} == {published_version(file_version(ref_db))}
    assert not [p for p in (tmp_path / "node-a").iterdir() if "replicating" in p.name]   # no copy left behind


def test_a_nodes_readers_move_to_the_new_version_and_a_pinned_request_finishes_on_the_old(ref_db, inbox, tmp_path):
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    readers = Warehouse(node)
    pinned = readers.snapshot()
    assert incidents(readers) == 0
    publish_one_more_incident(ref_db, inbox)
    assert incidents(readers) == 0                      # published, not replicated yet: the older version
    done = replicate(ref_db, node)
    assert done.copied and done.version == published_version(file_version(ref_db))
    assert incidents(readers) == 1 and readers.snapshot().version == file_version(node)
    old = pinned.cursor()
    assert old.execute("select count(*) from incidents").fetchone()[0] == 0
    old.close()


def test_a_node_that_has_not_received_a_version_keeps_serving_the_older_one(ref_db, inbox, tmp_path):
    a, b = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    replicate(ref_db, a), replicate(ref_db, b)
    publish_one_more_incident(ref_db, inbox)
    replicate(ref_db, a)
    assert (incidents(Warehouse(a)), incidents(Warehouse(b))) == (1, 0)


def test_a_replication_killed_before_its_rename_leaves_the_node_as_it_was(ref_db, inbox, tmp_path):
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    before = file_version(node)
    publish_one_more_incident(ref_db, inbox)
    killed = cli_replicate(ref_db, node, env={"TPD_CRASH_AT": "replica-copied"})
    assert killed.returncode == -signal.SIGKILL
    assert file_version(node) == before and incidents(Warehouse(node)) == 0
    assert any(p.name.startswith(".warehouse.duckdb.replicating-") for p in node.parent.iterdir())
    assert cli_replicate(ref_db, node).returncode == 0
    assert incidents(Warehouse(node)) == 1
    assert not any(p.name.startswith(".warehouse.duckdb.replicating-") for p in node.parent.iterdir())


def test_a_node_already_holding_the_version_copies_nothing(ref_db, tmp_path):
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    held = file_version(node)
    proc = cli_replicate(ref_db, node)
    assert proc.returncode == 0 and "nothing copied" in proc.stdout
    assert file_version(node) == held                   # same file: its readers do not reopen


def test_a_replica_never_goes_back_to_an_older_version(ref_db, inbox, tmp_path):
    older = tmp_path / "older.duckdb"
    replicate(ref_db, older)
    publish_one_more_incident(ref_db, inbox)
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    assert not replicate(older, node).copied
    assert incidents(Warehouse(node)) == 1


def test_a_source_that_is_missing_or_not_a_warehouse_is_refused_in_both_languages(ref_db, tmp_path):
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    held = file_version(node)
    missing = cli_replicate(tmp_path / "nowhere.duckdb", node)
    assert missing.returncode == 2 and "数据仓库文件不存在" in missing.stderr and "not found" in missing.stderr
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 1000)
    refused = cli_replicate(junk, node)
    assert refused.returncode == 2 and "不是可读取的数据仓库文件" in refused.stderr and "not a readable" in refused.stderr
    assert file_version(node) == held
    assert [p.name for p in node.parent.iterdir() if p.name.startswith(".warehouse.duckdb.replicating-")] == []


def test_a_partitioned_replica_receives_only_the_months_a_load_changed(ref_db, inbox, tmp_path, each_layout):
    load(ref_db, write_records(inbox / "incidents_1.csv", "incidents",
                               [rec("incidents", incident_id=f"J{m}", received_at=f"2021-0{m}-03 10:00",
                                    arrived_at="", closed_at="") for m in range(1, 7)]))
    node = tmp_path / "node" / "warehouse.duckdb"
    replicate(ref_db, node)
    before = published_files(node)
    load(ref_db, write_records(inbox / "incidents_2.csv", "incidents",
                               [rec("incidents", incident_id="J7", received_at="2021-03-09 10:00",
                                    arrived_at="", closed_at="")]))
    done = replicate(ref_db, node)
    changed = published_files(ref_db) - before
    shipped = ref_db.stat().st_size + sum((parts_dir(ref_db) / f).stat().st_size for f in changed)
    assert done.copied and done.size == shipped
    if each_layout == "partitioned":
        assert len(before) == 6 and [f.rsplit(".", 2)[0] for f in changed] == ["incidents.2021-03"]
        assert sorted(p.name for p in parts_dir(node).iterdir()) == sorted(published_files(ref_db))  # March's old file went
    else:
        assert before == changed == set()
    assert incidents(Warehouse(node)) == 7
