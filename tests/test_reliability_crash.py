"""Crash safety: a load SIGKILLed at each of its stages leaves the warehouse as it was.

`TPD_CRASH_AT=<point>` (warehouse/faults.py) makes the real `python -m etl load`
kill itself at that point, so every stage is hit deterministically: after the
copy, while parsing, while writing, after the marts are refreshed, just before
the rename that publishes, and just after it (and a `python -m etl rebuild`
after its copy and before its rename). Before the rename the published warehouse must equal its state
before the load, table by table and byte for byte; after it the batch is
committed whole. Either way the next load succeeds, removes the killed copy, and
the load log shows what happened to the killed attempt.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from etl.loader import rebuild_marts
from tests.builders.files import ROOT, cli_load, digest, load, query, rec, snapshot, stray_files, write_records
from warehouse.partitions import published_files
from warehouse.connection import journal_entries, journal_path
from warehouse.faults import CRASH_POINTS, PARTITIONED_CRASH_POINTS

# Every test runs on a single-file warehouse and on a partitioned one; a load killed at each
# point that layout passes (a partitioned publish also after writing its months' new files).
pytestmark = pytest.mark.usefixtures("each_layout")


def batch(inbox):
    return [write_records(inbox / "incidents.csv", "incidents",
                          [rec("incidents"), rec("incidents", incident_id="J002", category="诈骗")]),
            write_records(inbox / "services.csv", "services", [rec("services")])]


def killed_batch_id(db) -> str:
    started = [e["batch_id"] for e in journal_entries(db) if e["event"] == "started"]
    return started[-1]


@pytest.mark.parametrize("point", [p for p in PARTITIONED_CRASH_POINTS if p != "published"])
def test_a_load_killed_before_publishing_leaves_the_warehouse_as_it_was(ref_db, inbox, point, each_layout):
    if each_layout == "single" and point not in CRASH_POINTS:
        point = "publish"   # a single file has no partitions to write: its last point before the rename
    files = batch(inbox)
    before_digest, before = digest(ref_db), snapshot(ref_db)
    proc = cli_load(ref_db, *files, env={"TPD_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout == ""
    assert digest(ref_db) == before_digest and snapshot(ref_db) == before
    killed = killed_batch_id(ref_db)

    result = load(ref_db, *files)
    assert [(f.type, f.loaded) for f in result.files] == [("incidents", 2), ("services", 1)]
    assert stray_files(ref_db) == []
    assert query(ref_db, "select batch_id, status, files from load_log where status <> 'committed'") == [
        (killed, "interrupted", 2)]
    assert query(ref_db, "select count(*) from incidents") == [(2,)]


def test_a_load_killed_after_writing_its_files_leaves_the_published_ones_untouched(ref_db, inbox, each_layout):
    load(ref_db, *batch(inbox))                                    # (partitioned: a partition for 2021-05)
    published = published_files(ref_db)
    before_digest, before = digest(ref_db), snapshot(ref_db)
    correction = write_records(inbox / "incidents_fix.csv", "incidents",
                               [rec("incidents", category="诈骗"), rec("incidents", incident_id="J003",
                                                                         received_at="2020-02-01 10:00")])
    point = "partitions" if each_layout == "partitioned" else "publish"
    proc = cli_load(ref_db, correction, env={"TPD_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # Beside the private copy, the new files of 2021-05 and 2020-02 (partitioned), named by no published core.
    assert sorted(f.rsplit(".", 2)[0] for f in stray_files(ref_db) if not f.startswith(".")) == (
        ["incidents.2020-02", "incidents.2021-05"] if each_layout == "partitioned" else [])
    assert published_files(ref_db) == published
    assert digest(ref_db) == before_digest and snapshot(ref_db) == before

    load(ref_db, correction)
    assert stray_files(ref_db) == []
    assert query(ref_db, "select incident_id, category from incidents order by 1") == [
        ("J001", "诈骗"), ("J002", "诈骗"), ("J003", "盗窃")]


def test_a_load_killed_right_after_publishing_is_committed_whole(ref_db, inbox):
    files = batch(inbox)
    proc = cli_load(ref_db, *files, env={"TPD_CRASH_AT": "published"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    killed = killed_batch_id(ref_db)
    assert query(ref_db, "select count(*) from incidents") == [(2,)]
    assert query(ref_db, "select count(*) from services") == [(1,)]
    assert stray_files(ref_db) == []

    result = load(ref_db, *files)
    assert [(f.unchanged, f.loaded) for f in result.files] == [(2, 0), (1, 0)]
    # The journal never said "committed", but the warehouse's own log does: not interrupted.
    assert query(ref_db, "select status from load_log where batch_id = $1", [killed]) == [("committed",)]
    assert query(ref_db, "select count(*) from load_log where status <> 'committed'") == [(0,)]


@pytest.mark.parametrize("point", ["copy", "publish"])
def test_a_rebuild_killed_before_publishing_leaves_the_warehouse_as_it_was(ref_db, inbox, point):
    load(ref_db, *batch(inbox))
    before_digest, before = digest(ref_db), snapshot(ref_db)
    proc = subprocess.run([sys.executable, "-m", "etl", "rebuild", "--db", str(ref_db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "TPD_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert digest(ref_db) == before_digest and snapshot(ref_db) == before

    rebuild_marts(ref_db)
    assert stray_files(ref_db) == []
    assert snapshot(ref_db) == before   # the marts rebuilt whole hold what the loads left


def test_a_journal_line_cut_by_a_kill_does_not_swallow_the_next_entry(ref_db, inbox):
    files = batch(inbox)
    with open(journal_path(ref_db), "ab") as fh:
        fh.write(b'{"batch_id": "cut-short", "event": "sta')
    result = load(ref_db, *files)
    events = [(e["batch_id"], e["event"]) for e in journal_entries(ref_db)]
    assert events[-2:] == [(result.batch_id, "started"), (result.batch_id, "committed")]
