"""Small warehouses from explicit records for the query and metrics tests, built through the real ETL.

A test lists the records it needs with the row helpers below (each fills the
required columns with harmless defaults, so a test names only what matters),
`build` writes one CSV per record type under a temporary directory and loads
them with `etl.loader.load_batch`, and `compute_values` / `run_cli` read the
figures back through the engine or the command line.

The reference data is one small hierarchy, the same in every warehouse:

    CITY 市局
    └── ZD 旅游警察支队
        ├── FJ1 景区分局一 ── PCS1 派出所一
        └── FJ2 景区分局二 ── PCS2 派出所二

and three scenic areas: S1 (responsible unit FJ1), S2 (PCS2) and S0 (no
responsible unit).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from etl.loader import load_batch

REPO = Path(__file__).resolve().parents[2]

UNITS = [
    dict(unit_code="CITY", unit_name="市公安局", unit_level="市局", parent_code=""),
    dict(unit_code="ZD", unit_name="旅游警察支队", unit_level="旅游警察支队", parent_code="CITY"),
    dict(unit_code="FJ1", unit_name="景区分局一", unit_level="景区分局", parent_code="ZD"),
    dict(unit_code="PCS1", unit_name="派出所一", unit_level="派出所", parent_code="FJ1"),
    dict(unit_code="FJ2", unit_name="景区分局二", unit_level="景区分局", parent_code="ZD"),
    dict(unit_code="PCS2", unit_name="派出所二", unit_level="派出所", parent_code="FJ2"),
]
AREAS = [
    dict(area_code="S1", area_name="大佛景区", grade="5A", unit_code="FJ1"),
    dict(area_code="S2", area_name="峨眉景区", grade="5A", unit_code="PCS2"),
    dict(area_code="S0", area_name="无责任单位景区", grade="其他", unit_code=""),
]


# --- one row of each record type -------------------------------------------------

def officer(person_id, person_type="专职旅游警察", unit="FJ1", joined="2020-01-01", left=""):
    return dict(person_id=person_id, name=f"警员{person_id}", person_type=person_type,
                unit_code=unit, joined_on=joined, left_on=left)


def post(code, post_type="旅游警务室", standardized="是", unit="FJ1", opened="2020-01-01", closed="",
         area="", lon="", lat=""):
    return dict(post_code=code, post_name=f"点位{code}", post_type=post_type, unit_code=unit,
                area_code=area, standardized=standardized, opened_on=opened, closed_on=closed, lon=lon, lat=lat)


def team(code, team_type="旅游警务志愿者队伍", unit="FJ1", founded="2020-01-01", dissolved=""):
    return dict(team_code=code, team_name=f"队伍{code}", team_type=team_type, unit_code=unit,
                members="10", founded_on=founded, dissolved_on=dissolved)


def deployment(did, start, end=None, mode="常态勤务", season="淡季", police=0, auxiliary="",
               unit="FJ1", area=""):
    return dict(deployment_id=did, start_date=start, end_date=end or start, unit_code=unit,
                area_code=area, season=season, mode=mode, police_count=str(police),
                auxiliary_count=str(auxiliary))


def incident(iid, received, unit="FJ1", arrived="", closed="", case_type="", area="", category="盗窃", lon="",
             lat=""):
    return dict(incident_id=iid, received_at=received, unit_code=unit, area_code=area,
                category=category, arrived_at=arrived, closed_at=closed, case_type=case_type, lon=lon, lat=lat)


def mediation(mid, opened, result="调解成功", compensation="", unit="FJ1", area=""):
    return dict(mediation_id=mid, opened_at=opened, unit_code=unit, area_code=area,
                dispute_type="消费纠纷", result=result, compensation_yuan=compensation)


def service(sid, date, service_type, quantity=1, unit="FJ1", area=""):
    return dict(service_id=sid, service_date=date, unit_code=unit, area_code=area,
                service_type=service_type, quantity=str(quantity))


def action(aid, date, action_type, quantity=1, unit="FJ1", area=""):
    return dict(action_id=aid, action_date=date, unit_code=unit, area_code=area,
                action_type=action_type, quantity=str(quantity))


def survey(rid, submitted, satisfaction, safety="", unit="", area=""):
    return dict(response_id=rid, submitted_at=submitted, area_code=area, unit_code=unit,
                channel="扫码问卷", q_safety=str(safety), q_satisfaction=str(satisfaction))


def visit(area, date, visitors):
    return dict(area_code=area, visit_date=date, visitors=str(visitors))


def nomination(nid, person_id, nominated_on, outcome=""):
    return dict(nomination_id=nid, campaign="2021年度最美旅游警察", person_id=person_id,
                nominated_by="群众推荐", nominated_on=nominated_on, outcome=outcome)


def vote(vid, nomination_id, voted_at, voter):
    return dict(vote_id=vid, nomination_id=nomination_id, voted_at=voted_at, channel="微信",
                voter_key=voter)


def surveys_with(rid_prefix, submitted, counts: dict[int, int], field="q_satisfaction", **kw):
    """Survey rows: `counts[score]` responses with that score in `field` (the other score 3)."""
    rows, n = [], 0
    for score, how_many in counts.items():
        for _ in range(how_many):
            n += 1
            scores = {"satisfaction": 3, "safety": 3}
            scores["satisfaction" if field == "q_satisfaction" else "safety"] = score
            rows.append(survey(f"{rid_prefix}{n:04d}", submitted, **scores, **kw))
    return rows


# --- warehouses -----------------------------------------------------------------

def write_csv(path: Path, rows: list[dict]) -> Path:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def build(directory: Path, units=UNITS, scenic_areas=AREAS, **records: list[dict]) -> Path:
    """A warehouse holding exactly these records, loaded as one batch by the real ETL.

    Every row must load: a quarantined row would make the test's hand-computed
    figures wrong for the wrong reason, so it fails here, loudly.
    """
    directory = Path(directory)
    src = directory / "exports"
    src.mkdir(parents=True, exist_ok=True)
    files = [write_csv(src / "units.csv", list(units))]
    if scenic_areas:
        files.append(write_csv(src / "scenic_areas.csv", list(scenic_areas)))
    for record_type, rows in records.items():
        if rows:
            files.append(write_csv(src / f"{record_type}.csv", list(rows)))
    db = directory / "warehouse.duckdb"
    result = load_batch(db, files, user="test")
    bad = {f.file: f.quarantined for f in result.files if f.quarantined}
    assert not bad, f"fixture rows quarantined: {bad}"
    loaded = {f.type: f.loaded for f in result.files}
    for record_type, rows in records.items():
        if rows:
            assert loaded[record_type] == len(rows), (record_type, loaded[record_type], len(rows))
    return db


@contextlib.contextmanager
def queries_reading(db: Path):
    """The page queries (`dashboard.queries.db`, one warehouse per process) read `db` in the block;
    after it, TPD_DB's again: the session's demo warehouse once `demo_db` has been built."""
    from dashboard.queries import db as queries_db
    queries_db.configure(db)
    try:
        yield db
    finally:
        if os.environ.get("TPD_DB"):
            queries_db.configure(os.environ["TPD_DB"])


_READERS: dict[tuple[str, str], object] = {}


def connect(db: Path):
    """A read-only connection on the published warehouse, shared while the file is unchanged."""
    from warehouse.connection import connect_reader, file_version
    key = (str(db), file_version(Path(db)))
    if key not in _READERS:
        _READERS[key] = connect_reader(db)
    return _READERS[key]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


_COMPUTED: dict[tuple, dict] = {}


def compute_values(db: Path, start: str, end: str, unit=None, area=None, season=None,
                   metric_ids=None, full=False):
    """{metric_id: value} (or MetricValue with `full`) from the engine.

    The same question on the same warehouse file is computed once per session.
    """
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries.metrics import compute
    from warehouse.connection import file_version
    key = (str(db), file_version(Path(db)), start, end, unit, area, season,
           tuple(metric_ids) if metric_ids else None)
    if key not in _COMPUTED:
        _COMPUTED[key] = compute(connect(db), Filters(day(start), day(end), unit=unit, area=area,
                                                      season=season), Scope.city(), metric_ids)
    values = _COMPUTED[key]
    return dict(values) if full else {k: v.value for k, v in values.items()}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dashboard.queries.metrics", "--db", str(db), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


_CLI_RUNS: dict[tuple, dict] = {}


def run_cli(db: Path, start: str, end: str, unit: str | None = None, *more: str) -> dict:
    """The CLI's JSON object for a period (and unit); fails the test on a non-zero exit.

    The same question on the same warehouse file is asked once per session.
    """
    from warehouse.connection import file_version
    args = ["--start", start, "--end", end, *(["--unit", unit] if unit else []), *more, "--json"]
    key = (str(db), file_version(Path(db)), *args)
    if key not in _CLI_RUNS:
        proc = cli(db, *args)
        assert proc.returncode == 0, proc.stderr
        _CLI_RUNS[key] = json.loads(proc.stdout)
    return dict(_CLI_RUNS[key])
