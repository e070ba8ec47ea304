"""Serving during loads: pages and callbacks over HTTP never fail and never show half a batch.

The real server (gunicorn, two workers, gunicorn.conf.py) serves a copy of the
demo warehouse while the real loader (`python -m etl load`) publishes K
batches into it. Batch k adds exactly N incidents, in two files, one of them a
criminal case; every incident is the newest of the month. Clients meanwhile
request the incidents page's KPI cards, its records grid and the page itself,
as the browser does. Every answer must be whole (HTTP 200, every output
present) and at one batch boundary: incidents = base + k·N and criminal cases
= base + k with the same k in one answer, the records grid holding exactly
k·N of the batches' incidents beside a total of base + k·N. A client's k never
goes back, and a request started after batch j was published sees k ≥ j.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time

import pytest

from etl.loader import partition_warehouse
from tests.builders.accounts import make_accounts
from tests.builders.demo import TODAY, a_branch
from tests.builders.files import ROOT, copy_warehouse
from tests.builders.serving import MAX_REQUESTS, VIEW, WAIT_SECONDS, batch_files, kpi_counts, number
from tests.http_client import BadResponse, dash_callback, http_session, start_server
from warehouse.config import default_users_db_path

pytestmark = pytest.mark.slow

K = 5                 # batches published while clients read
N = 4                 # incidents per batch, two per file


def record_counts(session, base):
    answer = dash_callback(session, base, [("incidents-records", "rowData"), ("incidents-records-count", "children")],
                           [("incidents-view", "data", VIEW)])
    rows = answer["incidents-records"]["rowData"]
    total = number(re.search(r"共 ([\d,]+) 起", answer["incidents-records-count"]["children"]).group(1))
    return total, sum(1 for r in rows if r["incident_id"].startswith("RT"))


def page(session, base):
    html = session.get(base + "/incidents", timeout=60)
    if html.status_code != 200 or "_dash-renderer" not in html.text:
        raise BadResponse(f"page: HTTP {html.status_code}")
    layout = session.get(base + "/_dash-layout", timeout=60)
    if layout.status_code != 200:
        raise BadResponse(f"layout: HTTP {layout.status_code}")
    layout.json()
    answer = dash_callback(session, base, [("_pages_content", "children"), ("_pages_store", "data")],
                           [("_pages_location", "pathname", "/incidents"), ("_pages_location", "search", VIEW)])
    if "incidents-kpis" not in json.dumps(answer["_pages_content"]["children"]):
        raise BadResponse("page content without its KPI row")
    return None


class Client(threading.Thread):
    """Calls `fetch` in a loop; keeps (loads published when the request started, answer)."""

    def __init__(self, name, base, account, fetch, published, stop):
        super().__init__(name=name, daemon=True)
        self.base, self.account, self.fetch, self.published, self.stop = base, account, fetch, published, stop
        self.seen: list[tuple[int, object]] = []
        self.errors: list[str] = []
        self.caught_up = -1  # the latest load count a finished request started after

    def run(self):
        session = http_session(self.base, self.account)
        for _ in range(MAX_REQUESTS):
            if self.stop.is_set():
                break
            loads_before = self.published[0]
            try:
                self.seen.append((loads_before, self.fetch(session, self.base)))
            except Exception as exc:  # noqa: BLE001  (every failure is a finding)
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.caught_up = loads_before


@pytest.mark.parametrize("layout", ["single", "partitioned"])
def test_pages_and_callbacks_during_loads_are_whole_and_at_batch_boundaries(demo_db, tmp_path, layout):
    db = copy_warehouse(demo_db, tmp_path / "warehouse.duckdb")
    if layout == "partitioned":
        assert partition_warehouse(db)   # a core and one file per month; each load replaces its month's
    admin = make_accounts(default_users_db_path(db), a_branch(db))["admin"]   # the whole city
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_WEB_WORKERS": "2", "TPD_WEB_THREADS": "4"}
    with start_server(db, env=env) as base:
        probe = http_session(base, admin)
        first = probe.get(base + "/incidents", timeout=60)
        assert first.status_code == 200 and "Server" not in first.headers
        base_total, base_criminal = kpi_counts(probe, base)
        assert record_counts(probe, base) == (base_total, 0)

        published, stop = [0], threading.Event()
        clients = [Client("kpis", base, admin, kpi_counts, published, stop),
                   Client("records", base, admin, record_counts, published, stop),
                   Client("pages", base, admin, page, published, stop)]
        for c in clients:
            c.start()

        def wait_for_clients(loads):
            deadline = time.monotonic() + WAIT_SECONDS
            while any(c.caught_up < loads and c.is_alive() for c in clients):
                assert time.monotonic() < deadline, "clients did not catch up"
                time.sleep(0.05)

        try:
            for k in range(1, K + 1):
                wait_for_clients(k - 1)
                proc = subprocess.run(
                    [sys.executable, "-m", "etl", "load", "--json", "--db", str(db),
                     *map(str, batch_files(tmp_path / f"batch{k}", k))],
                    cwd=ROOT, capture_output=True, text=True, timeout=120)
                assert proc.returncode == 0, proc.stderr
                assert json.loads(proc.stdout)["totals"]["loaded"] == N
                published[0] = k
            wait_for_clients(K)
        finally:
            stop.set()
            for c in clients:
                c.join(timeout=120)

        assert kpi_counts(probe, base) == (base_total + K * N, base_criminal + K)

    for c in clients:
        assert c.errors == [], f"{c.name}: {len(c.errors)} failed requests, first: {c.errors[:3]}"
        assert c.seen and not c.is_alive()
    kpis, records = clients[0].seen, clients[1].seen

    def batches(before_and_k):
        ks = [k for _, k in before_and_k]
        assert ks == sorted(ks), "a client saw an older batch after a newer one"
        assert all(k >= before for before, k in before_and_k), "a request missed a published batch"
        assert set(ks) == set(range(K + 1))

    kpi_k = []
    for before, (total, criminal) in kpis:
        k, rest = divmod(total - base_total, N)
        assert rest == 0 and 0 <= k <= K, f"incidents {total}: not base {base_total} + k·{N}"
        assert criminal == base_criminal + k, f"incidents at batch {k}, criminal cases {criminal}"
        kpi_k.append((before, k))
    batches(kpi_k)

    record_k = []
    for before, (total, ours) in records:
        k, rest = divmod(total - base_total, N)
        assert rest == 0 and 0 <= k <= K, f"records total {total}: not base {base_total} + k·{N}"
        assert ours == k * N, f"records total at batch {k}, {ours} of the batches' rows in the grid"
        record_k.append((before, k))
    batches(record_k)
    assert len(clients[2].seen) >= K + 1
