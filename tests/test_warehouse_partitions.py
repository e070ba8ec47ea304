"""The partitioned layout (warehouse/partitions.py) answers as the single file does.

The loading promises on a partitioned warehouse are held by the tests that run on both layouts
(`each_layout`): test_etl_incremental.py, test_reliability_crash.py, test_replicate.py, and the
partitioned cases of test_reliability_snapshots.py and test_reliability_serving.py.
"""
from __future__ import annotations

import os
import subprocess
import sys

from etl.loader import partition_warehouse
from tests.builders.files import ROOT, copy_warehouse
from warehouse.partitions import LAYOUT_ENV, published_files


def test_the_metrics_of_the_demo_partitioned_are_those_of_the_single_file(demo_db, tmp_path):
    """The metrics command's JSON, city-wide and for one unit, on the demo and on a partitioned copy of it."""
    copy = copy_warehouse(demo_db, tmp_path / "warehouse.duckdb")
    assert partition_warehouse(copy) and published_files(copy)
    assert not partition_warehouse(copy)                     # already partitioned: nothing changes

    def metrics(db, *scope):
        proc = subprocess.run([sys.executable, "-m", "dashboard.queries.metrics", "--db", str(db),
                               "--start", "2025-01-01", "--end", "2026-11-22", *scope, "--json"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout
    for scope in ((), ("--unit", "YL0003")):
        assert metrics(copy, *scope) == metrics(demo_db, *scope)


def test_an_unknown_layout_is_refused_in_both_languages_before_anything_is_loaded(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(tmp_path / "w.duckdb"), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, LAYOUT_ENV: "sharded"})
    assert proc.returncode == 2
    assert "只能是 single 或 partitioned" in proc.stderr and "must be single or partitioned" in proc.stderr
    assert not (tmp_path / "w.duckdb").exists()
