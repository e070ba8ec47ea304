"""The query cache computes a key once at a time: a second asker waits for the first's answer."""
from __future__ import annotations

import threading

import duckdb
import pytest

from dashboard.queries import breakdown, db


@pytest.fixture(autouse=True)
def warehouse(tmp_path):
    saved = db._state["warehouse"]
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    db.configure(path)
    yield
    db._state["warehouse"] = saved
    db.clear_cache()


def slow_leader(key, release: threading.Event, started: threading.Event, compute=lambda: "leader's"):
    """A thread computing `key` until `release` is set."""
    def lead():
        def computing():
            started.set()
            release.wait(10)
            return compute()
        try:
            results.append(db.cached(key, computing))
        except RuntimeError as failed:
            results.append(failed)
    results: list = []
    thread = threading.Thread(target=lead)
    thread.start()
    assert started.wait(10)
    return thread, results


def test_a_key_asked_for_while_another_thread_computes_it_is_computed_once():
    release, started, computed = threading.Event(), threading.Event(), []
    leader, leader_got = slow_leader(("k",), release, started, lambda: computed.append(1) or "answer")
    asked: list = []
    waiter = threading.Thread(target=lambda: asked.append(db.cached(("k",), lambda: computed.append(2) or "again")))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()               # waiting for the leader, not computing
    release.set()
    leader.join(10), waiter.join(10)
    assert computed == [1] and leader_got == ["answer"] and asked == ["answer"]


def test_a_waiter_computes_the_key_itself_when_the_leader_fails():
    release, started = threading.Event(), threading.Event()

    def fail():
        raise RuntimeError("statement failed")
    leader, leader_got = slow_leader(("f",), release, started, fail)
    asked: list = []
    waiter = threading.Thread(target=lambda: asked.append(db.cached(("f",), lambda: "own")))
    waiter.start()
    release.set()
    leader.join(10), waiter.join(10)
    assert asked == ["own"] and isinstance(leader_got[0], RuntimeError)


def test_a_query_pool_thread_computes_a_key_in_flight_itself_rather_than_wait():
    release, started = threading.Event(), threading.Event()
    leader, leader_got = slow_leader(("p",), release, started)
    try:
        # The leader may be waiting for the pool; a pool thread that waited for it could never finish.
        assert breakdown.concurrently([lambda: db.cached(("p",), lambda: "pool's")] * 2) == ["pool's", "pool's"]
    finally:
        release.set()
        leader.join(10)
    assert leader_got == ["leader's"]
