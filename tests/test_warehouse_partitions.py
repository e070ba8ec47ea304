"""The partitioned layout (warehouse/partitions.py) answers as the single file does.

The loading promises on a partitioned warehouse are held by the tests that run on both layouts
(`each_layout`): test_etl_incremental.py, test_reliability_crash.py, test_replicate.py, and the
partitioned cases of test_reliability_snapshots.py and test_reliability_serving.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import duckdb

from etl.loader import partition_warehouse
from tests.builders.files import ROOT, copy_warehouse, load, query, rec, reference_batch, write_records
from warehouse.partitions import LAYOUT_ENV, parts_dir, published_files


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


def test_a_partition_from_before_a_type_change_takes_the_declared_type_when_a_load_writes_it(
        db, inbox, monkeypatch):
    monkeypatch.setenv(LAYOUT_ENV, "partitioned")
    load(db, *reference_batch(inbox), write_records(inbox / "mediations.csv", "mediations", [rec("mediations")]))
    (old_file,) = published_files(db)
    con = duckdb.connect(str(parts_dir(db) / old_file))       # as a warehouse of before the change left it
    con.execute("alter table mediations alter column compensation_yuan set data type decimal(18,4)")
    con.close()
    load(db, write_records(inbox / "mediations_2.csv", "mediations",
                           [rec("mediations", mediation_id="M02", compensation_yuan="1600.55")]))
    (new_file,) = published_files(db)
    con = duckdb.connect(str(parts_dir(db) / new_file), read_only=True)
    try:
        assert con.execute("select data_type from duckdb_columns() where column_name = 'compensation_yuan'"
                           ).fetchall() == [("DECIMAL(18,2)",)]
    finally:
        con.close()
    assert query(db, "select mediation_id, compensation_yuan from mediations order by 1") == [
        ("M01", Decimal("1600.00")), ("M02", Decimal("1600.55"))]


def test_a_month_published_before_a_mart_existed_reads_that_marts_rows_from_its_records(demo_db, tmp_path):
    """A partitioned warehouse whose older months lack a daily mart added since (until a load of
    those months or a rebuild writes it) still sees every month's rows of it."""
    copy = copy_warehouse(demo_db, tmp_path / "warehouse.duckdb")
    assert partition_warehouse(copy)
    older = sorted(f for f in published_files(copy) if f.startswith("incidents.2026-0"))[:3]
    for file in older:
        with duckdb.connect(str(parts_dir(copy) / file)) as con:
            con.execute("drop table incident_mix_daily")
    assert query(copy, "select sum(incidents) from incident_mix_daily") == query(copy, "select count(*) from incidents")
