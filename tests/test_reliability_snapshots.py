"""Readers under gunicorn: one version per request, caches per version, no connection across a fork.

The HTTP test (test_reliability_serving.py) shows the whole: these pin down
the parts whose races are too narrow to hit by chance over HTTP — a publish
between two queries of one request, or between the stat and the attach that
names a version.
"""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from dashboard.queries import breakdown, db
from tests.builders.files import ROOT, load, rec, reference_batch, write_records
from warehouse import config, connection, partitions
from warehouse.partitions import LAYOUT_ENV, parts_dir, published_files


@pytest.fixture(autouse=True)
def _restore_warehouse():
    """These tests point the query layer at throwaway warehouses; later tests get theirs back."""
    saved = db._state["warehouse"]
    yield
    db._state["warehouse"] = saved
    db.clear_cache()


def make(path, n):
    """A warehouse file holding n rows in `t`, written beside `path` and published over it."""
    temp = path.with_name(path.name + ".new")
    con = duckdb.connect(str(temp))
    con.execute("create table t as select range as i from range($n)", {"n": n})
    con.close()
    os.replace(temp, path)
    return path


def count():
    return db.rows("select count(*) from t")[0][0]


def test_a_pinned_request_answers_from_one_version_while_a_load_publishes(tmp_path):
    path = make(tmp_path / "w.duckdb", 1)
    db.configure(path)
    with db.pinned():
        assert count() == 1
        make(path, 2)                                   # a load publishes mid-request
        assert count() == 1
        assert db.frame("select count(*) as n from t")["n"][0] == 1
        # queries a page runs concurrently, on other threads, read the same version
        assert breakdown.concurrently([count, count, count]) == [1, 1, 1]
    assert count() == 2                                 # the next request sees the new one


def test_a_request_pinned_to_a_replaced_version_fills_no_cache_and_old_entries_go(tmp_path):
    path = make(tmp_path / "w.duckdb", 1)
    db.configure(path)
    old = db.pin()
    assert count() == 1 and len(db.QUERIES) == 1
    make(path, 2)
    assert db.warehouse().snapshot().version != db.version()  # another request opened the new file
    assert count() == 1                                 # still answered from its pinned version ...
    db.unpin(old)
    assert count() == 2
    assert [key[0] for key in db.QUERIES.keys()] == [db.version()]  # ... and only the new version is cached


def test_a_publish_between_the_stat_and_the_attach_is_labelled_with_what_was_opened(tmp_path, monkeypatch):
    path = make(tmp_path / "w.duckdb", 1)
    real_connect, calls = connection.connect_reader, []

    def connect_after_a_publish(p):
        calls.append(p)
        if len(calls) == 1:
            make(path, 2)
        return real_connect(p)

    monkeypatch.setattr(connection, "connect_reader", connect_after_a_publish)
    warehouse = connection.Warehouse(path)
    snap = warehouse.snapshot()
    assert len(calls) == 2
    assert snap.version == connection.file_version(path)
    assert snap.cursor().execute("select count(*) from t").fetchone() == (2,)


def incidents(*ids, day="2021-05-03"):
    return [rec("incidents", incident_id=i, received_at=f"{day} 10:00", arrived_at="", closed_at="") for i in ids]


def test_a_request_pinned_to_a_partitioned_version_answers_from_it_after_its_months_are_replaced(
        ref_db, inbox, monkeypatch):
    monkeypatch.setenv(LAYOUT_ENV, "partitioned")
    ref_db.unlink()
    load(ref_db, *reference_batch(inbox / "ref"), write_records(inbox / "incidents_1.csv", "incidents",
                                                              incidents("J001")))
    db.configure(ref_db)
    (may_2021,) = published_files(ref_db)
    with db.pinned():
        assert db.rows("select count(*) from incidents")[0][0] == 1
        load(ref_db, write_records(inbox / "incidents_2.csv", "incidents", incidents("J002")))
        assert not (parts_dir(ref_db) / may_2021).exists()     # the replaced month's file is gone ...
        assert db.rows("select count(*) from incidents")[0][0] == 1   # ... but still read through the pin
        assert breakdown.concurrently([lambda: db.rows("select count(*) from incident_daily")[0][0]]) == [1]
    assert db.rows("select count(*) from incidents")[0][0] == 2


def test_a_reader_whose_partitions_were_removed_before_it_attached_them_opens_the_new_version(
        ref_db, inbox, monkeypatch):
    monkeypatch.setenv(LAYOUT_ENV, "partitioned")
    ref_db.unlink()
    load(ref_db, *reference_batch(inbox / "ref"), write_records(inbox / "incidents_1.csv", "incidents",
                                                              incidents("J001")))
    real_attach, calls = partitions.attach_for_reading, []

    def attach_after_a_publish(con, catalog, path):
        calls.append(path)
        if len(calls) == 1:   # this reader read the old core; a load replaces (and removes) its month
            load(ref_db, write_records(inbox / "incidents_2.csv", "incidents", incidents("J002")))
        return real_attach(con, catalog, path)

    monkeypatch.setattr(partitions, "attach_for_reading", attach_after_a_publish)
    snap = connection.Warehouse(ref_db).snapshot()
    assert len(calls) == 2
    assert snap.version == connection.file_version(ref_db)
    assert snap.cursor().execute("select count(*) from incidents").fetchone() == (2,)


def test_only_layout_and_callback_requests_pin_a_version(tmp_path):
    # The hooks create_app installs, on a bare Flask app: a second Dash app with pages
    # cannot be built in a process whose page modules are imported already.
    import flask

    from dashboard.app import _pin_a_version_per_request

    db.configure(make(tmp_path / "w.duckdb", 1))
    server = flask.Flask(__name__)
    _pin_a_version_per_request(server)
    with server.test_request_context("/_dash-update-component", method="POST"):
        server.preprocess_request()
        assert db._pinned.get() is not None
    assert db._pinned.get() is None                     # the request's end unpinned it
    with server.test_request_context("/assets/tpd.css"):
        server.preprocess_request()
        assert db._pinned.get() is None


def test_the_wsgi_module_opens_no_connection_before_the_workers_fork(tmp_path):
    from dashboard.auth import store
    from warehouse.config import default_users_db_path

    path = make(tmp_path / "w.duckdb", 1)
    store.add("t-admin", "admin", password="Test-pass-2026!", must_change=False, actor="tests",
              db=default_users_db_path(path))
    code = ("from dashboard import wsgi; from dashboard.queries import db; "
            "assert wsgi.server is wsgi.app.server; assert db.warehouse()._current is None; print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**{k: v for k, v in os.environ.items() if k != "TPD_USERS_DB"},
                               "TPD_DB": str(path), "PYTHONPATH": str(ROOT)})
    assert proc.stdout.strip() == "ok", proc.stderr


def test_the_wsgi_module_refuses_a_warehouse_nobody_can_sign_in_to(tmp_path):
    path = make(tmp_path / "w.duckdb", 1)
    proc = subprocess.run([sys.executable, "-c", "import dashboard.wsgi"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**{k: v for k, v in os.environ.items() if k != "TPD_USERS_DB"},
                               "TPD_DB": str(path), "PYTHONPATH": str(ROOT)})
    assert proc.returncode != 0 and "no users yet" in proc.stderr and "还没有任何用户" in proc.stderr


FORKED = """
import os, sys
from warehouse.connection import Warehouse
warehouse = Warehouse(sys.argv[1])
parent = warehouse.snapshot()
assert parent.cursor().execute("select count(*) from t").fetchone() == (1,)
pid = os.fork()
if pid == 0:  # what a gunicorn worker forked after a query would do
    ok = warehouse.snapshot() is not parent and \\
        warehouse.cursor().execute("select count(*) from t").fetchone() == (1,)
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


def test_a_forked_worker_opens_its_own_connection(tmp_path):
    path = make(tmp_path / "w.duckdb", 1)
    proc = subprocess.run([sys.executable, "-c", FORKED, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.strip() == "child 0", proc.stderr


def test_each_worker_gets_its_share_of_cores_and_memory(monkeypatch):
    monkeypatch.setattr(config, "cpu_count", lambda: 2)
    monkeypatch.setattr(config, "total_memory_bytes", lambda: 24 << 30)
    monkeypatch.delenv("TPD_DUCKDB_THREADS", raising=False)
    monkeypatch.delenv("TPD_DUCKDB_MEMORY", raising=False)
    monkeypatch.setenv("TPD_WEB_WORKERS", "1")
    assert config.reader_limits() == (2, 12 << 10)
    monkeypatch.setenv("TPD_WEB_WORKERS", "4")
    assert config.reader_limits() == (1, 3 << 10)      # 4 × 3 GiB: half the machine, all workers
    assert config.reader_config() == {"access_mode": "READ_ONLY", "threads": "1", "memory_limit": "3072MiB"}
    monkeypatch.setenv("TPD_DUCKDB_THREADS", "3")
    monkeypatch.setenv("TPD_DUCKDB_MEMORY", "1GB")
    assert config.reader_config()["threads"] == "3" and config.reader_config()["memory_limit"] == "1GB"


def test_a_reader_connection_applies_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("TPD_DUCKDB_THREADS", "1")
    monkeypatch.setenv("TPD_DUCKDB_MEMORY", "300MiB")
    con = connection.connect_reader(make(tmp_path / "w.duckdb", 1))
    threads, memory = con.execute("select current_setting('threads'), current_setting('memory_limit')").fetchone()
    assert threads == 1 and memory.replace(" ", "") in ("300.0MiB", "314.5MB")


def _open_files() -> set[str]:
    fds = "/proc/self/fd"
    return {os.readlink(f"{fds}/{fd}") for fd in os.listdir(fds) if os.path.exists(f"{fds}/{fd}")}


def test_a_thread_runs_its_statements_on_one_kept_cursor(tmp_path, monkeypatch):
    db.configure(make(tmp_path / "w.duckdb", 1))
    opened = []
    real = connection.Snapshot.cursor
    monkeypatch.setattr(connection.Snapshot, "cursor", lambda self: opened.append(1) or real(self))
    assert [count(), db.frame("select 1 as n")["n"][0], db.rows("select 2")[0][0]] == [1, 1, 2]
    assert len(opened) == 1


def test_a_statement_run_while_another_result_is_read_gets_a_cursor_of_its_own(tmp_path):
    db.configure(make(tmp_path / "w.duckdb", 3))

    def inner_while_outer_is_open(cur):
        result = cur.execute("select i from t order by i")
        first = result.fetchone()[0]
        inner = db.rows("select count(*) * 10 from t")[0][0]   # on this thread, before the outer is read
        return first, inner, [r[0] for r in result.fetchall()]
    assert db.with_cursor(("nested",), inner_while_outer_is_open) == (0, 30, [1, 2])


def test_a_replaced_warehouse_file_is_released_once_no_request_holds_it(tmp_path):
    import gc

    path = make(tmp_path / "w.duckdb", 1)
    db.configure(path)
    old = os.stat(path).st_ino
    assert breakdown.concurrently([count, count, count]) == [1, 1, 1] and count() == 1   # cursors kept on threads
    old_name = next(f for f in _open_files() if f.startswith(str(path)))
    make(path, 2)
    assert count() == 2
    gc.collect()
    assert os.stat(path).st_ino != old
    assert old_name + " (deleted)" not in _open_files()   # every thread's cursor on the old file is gone
    assert breakdown.concurrently([count, count]) == [2, 2]
