"""One computation per answer at a time (dashboard/inflight.py): waiters read the leader's answer."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard.inflight import Flights

ROOT = Path(__file__).resolve().parents[1]


def test_the_first_request_for_an_answer_leads(tmp_path):
    taken = Flights(tmp_path).take("k", lambda: None)
    assert taken.lock is not None and taken.answer is None
    Flights.land(taken)
    assert taken.lock is None


def test_a_request_for_an_answer_being_computed_waits_and_reads_it(tmp_path):
    flights, kept = Flights(tmp_path), {}
    leader = flights.take("k", kept.get)
    waited = {}
    waiter = threading.Thread(target=lambda: waited.update(taken=flights.take("k", lambda: kept.get("k"))))
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive()                 # waiting, not computing
    kept["k"] = b"answer"
    Flights.land(leader)
    waiter.join(5)
    assert waited["taken"].answer == b"answer" and waited["taken"].lock is None


def test_waiters_compute_on_their_own_when_the_leader_kept_no_answer(tmp_path):
    flights = Flights(tmp_path)
    leader = flights.take("k", lambda: None)
    threading.Timer(0.1, Flights.land, [leader]).start()   # a refusal or an error: nothing kept
    taken = flights.take("k", lambda: None)
    assert taken.answer is None and taken.lock is None     # not leading: the others need not wait on it


def test_a_waiter_whose_read_fails_holds_no_lock(tmp_path):
    flights = Flights(tmp_path)
    leader = flights.take("k", lambda: None)
    threading.Timer(0.1, Flights.land, [leader]).start()

    def broken_read():
        raise ValueError("a damaged cache file")
    with pytest.raises(ValueError):
        flights.take("k", broken_read)
    taken = flights.take("k", lambda: None)
    assert taken.lock is not None                         # nobody holds it any more
    Flights.land(taken)


def test_without_its_directory_a_request_computes_unled(tmp_path):
    flights = Flights(tmp_path / "inflight")
    (tmp_path / "inflight").rmdir()                        # a temp-directory cleaner, say
    taken = flights.take("k", lambda: None)
    assert taken.answer is None and taken.lock is None


def test_landing_removes_the_lock_file(tmp_path):
    flights = Flights(tmp_path)
    taken = flights.take("k", lambda: None)
    assert (tmp_path / "k").exists()
    Flights.land(taken)
    assert not (tmp_path / "k").exists()


def test_another_answer_is_not_held_up(tmp_path):
    flights = Flights(tmp_path)
    first = flights.take("k", lambda: None)
    other = flights.take("other", lambda: None)
    assert other.lock is not None
    Flights.land(first), Flights.land(other)


def test_a_killed_leader_releases_its_answer_to_the_waiters(tmp_path):
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); from dashboard.inflight import Flights; "
            "Flights(sys.argv[1]).take('k', lambda: None); print('leading', flush=True); time.sleep(60)")
    leader = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(ROOT)], stdout=subprocess.PIPE, text=True)
    assert leader.stdout.readline().strip() == "leading"
    threading.Timer(0.2, os.kill, [leader.pid, signal.SIGKILL]).start()
    t0 = time.monotonic()
    taken = Flights(tmp_path, wait_s=10).take("k", lambda: None)
    leader.wait(5)
    assert taken.answer is None and time.monotonic() - t0 < 5   # no answer kept: it computes, at once


def test_a_waiter_computes_on_its_own_after_waiting_too_long(tmp_path):
    flights = Flights(tmp_path, wait_s=0.1)
    leader = flights.take("k", lambda: None)
    t0 = time.monotonic()
    taken = flights.take("k", lambda: b"never read")
    assert taken.answer is None and taken.lock is None and time.monotonic() - t0 < 1
    Flights.land(leader)


def test_lock_files_left_by_a_killed_leader_are_removed_at_the_next_version(tmp_path):
    flights = Flights(tmp_path)
    (tmp_path / "left").write_bytes(b"")
    flights.forget_older_than(time.time() + 1)
    assert not (tmp_path / "left").exists()
