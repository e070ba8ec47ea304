"""Two gunicorn nodes behind Debian's nginx (deploy/nginx.conf), on loopback.

Each node serves its own replica of the loader's warehouse (python -m
warehouse replicate); both share one users database (SQLite for now: the same
file) and the shared answers in a Redis of the test's own. Through nginx:
requests land on both nodes, a session signed in once works on both, the
nodes take the client's address from nginx and not from what the client
sends, static files are kept by nginx for signed-in requests only, the same
view is computed on one node and read on the other, and a publish replicated
to both nodes while people work fails no request.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests

from tests.builders.accounts import make_accounts
from tests.builders.demo import a_branch
from tests.builders.files import ROOT, copy_warehouse
from tests.builders.demo import TODAY
from tests.http_client import callback_body, dash_callback, http_session
from tests.builders.nodes import start_nginx, start_node
from tests.builders.redis import RedisServer
from tests.builders.serving import VIEW, batch_files, kpi_counts
from warehouse.connection import file_version, published_version
from warehouse.replicate import replicate

pytestmark = pytest.mark.slow

NODES = ("node-a", "node-b")
KPIS = [("incidents-kpis", "children")]


class Cluster:
    def __init__(self, root, source, replicas, users_db, admin, nginx, nodes, redis):
        self.root, self.source, self.replicas, self.users_db = root, source, replicas, users_db
        self.admin, self.nginx, self.nodes, self.redis = admin, nginx, nodes, redis


@pytest.fixture(scope="module")
def cluster(demo_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("nodes")
    (root / "loader").mkdir()
    source = copy_warehouse(demo_db, root / "loader" / "warehouse.duckdb")
    replicas = {name: root / name / "warehouse.duckdb" for name in NODES}
    for replica in replicas.values():
        replicate(source, replica)
    users_db = root / "users.sqlite3"
    admin = make_accounts(users_db, a_branch(source))["admin"]
    redis = RedisServer().start()
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_PROXY_HOPS": "1", "TPD_CACHE_URL": redis.url,
           "TPD_WEB_WORKERS": "1", "TPD_WEB_THREADS": "4"}
    try:
        with start_node(replicas["node-a"], users_db, "node-a", env) as a, \
                start_node(replicas["node-b"], users_db, "node-b", env) as b, \
                start_nginx(root, [a, b]) as nginx:
            yield Cluster(root, source, replicas, users_db, admin, nginx, {"node-a": a, "node-b": b}, redis)
    finally:
        redis.stop()


def test_requests_through_nginx_land_on_both_nodes(cluster):
    nodes = Counter(requests.get(cluster.nginx + "/login", timeout=30).headers["X-TPD-Node"] for _ in range(12))
    assert set(nodes) == set(NODES)


def test_a_session_signed_in_through_nginx_works_on_both_nodes(cluster):
    session = http_session(cluster.nginx, cluster.admin)
    answered = Counter()
    for _ in range(12):
        page = session.get(cluster.nginx + "/incidents", timeout=60)
        callback = session.post(cluster.nginx + "/_dash-update-component", timeout=60,
                                json=callback_body(KPIS, [("incidents-view", "data", VIEW)]))
        for r in (page, callback):
            answered[(r.headers["X-TPD-Node"], r.status_code)] += 1
    assert {node for node, _ in answered} == set(NODES)
    assert {status for _, status in answered} == {200}


def test_the_nodes_take_the_clients_address_from_nginx_not_from_the_client(cluster):
    """nginx connects to the nodes from 127.0.0.2 (the test's proxy_bind); the client comes from
    127.0.0.1 and claims another address: the audit log records the address nginx saw."""
    import sqlite3
    from dashboard.auth.csrf import token_in_form
    s = requests.Session()
    form = s.get(cluster.nginx + "/login", timeout=30)
    s.post(cluster.nginx + "/login", headers={"X-Forwarded-For": "203.0.113.9"}, allow_redirects=False, timeout=30,
           data={"username": "t-nobody", "password": "wrong", "csrf_token": token_in_form(form.text)})
    con = sqlite3.connect(cluster.users_db)
    try:
        ips = con.execute("select ip from audit_log where event = 'signin.failed' and target = 't-nobody'").fetchall()
    finally:
        con.close()
    assert ips == [("127.0.0.1",)]


def test_static_files_are_kept_by_nginx_for_signed_in_requests_only(cluster):
    import re
    session = http_session(cluster.nginx, cluster.admin)
    html = session.get(cluster.nginx + "/", headers={"Accept": "text/html"}, timeout=60).text
    suite = re.search(r'src="(/_dash-component-suites/dash/deps/react@[^"]+)"', html).group(1)
    asset = re.search(r'href="(/assets/00_bootstrap\.min\.css\?m=[^"]+)"', html).group(1)
    for path in (suite, asset):
        first, again = (session.get(cluster.nginx + path, timeout=60) for _ in range(2))
        assert first.status_code == again.status_code == 200 and again.content == first.content
        assert again.headers["X-Cache-Status"] == "HIT" and "Set-Cookie" not in again.headers
    anonymous = requests.get(cluster.nginx + suite, timeout=30)
    assert anonymous.status_code == 401 and anonymous.headers["X-Cache-Status"] == "BYPASS"


def test_the_same_view_computed_on_one_node_is_read_on_the_other(cluster):
    view = [("incidents-view", "data", "?period=custom&start=2026-10-01&end=2026-10-31")]
    client = cluster.redis.client()
    before = set(client.keys("tpd:answer:*"))
    first = http_session(cluster.nodes["node-a"], cluster.admin)
    assert dash_callback(first, cluster.nodes["node-a"], KPIS, view)
    (key,) = set(client.keys("tpd:answer:*")) - before          # node-a computed it and kept it
    time.sleep(1.5)
    other = http_session(cluster.nodes["node-b"], cluster.admin)
    assert dash_callback(other, cluster.nodes["node-b"], KPIS, view)
    assert client.pttl(key) < 86_399_000         # read, not computed and kept again


def test_a_publish_replicated_to_both_nodes_while_people_work_fails_no_request(cluster):
    base_total, base_criminal = kpi_counts(http_session(cluster.nginx, cluster.admin), cluster.nginx)
    stop, errors, answers = threading.Event(), [], Counter()

    def person():
        session = http_session(cluster.nginx, cluster.admin)
        while not stop.is_set():
            try:
                r = session.post(cluster.nginx + "/_dash-update-component", timeout=60,
                                 json=callback_body(KPIS, [("incidents-view", "data", VIEW)]))
                answers[r.headers.get("X-TPD-Node")] += 1
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
            except requests.RequestException as exc:
                errors.append(repr(exc))

    people = [threading.Thread(target=person, daemon=True) for _ in range(6)]
    for p in people:
        p.start()
    try:
        load = subprocess.run([sys.executable, "-m", "etl", "load", "--json", "--db", str(cluster.source),
                               *map(str, batch_files(cluster.root / "batch", 1))],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                              text=True, timeout=180)
        assert load.returncode == 0, load.stderr
        for name in NODES:
            time.sleep(1)
            replicate(cluster.source, cluster.replicas[name])
        time.sleep(1)
    finally:
        stop.set()
        for p in people:
            p.join(120)
    assert errors == [] and set(answers) == set(NODES)
    published = published_version(file_version(cluster.source))
    for name, base in cluster.nodes.items():
        health = requests.get(base + "/healthz", timeout=30).json()
        assert health["node"] == name and health["warehouse"]["version"] == published
        assert kpi_counts(http_session(base, cluster.admin), base) == (base_total + 4, base_criminal + 1)
