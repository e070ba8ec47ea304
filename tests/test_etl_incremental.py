"""Marts refreshed for the days a batch touched equal marts built whole from the same records.

Each load recomputes the daily marts only for the days of its new rows and of the versions
its updates replaced (warehouse/marts.py); `python -m etl rebuild` builds them all from the
records. After any sequence of loads — corrections that move old rows to another day or
unit, rows added in a closed period, batches over many units, an identical reload — the two
must hold the same rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys

import pytest

from etl.loader import rebuild_marts
from tests.builders.files import ROOT, copy_warehouse, load, query, reader, rec, write_records
from warehouse.marts import DAILY
from warehouse.partitions import published_files

pytestmark = pytest.mark.usefixtures("each_layout")

MARTS = ("unit_closure", "season_days", "peak_periods", *(name for name, *_ in DAILY))


def marts(db) -> dict[str, list[tuple]]:
    con = reader(db)
    try:
        return {name: con.execute(f"select * from {name} order by all").fetchall() for name in MARTS}
    finally:
        con.close()


def rebuilt(db, tmp_path) -> dict[str, list[tuple]]:
    """The marts of a copy of `db` rebuilt whole from its records."""
    copy = copy_warehouse(db, tmp_path / "rebuilt.duckdb")
    rebuild_marts(copy)
    return marts(copy)


UNITS = [rec("units", unit_code=f"P{i:02d}", unit_name=f"派出所{i}", unit_level="派出所", parent_code="Z01")
         for i in range(2, 14)]


def first_batch(inbox):
    """Many units, an officer and a nomination, and flow records spread over days and units."""
    incidents = [rec("incidents", incident_id=f"J{i:03d}", unit_code=f"P{2 + i % 12:02d}",
                     received_at=f"2021-05-{1 + i % 9:02d} 1{i % 10}:05",
                     arrived_at=f"2021-05-{1 + i % 9:02d} 1{i % 10}:25",
                     closed_at=f"2021-05-{1 + i % 9:02d} 1{i % 10}:55" if i % 3 else "",
                     case_type="刑事案件" if i % 4 == 0 else "") for i in range(40)]
    surveys = [rec("surveys", response_id=f"Q{i:03d}", unit_code=f"P{2 + i % 12:02d}",
                   submitted_at=f"2021-05-{1 + i % 7:02d} 16:00", q_satisfaction=str(1 + i % 5),
                   comment="排队太久" if i % 4 == 0 else "") for i in range(30)]
    votes = [rec("votes", vote_id=f"V{i:03d}", voter_key=f"wx-{i % 4}",
                 voted_at=f"2021-06-0{2 + i % 3} 0{i % 8}:00") for i in range(24)]
    return [write_records(inbox / "units.csv", "units", UNITS),
            write_records(inbox / "officers.csv", "officers", [rec("officers")]),
            write_records(inbox / "nominations.csv", "nominations", [rec("nominations")]),
            write_records(inbox / "incidents.csv", "incidents", incidents),
            write_records(inbox / "surveys.csv", "surveys", surveys),
            write_records(inbox / "votes.csv", "votes", votes)]


def corrections(inbox):
    """Old rows moved to another day and unit or changed in place, and rows in a closed period."""
    incidents = [rec("incidents", incident_id="J001", received_at="2021-05-20 09:00", unit_code="P13",
                     arrived_at="2021-05-20 09:30", closed_at="2021-05-20 10:00"),
                 rec("incidents", incident_id="J002", unit_code="P02", received_at="2021-05-03 12:05",
                     arrived_at="2021-05-03 12:50", closed_at="2021-05-04 09:00", case_type="行政案件"),
                 *(rec("incidents", incident_id=f"OLD{i}", received_at=f"2019-10-0{1 + i} 10:00",
                       arrived_at=f"2019-10-0{1 + i} 10:10", closed_at="", unit_code=f"P{3 + i:02d}")
                   for i in range(5))]
    surveys = [rec("surveys", response_id="Q000", submitted_at="2021-04-30 10:00", q_satisfaction="1",
                   comment=""),
               rec("surveys", response_id="Q001", unit_code="P12", q_satisfaction="2"),
               rec("surveys", response_id="OLDQ", submitted_at="2019-10-02 10:00")]
    votes = [rec("votes", vote_id="V000", voter_key="wx-0", voted_at="2021-06-03 23:59"),
             rec("votes", vote_id="OLDV", voter_key="wx-1", voted_at="2019-10-02 08:00")]
    return [write_records(inbox / "incidents_fix.csv", "incidents", incidents),
            write_records(inbox / "surveys_fix.csv", "surveys", surveys),
            write_records(inbox / "votes_fix.csv", "votes", votes)]


def test_marts_after_loads_that_correct_old_rows_and_fill_a_closed_period_equal_a_rebuild(ref_db, inbox, tmp_path):
    load(ref_db, *first_batch(inbox))
    result = load(ref_db, *corrections(inbox))
    assert sum(f.updated for f in result.files) == 5 and sum(f.loaded for f in result.files) == 7
    assert marts(ref_db) == rebuilt(ref_db, tmp_path)


def test_a_partitioned_load_writes_only_the_months_its_batch_touched(ref_db, inbox, each_layout):
    load(ref_db, *first_batch(inbox))
    before = published_files(ref_db)
    load(ref_db, write_records(inbox / "incidents_late.csv", "incidents", [rec("incidents", incident_id="LATE",
                                                                   received_at="2019-10-09 10:00")]))
    after = published_files(ref_db)
    if each_layout == "single":
        assert before == after == set()
        return
    assert sorted(f.rsplit(".", 2)[0] for f in before) == ["incidents.2021-05", "surveys.2021-05", "votes.2021-06"]
    assert before < after and sorted(f.rsplit(".", 2)[0] for f in after - before) == ["incidents.2019-10"]
    assert query(ref_db, "select count(*) from incidents where incident_id = 'LATE'") == [(1,)]


def test_an_identical_reload_leaves_every_mart_as_it_was(ref_db, inbox):
    load(ref_db, *first_batch(inbox))
    before, files = marts(ref_db), published_files(ref_db)
    result = load(ref_db, *first_batch(inbox))
    assert sum(f.unchanged for f in result.files) == sum(f.rows for f in result.files)
    assert marts(ref_db) == before
    assert published_files(ref_db) == files   # (partitioned) no partition copied, rewritten or replaced


def test_the_demo_loaded_month_by_month_with_corrections_equals_a_rebuild(tmp_path):
    from etl.demo import generate_exports

    files = generate_exports(tmp_path / "exports", seed=11, scale=1500, today=dt.date(2026, 11, 23))
    flow = [f for f in files if f.stem.startswith(("涉旅警情", "incidents", "满意度调查", "surveys",
                                                   "投票记录", "votes"))]
    db = tmp_path / "warehouse.duckdb"
    load(db, *(f for f in files if f not in flow))
    csvs = sorted(f for f in flow if f.suffix == ".csv")
    for batch in (csvs[len(csvs) // 2:], csvs[:len(csvs) // 4], csvs[len(csvs) // 4:len(csvs) // 2]):
        load(db, *batch)
    load(db, *(f for f in flow if f.suffix != ".csv"))
    result = load(db, _corrected(next(f for f in csvs if f.name.startswith("incidents_")), tmp_path / "fix"))
    assert result.files[0].updated > 0
    assert marts(db) == rebuilt(db, tmp_path)


def _corrected(path, directory):
    """The incidents export `path` again, every third incident a week later (an old day left, a new one hit)."""
    directory.mkdir()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    names = [h.strip(" \u3000") for h in header]
    for row in body[::3]:
        for at in (names.index("接警时间"), names.index("到场时间"), names.index("办结时间")):
            if row[at].strip() not in ("", "-"):
                moved = dt.datetime.strptime(row[at].strip(), "%Y/%m/%d %H:%M") + dt.timedelta(days=7)
                row[at] = moved.strftime("%Y-%m-%d %H:%M:%S")
    target = directory / path.name
    with open(target, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return target


def test_the_rebuild_command_refuses_a_missing_warehouse_in_both_languages(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "etl", "rebuild", "--db", str(tmp_path / "none.duckdb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "数据仓库文件不存在" in proc.stderr and "warehouse file not found" in proc.stderr
    assert not (tmp_path / "none.duckdb").exists()
