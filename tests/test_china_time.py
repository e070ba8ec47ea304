"""China time everywhere: on a server whose zone is UTC, every stamp a person reads is Asia/Shanghai.

Records whose last incident came in at 20:55 China time are loaded by `python -m etl load` and
served by the dashboard, both with TZ=UTC: the load log is stamped in China time, the overview's
数据截至 reads 20:55, the 周报's 生成于 is the moment in China.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest

from tests.builders import warehouses as wh
from tests.builders.accounts import http_session, make_accounts, start_server, stop_server
from tests.builders.files import cli_load, query

UTC_SERVER = {"TZ": "UTC"}
SHELL = ["shell-nav.children", "shell-lang.href", "shell-lang.children", "shell-brand.children", "shell-brand.href",
         "shell-banner.children", "shell-asof.children", "shell-user.children", "shell-signout.children"]


def china_now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


@pytest.fixture(scope="module")
def utc_warehouse(tmp_path_factory):
    directory = tmp_path_factory.mktemp("utc")
    src = directory / "exports"
    src.mkdir()
    files = [wh.write_csv(src / "units.csv", wh.UNITS), wh.write_csv(src / "scenic_areas.csv", wh.AREAS),
             wh.write_csv(src / "incidents.csv", [wh.incident("I1", "2026-11-22 09:10:00"),
                                                  wh.incident("I2", "2026-11-22 20:55:00", arrived="2026-11-22 21:05:00")])]
    db = directory / "warehouse.duckdb"
    loaded = cli_load(db, *files, env=UTC_SERVER)
    assert loaded.returncode == 0, loaded.stderr
    return db


@pytest.fixture(scope="module")
def utc_server(utc_warehouse):
    users_db = utc_warehouse.parent / "users.sqlite3"
    accounts = make_accounts(users_db, "FJ1")
    proc, base = start_server(utc_warehouse, users_db, env=UTC_SERVER)
    yield base, accounts
    stop_server(proc)


def test_the_loader_stamps_the_load_log_in_china_time_on_a_utc_server(utc_warehouse):
    [(started, finished, batch_id)] = query(utc_warehouse, "select started_at, finished_at, batch_id from load_log")
    assert abs((finished - china_now()).total_seconds()) < 300
    assert started <= finished and batch_id.startswith(started.strftime("%Y%m%dT%H"))


def test_the_overviews_data_as_of_is_the_last_incidents_china_time(utc_server):
    base, accounts = utc_server
    s = http_session(base, accounts["leader"])
    body = {"output": ".." + "...".join(SHELL) + "..",
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in SHELL],
            "inputs": [{"id": "url", "property": "pathname", "value": "/"},
                       {"id": "url", "property": "search", "value": ""}],
            "changedPropIds": ["url.pathname"], "state": []}
    answer = s.post(base + "/_dash-update-component", data=json.dumps(body),
                    headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["response"]["shell-asof"]["children"] == "数据截至 2026-11-22 20:55"


def test_the_briefings_stamps_are_china_time(utc_server):
    base, accounts = utc_server
    s = http_session(base, accounts["leader"])
    page = s.get(base + "/briefing/print?period=custom&start=2026-11-16&end=2026-11-22", timeout=120)
    assert page.status_code == 200
    found = re.search(r"数据截至 (\S+ \S+) · 生成于 (\S+ \S+)", page.text)
    assert found and found.group(1) == "2026-11-22 20:55"
    generated = dt.datetime.strptime(found.group(2), "%Y-%m-%d %H:%M")
    assert abs((generated - china_now()).total_seconds()) < 300


def test_the_demo_has_no_record_later_than_its_now(tmp_path):
    from etl.demo import generate_exports
    from etl.loader import load_batch
    now = dt.datetime(2026, 11, 23, 10, 30)
    db = tmp_path / "warehouse.duckdb"
    load_batch(db, generate_exports(tmp_path / "exports", seed=3, scale=3000, now=now), user="test")
    latest = {column: query(db, f"select max({column}) from {table}")[0][0] for table, column in (
        ("incidents", "received_at"), ("incidents", "arrived_at"), ("incidents", "closed_at"),
        ("mediations", "opened_at"), ("surveys", "submitted_at"))}
    assert all(at <= now for at in latest.values()), latest
