"""Warming the shared answers after a publish (dashboard.warm).

Each test serves its own replica of the demo warehouse with its own shared
answers; a publish is a newer file replicated over it (`warehouse replicate`),
as on a node. After it, warming keeps the default views (last week, this
month) of every answer class on the city and of each unit with unit accounts;
a request for one of them is then answered from the store without computing;
warming stops when its time is spent, a request made while it runs is
answered meanwhile, and of two nodes sharing Redis only one warms a version.
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from cachelib import FileSystemCache

from dashboard import shared_answers, warm
from dashboard.auth.roles import answer_class
from dashboard.queries import db
from dashboard.shared_answers import answer_key
from tests.builders.accounts import dash_test_client
from tests.builders.files import copy_warehouse
from tests.builders.redis import RedisServer
from warehouse.connection import file_version, published_version
from warehouse.replicate import replicate

KPIS = "overview-kpis.children"


def _kpis_body(view: str) -> dict:
    return warm.callback_body(KPIS, "overview-view", view)


def _publish(loader, served) -> str:
    """A newer publish of the loader's file, replicated over the node's: its published version."""
    time.sleep(0.01)
    os.utime(loader)          # published now: newer than the node's copy
    replicate(loader, served)
    return published_version(file_version(served))


@pytest.fixture
def node(demo_db, branch, tmp_path, monkeypatch):
    """A node's app on its replica, a unit account on `branch`, answers in the test's own directory."""
    from dashboard.app import create_app
    from dashboard.auth import store

    monkeypatch.setenv("TPD_SHARED_CACHE_DIR", str(tmp_path / "answers"))
    monkeypatch.delenv("TPD_CACHE_URL", raising=False)
    loader = copy_warehouse(demo_db, tmp_path / "loader.duckdb")
    (tmp_path / "node").mkdir()
    served = tmp_path / "node" / "warehouse.duckdb"
    replicate(loader, served)
    app = create_app(served)
    store.add("unit-lead", "unit", password="Warm-test-pass-2026!", unit_code=branch, must_change=False,
              actor="tests")
    yield app, loader, served
    db.configure(demo_db)


def _stored(store, body: dict, version: str, role: str, unit: str | None) -> bool:
    return store.get(answer_key(body, version, _today(), answer_class(role), unit)) is not None


def _answers_in(store) -> int:
    """Answers in a file store (not its count of them)."""
    count_file = Path(store._cache._get_filename(FileSystemCache._fs_count_file)).name
    return sum(1 for p in store.directory.iterdir() if p.name != count_file)


def _today() -> str:
    from dashboard.clock import today
    return today().isoformat()


def test_after_a_publish_warming_keeps_the_default_views_of_every_class_and_scope(node, branch):
    app, loader, served = node
    version = _publish(loader, served)
    done = warm.warm_once(app, 300)
    assert done.outcome == "warmed" and done.version == version and not done.out_of_time
    assert done.not_kept == []
    by_scope = done.as_dict()["by_class_and_scope"]
    assert set(by_scope) == {"admin+records city", "records city", "- city", f"records@unit {branch}"}
    # each class and scope: two views of every page it opens; the overview's four callbacks among them
    store = app.server.extensions["tpd_answer_store"]
    for role, unit in (("admin", None), ("leader", None), ("opinion", None), ("publicity", None), ("unit", branch)):
        for view in ("?period=last_week", "?period=this_month"):
            assert _stored(store, _kpis_body(view), version, role, unit), (role, view)
    assert _answers_in(store) == done.as_dict()["computed"] == sum(by_scope.values())
    assert by_scope["records city"] < by_scope["admin+records city"]      # the admin also opens the data page
    assert by_scope["- city"] < by_scope["records city"]                   # publicity posts no record table


def test_a_request_after_warming_is_answered_from_the_shared_answers(node, branch, monkeypatch):
    app, loader, served = node
    _publish(loader, served)
    warm.warm_once(app, 300)
    db.clear_cache()            # this process forgets: the answer must come from the store
    from dashboard.components import bind
    monkeypatch.setattr(bind, "kpi_figures", lambda *a, **k: pytest.fail("computed again"))
    hits = shared_answers.COUNTS["hit"]
    for client in (dash_test_client(app, "leader"), dash_test_client(app, "unit", branch)):
        r = client.post("/_dash-update-component", data=json.dumps(_kpis_body("?period=last_week")),
                        content_type="application/json")
        assert r.status_code == 200 and r.headers[shared_answers.ANSWER_HEADER] == "shared"
    assert shared_answers.COUNTS["hit"] == hits + 2


def test_warming_stops_when_its_time_budget_is_spent(node, monkeypatch):
    """Each answer made to take 0.1 s: a budget of 2 s computes at most twenty, not the hundreds there are."""
    app, loader, served = node
    _publish(loader, served)

    def slow(*_args):
        time.sleep(0.1)
        return "computed"

    monkeypatch.setattr(warm, "_warm_answer", slow)
    t0 = time.monotonic()
    done = warm.warm_once(app, 2.0)
    assert done.out_of_time and 1 <= done.as_dict()["computed"] <= 20
    assert time.monotonic() - t0 < 3.5


def test_a_request_made_while_warming_runs_is_answered_meanwhile(node, monkeypatch):
    app, loader, served = node
    _publish(loader, served)
    original = warm._warm_answer

    def slow(*args):
        time.sleep(0.3)
        return original(*args)

    monkeypatch.setattr(warm, "_warm_answer", slow)
    warmer = app.server.extensions[warm.WARMER]
    rounds = []
    thread = threading.Thread(target=lambda: rounds.append(warm.warm_once(app, 4, busy=warmer.busy)))
    thread.start()
    try:
        time.sleep(0.5)
        client = dash_test_client(app, "leader")
        t0 = time.monotonic()
        r = client.post("/_dash-update-component", content_type="application/json",
                        data=json.dumps(_kpis_body("?period=custom&start=2026-10-01&end=2026-10-31")))
        took = time.monotonic() - t0
        assert r.status_code == 200 and thread.is_alive()
        assert took < 3.0
    finally:
        thread.join(60)
    assert rounds and rounds[0].as_dict()["computed"] > 0


def test_a_node_warms_a_replicated_version_when_its_readers_reopen(node, monkeypatch):
    """At start, then after a replication nobody has asked about yet: the watcher reopens the readers."""
    app, loader, served = node
    monkeypatch.setenv("TPD_WARM_SECONDS", "3")       # each round short: the test is about when they run
    warmer = warm.Warmer(app, poll_s=0.2).install()
    try:
        warmer.start()
        deadline = time.monotonic() + 60
        while not warmer.rounds and time.monotonic() < deadline:
            time.sleep(0.1)
        version = _publish(loader, served)       # replicated while the node runs: nobody asks
        while not any(r.version == version for r in warmer.rounds) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        warmer.stop()
    assert warmer.rounds[0].version != version            # the version it started on, warmed at start
    warmed = [r for r in warmer.rounds if r.version == version]
    assert len(warmed) == 1 and warmed[0].outcome == "warmed" and warmed[0].as_dict()["computed"] > 0


def test_of_two_nodes_sharing_redis_only_one_warms_a_version(node, monkeypatch):
    from dashboard.app import create_app

    _app, loader, served = node
    redis = RedisServer().start()
    try:
        monkeypatch.setenv("TPD_CACHE_URL", redis.url)
        nodes = [create_app(served), create_app(served)]
        _publish(loader, served)
        rounds = []
        threads = [threading.Thread(target=lambda a=a: rounds.append(warm.warm_once(a, 300))) for a in nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert sorted(r.outcome for r in rounds) == ["claimed by another", "warmed"]
        warmed = next(r for r in rounds if r.outcome == "warmed")
        assert len(redis.client().keys("tpd:answer:*")) == warmed.as_dict()["computed"] > 0
    finally:
        redis.stop()
