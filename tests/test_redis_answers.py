"""Shared answers and single-flight locks in Redis (dashboard/redis_answers.py), for several nodes.

Against a real redis-server of the test's own (tests.builders.redis). Nodes
are processes: what one keeps another reads; the same answer asked by two at
once is computed once; a leader killed mid-computation frees its lock within
the lock's time to live; with Redis stopped requests keep answering, and when
it is back the answers are shared again.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from dashboard.redis_answers import RedisAnswers
from tests.builders.accounts import make_accounts
from tests.builders.demo import a_branch
from tests.builders.files import ROOT, copy_warehouse
from tests.builders.demo import TODAY
from tests.http_client import dash_callback, http_session, start_server
from tests.builders.redis import RedisServer
from warehouse.config import default_users_db_path

# One node computing a key: lead (count the computation in a file, take a second) or read.
NODE = """
import sys, time
from dashboard.redis_answers import RedisAnswers
url, key, computations, lock_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
store = RedisAnswers.from_url(url)
store.lock_ms = int(lock_s * 1000)
kept = store.get(key)                      # as shared_answers does: a kept answer first
flight = store.take(key) if kept is None else None
if flight is not None and flight.answer is None:
    print("leading" if flight.token else "unled", flush=True)
    with open(computations, "a") as fh:
        fh.write("computed\\n")
    time.sleep(1)
    answer = b"the answer"
    store.keep(key, answer)
    store.land(flight)
else:
    answer = kept if flight is None else flight.answer
print(answer.decode(), flush=True)
"""


def _node(url: str, key: str, computations, lock_s: float = 30) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", NODE, url, key, str(computations), str(lock_s)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)


def test_an_answer_kept_by_one_node_is_read_by_another(redis_server):
    one, other = RedisAnswers.from_url(redis_server.url), RedisAnswers.from_url(redis_server.url)
    one.keep("k1", b'{"response": 1}')
    assert other.get("k1") == b'{"response": 1}'
    ttl_ms = redis_server.client().pttl("tpd:answer:k1")
    assert 0 < ttl_ms <= 86400 * 1000            # every answer expires


def test_the_same_answer_asked_by_two_processes_at_once_is_computed_once(redis_server, tmp_path):
    computations = tmp_path / "computations"
    nodes = [_node(redis_server.url, "same-view", computations) for _ in range(2)]
    outputs = [node.communicate(timeout=60)[0].split() for node in nodes]
    assert computations.read_text().splitlines() == ["computed"]
    assert sorted(out[0] for out in outputs) == ["leading", "the"]   # one led, the other read its answer
    assert all(out[-1] == "answer" for out in outputs)


def test_a_leader_killed_mid_computation_frees_its_lock_within_the_ttl(redis_server, tmp_path):
    lock_s = 2.0
    leader = _node(redis_server.url, "view", tmp_path / "computations", lock_s)
    assert leader.stdout.readline().strip() == "leading"
    leader.send_signal(signal.SIGKILL)
    leader.wait(10)
    other = RedisAnswers.from_url(redis_server.url)
    t0 = time.monotonic()
    flight = other.take("view")
    waited = time.monotonic() - t0
    assert flight.answer is None and waited < lock_s + 0.5   # not the 30 s a waiter would wait at most
    assert redis_server.client().exists("tpd:flight:view") == 0
    computations = tmp_path / "computations2"
    assert _node(redis_server.url, "view", computations).communicate(timeout=60)[0].split()[0] == "leading"


def test_a_leader_whose_lock_expired_does_not_remove_the_next_leaders(redis_server):
    store = RedisAnswers.from_url(redis_server.url)
    store.lock_ms = 200
    first = store.take("v")
    time.sleep(0.4)                                 # its lock expired: another leads now
    second = RedisAnswers.from_url(redis_server.url).take("v")
    assert second.token is not None
    store.land(first)
    assert redis_server.client().get("tpd:flight:v").decode() == second.token


def test_with_redis_stopped_the_store_answers_nothing_at_once_and_is_used_again_when_back(redis_server):
    store = RedisAnswers.from_url(redis_server.url)
    store.retry_s = 0.5
    redis_server.stop()
    t0 = time.monotonic()
    assert store.get("k") is None and store.take("k").answer is None and not store.answers()
    store.keep("k", b"x")
    assert time.monotonic() - t0 < 2
    redis_server.start()
    time.sleep(0.6)
    store.keep("k", b"again")
    assert store.answers() and redis_server.client().get("tpd:answer:k") == b"again"


# ---- through a running node -------------------------------------------------------------------

KPIS = ([("overview-kpis", "children")], [("overview-view", "data", "?period=this_month")])


def _answers_kept(server: RedisServer) -> int:
    return len(server.client().keys("tpd:answer:*"))


@pytest.mark.slow
def test_a_node_keeps_answering_with_redis_stopped_and_shares_again_when_it_is_back(demo_db, tmp_path):
    server = RedisServer().start()
    db = copy_warehouse(demo_db, tmp_path / "warehouse.duckdb")
    admin = make_accounts(default_users_db_path(db), a_branch(db))["admin"]
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_CACHE_URL": server.url, "TPD_WEB_WORKERS": "1"}
    try:
        with start_server(db, env=env) as base:
            session = http_session(base, admin)
            first = dash_callback(session, base, *KPIS)
            assert _answers_kept(server) == 1
            assert requests.get(base + "/healthz", timeout=30).json()["cache"] == {"ok": True, "kind": "redis"}

            server.stop()
            for period in ("this_year", "last_week", "this_month"):
                view = [("overview-view", "data", f"?period={period}")]
                assert dash_callback(session, base, KPIS[0], view, timeout=30)
            assert dash_callback(session, base, *KPIS) == first
            health = requests.get(base + "/healthz", timeout=30)
            assert health.status_code == 503 and health.json()["cache"]["ok"] is False

            server.start()                            # back, empty
            deadline = time.monotonic() + 15
            while _answers_kept(server) == 0:
                assert time.monotonic() < deadline, "the node did not use Redis again"
                dash_callback(session, base, KPIS[0], [("overview-view", "data", "?period=this_quarter")])
                time.sleep(0.5)
            assert requests.get(base + "/healthz", timeout=30).status_code == 200
            assert json.loads(server.client().get(server.client().keys("tpd:answer:*")[0]))["response"]
    finally:
        server.stop()
