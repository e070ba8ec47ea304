"""Export files for the ETL tests, written into tmp_path, and what a load left behind.

Records are written from dicts keyed by the contract's English names; by
default the file carries the Chinese headers a clerk's export has. `rec(type,
**changes)` gives one valid record of a type with the changes applied, so each
test states only what it is about. The reference batch (three units, one
scenic area) is loaded once per session by `tests.fixtures.etl` and copied into
each test that asks for `ref_db`.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
from warehouse import record_types
from etl.loader import load_batch
from etl.pii import salt_path
from warehouse.connection import connect_reader
from warehouse.partitions import parts_dir, published_files

ROOT = Path(__file__).resolve().parents[2]

TEMPLATES: dict[str, dict[str, str]] = {
    "units": dict(unit_code="U09", unit_name="测试派出所", unit_level="派出所", parent_code="Z01",
                  county="古城区"),
    "scenic_areas": dict(area_code="A09", area_name="测试景区", grade="4A", county="古城区",
                         lon="110.1", lat="25.1", unit_code="P01"),
    "posts": dict(post_code="S01", post_name="古城旅游警务室", post_type="旅游警务室", unit_code="P01",
                  area_code="A01", standardized="是", opened_on="2021-05-03", closed_on="",
                  lon="", lat=""),
    "officers": dict(person_id="110001", name="张伟", gender="男", person_type="专职旅游警察",
                     unit_code="P01", joined_on="2020-01-01", left_on="", phone=""),
    "teams": dict(team_code="T01", team_name="古城志愿者队", team_type="旅游警务志愿者队伍",
                  unit_code="P01", members="20", founded_on="2020-01-01", dissolved_on=""),
    "deployments": dict(deployment_id="D01", start_date="2021-05-01", end_date="2021-05-05",
                        unit_code="P01", area_code="A01", season="旺季", mode="动态布警",
                        police_count="10", auxiliary_count="5", volunteer_count=""),
    "incidents": dict(incident_id="J001", received_at="2021-05-03 14:05", unit_code="P01",
                      area_code="A01", category="盗窃", source="110报警",
                      arrived_at="2021-05-03 14:20", closed_at="2021-05-03 18:00", case_type="",
                      tourist_origin="广东", lon="", lat="", summary="游客手机被盗"),
    "mediations": dict(mediation_id="M01", incident_id="J999", opened_at="2021-05-03 10:00",
                       unit_code="P01", area_code="A01", dispute_type="消费纠纷", result="调解成功",
                       closed_at="2021-05-03 12:00", compensation_yuan="1600", fast_track="是"),
    "services": dict(service_id="F01", service_date="2021-05-03", unit_code="P01", area_code="A01",
                     service_type="寻人", quantity="2"),
    "enforcement": dict(action_id="E01", action_date="2021-05-03", unit_code="P01", area_code="A01",
                        action_type="商铺检查", quantity="12"),
    "surveys": dict(response_id="Q01", submitted_at="2021-05-03 16:00", area_code="A01",
                    unit_code="P01", channel="扫码问卷", respondent_type="游客", origin="湖南",
                    q_safety="5", q_satisfaction="4", q_visibility="", q_efficiency="",
                    q_attitude="", comment="", phone=""),
    "visitors": dict(area_code="A01", visit_date="2021-05-03", visitors="12000"),
    "nominations": dict(nomination_id="N01", campaign="2021年度最美旅游警察", person_id="110001",
                        nominated_by="群众推荐", nominated_on="2021-06-01", reason="", outcome=""),
    "votes": dict(vote_id="V01", nomination_id="N01", voted_at="2021-06-02 09:00", channel="微信",
                  voter_key="wx-voter-1"),
}

REFERENCE_UNITS = [
    dict(unit_code="C01", unit_name="市公安局", unit_level="市局", parent_code="", county=""),
    dict(unit_code="Z01", unit_name="旅游警察支队", unit_level="旅游警察支队", parent_code="C01", county=""),
    dict(unit_code="P01", unit_name="古城派出所", unit_level="派出所", parent_code="Z01", county="古城区"),
]
REFERENCE_AREAS = [
    dict(area_code="A01", area_name="古城景区", grade="5A", county="古城区", lon="110.5", lat="25.3",
         unit_code="P01"),
]


def rec(type_name: str, **changes) -> dict[str, str]:
    """One valid record of `type_name` (English names as keys) with `changes` applied."""
    record = dict(TEMPLATES[type_name])
    unknown = set(changes) - set(record)
    assert not unknown, f"{type_name} has no column {unknown}"
    record.update(changes)
    return record


def csv_bytes(headers, rows, *, encoding="utf-8", title_rows=(), delimiter=",") -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for title in title_rows:
        writer.writerow(title if isinstance(title, (list, tuple)) else [title])
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def write_csv(path: Path, headers, rows, *, encoding="utf-8", title_rows=(), delimiter=",") -> Path:
    """A CSV of `headers` and `rows` (lists of cells) in `encoding`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(headers, rows, encoding=encoding, title_rows=title_rows,
                               delimiter=delimiter))
    return path


def write_xlsx(path: Path, headers, rows, *, title_rows=(), leading_blank_rows=0) -> Path:
    """The first sheet holds optional blank and title rows, the header, then `rows` (any cell values)."""
    import openpyxl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(leading_blank_rows):
        ws.append([])
    for title in title_rows:
        ws.append(list(title) if isinstance(title, (list, tuple)) else [title])
    ws.append(list(headers))
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.save(path)
    return path


def headers_of(type_name: str, names, style: str = "zh") -> list[str]:
    rt = record_types.get(type_name)
    return [rt.column(n).zh if style == "zh" else n for n in names]


def write_records(path: Path, type_name: str, records: list[dict], *, style: str = "zh",
                  fmt: str | None = None, **kw) -> Path:
    """Write records (dicts keyed by English name) with Chinese (`zh`) or English (`en`) headers."""
    names = list(records[0]) if records else list(TEMPLATES[type_name])
    headers = headers_of(type_name, names, style)
    rows = [[r.get(n, "") for n in names] for r in records]
    if (fmt or Path(path).suffix.lstrip(".")) == "xlsx":
        return write_xlsx(path, headers, rows, **kw)
    return write_csv(path, headers, rows, **kw)


def reference_batch(directory: Path) -> list[Path]:
    """Units (市局 → 支队 → 派出所) and one scenic area, as a clerk would export them."""
    directory = Path(directory)
    return [
        write_records(directory / "units.csv", "units", REFERENCE_UNITS),
        write_records(directory / "scenic_areas.csv", "scenic_areas", REFERENCE_AREAS),
    ]


def load(db: Path, *paths, **kw):
    """One batch through the one generic loader."""
    return load_batch(db, list(paths), **kw)


def cli_load(db: Path, *paths, args=(), env=None) -> subprocess.CompletedProcess:
    """`python -m etl load --json --db DB PATHS...` in a subprocess; `.json` holds the parsed output."""
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "load", "--json", "--db", str(db), *args, *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    try:
        proc.json = json.loads(proc.stdout)
    except json.JSONDecodeError:
        proc.json = None
    return proc


def cli_main(db: Path, *paths, args=()) -> SimpleNamespace:
    """The same command run in this process (cheaper): `.returncode`, `.stdout`, `.stderr`, `.json`."""
    from etl.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["load", "--json", "--db", str(db), *args, *map(str, paths)])
    try:
        parsed = json.loads(out.getvalue())
    except json.JSONDecodeError:
        parsed = None
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue(), json=parsed)


def reader(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection as the dashboard opens one (a partitioned warehouse's months included)."""
    return connect_reader(Path(db))


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = reader(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def quarantined(db: Path, file_name: str | None = None) -> list[dict]:
    """Quarantine rows as dicts, in file and row order."""
    con = reader(db)
    try:
        cur = con.execute(
            "select * from quarantine where $f is null or file_name like '%' || $f "
            "order by file_name, row_number, column_name", {"f": file_name})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def table_rows(db: Path, table: str, order_by: str) -> list[dict]:
    con = reader(db)
    try:
        cur = con.execute(f"select * exclude (_batch_id) from {table} order by {order_by}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def copy_warehouse(src: Path, dst: Path) -> Path:
    """The warehouse file (and a partitioned one's partitions) and its salt."""
    shutil.copyfile(src, dst)
    if parts_dir(src).exists():
        shutil.copytree(parts_dir(src), parts_dir(dst), dirs_exist_ok=True)
    shutil.copy(salt_path(src), salt_path(dst))  # keeps the salt's 0600
    return dst


def digest(path) -> str:
    """A file's bytes, hashed; of a partitioned warehouse, its core's and those of the partitions it
    names: a warehouse left exactly as it was has the same digest."""
    h = hashlib.sha256(path.read_bytes())
    for name in sorted(published_files(path) if parts_dir(path).exists() else ()):
        h.update(name.encode())
        h.update((parts_dir(path) / name).read_bytes())
    return h.hexdigest()


def snapshot(db) -> dict:
    """Every table's rows, bookkeeping included, in a stable order (a partitioned warehouse's tables
    through their views; not its manifest, which names files: `digest` holds those)."""
    con = reader(db)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'wh' and table_name <> 'partitions' union "
            "select view_name from duckdb_views() where database_name = 'memory' and not internal "
            "order by 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in tables}
    finally:
        con.close()


def stray_files(db):
    """A load's leftovers: private copies, and partition files the published core does not name."""
    named = published_files(db)
    parts = parts_dir(db)
    strays = [p.name for p in parts.iterdir() if p.name not in named] if parts.exists() else []
    return sorted([p.name for p in db.parent.iterdir() if ".loading-" in p.name] + strays)
