"""Two gunicorn nodes behind Debian's nginx (deploy/nginx.conf), on loopback.

Each node serves its own replica of the loader's warehouse (python -m
warehouse replicate); both share one users store in PostgreSQL (a fresh
database on the machine's server, `TPD_USERS_URL`) and the shared answers in a
Redis of the test's own. Through nginx: requests land on both nodes, a session
signed in once works on both, signing out on one ends it on the other, a
`users disable` is refused on both within a second, the audit entries of both
nodes are in one table in the order they happened, the nodes take the
client's address from nginx and not from what the client sends, static files
are kept by nginx for signed-in requests only, the same view is computed on
one node and read on the other, and a publish replicated to both nodes while
people work fails no request.
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
from tests.http_client import callback_body, dash_callback, http_session, python_path
from tests.builders.postgres import create_database, drop_database, wait_until
from tests.builders.nodes import start_nginx, start_node
from tests.builders.redis import RedisServer
from tests.builders.serving import VIEW, batch_files, kpi_counts
from warehouse.connection import file_version, published_version
from warehouse.replicate import replicate
from warehouse.users_store import AuditQuery, open_store

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
    try:
        users_db = create_database()
    except RuntimeError as error:
        pytest.fail(str(error))
    admin = make_accounts(users_db, a_branch(source))["admin"]
    redis = RedisServer().start()
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_PROXY_HOPS": "1", "TPD_CACHE_URL": redis.url,
           "TPD_WEB_WORKERS": "1", "TPD_WEB_THREADS": "4",
           # these tests count the answers the nodes keep: no warming beside them (tests/test_warm.py)
           "TPD_WARM_SECONDS": "0"}
    try:
        with start_node(replicas["node-a"], users_db, "node-a", env) as a, \
                start_node(replicas["node-b"], users_db, "node-b", env) as b, \
                start_nginx(root, [a, b]) as nginx:
            yield Cluster(root, source, replicas, users_db, admin, nginx, {"node-a": a, "node-b": b}, redis)
    finally:
        redis.stop()
        drop_database(users_db)


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


def signed_in_on(base: str, session: requests.Session) -> bool:
    """Does `base` take the session's cookie? (A callback: 200 signed in, 401 not.)"""
    r = session.post(base + "/_dash-update-component", timeout=60,
                     json=callback_body(KPIS, [("incidents-view", "data", VIEW)]))
    assert r.status_code in (200, 401), r.text[:200]
    return r.status_code == 200


def test_signing_out_on_one_node_ends_the_session_on_the_other(cluster):
    session = http_session(cluster.nginx, cluster.admin)
    assert signed_in_on(cluster.nodes["node-a"], session) and signed_in_on(cluster.nodes["node-b"], session)
    cookie = session.cookies.get("tpd_session")
    signout = session.post(cluster.nodes["node-a"] + "/logout", allow_redirects=False, timeout=30,
                           data={"csrf_token": session.headers["X-CSRFToken"]})
    assert signout.status_code == 303 and "out=1" in signout.headers["Location"]
    old = requests.Session()
    old.cookies.set("tpd_session", cookie)
    old.headers["X-CSRFToken"] = session.headers["X-CSRFToken"]
    assert wait_until(lambda: not signed_in_on(cluster.nodes["node-b"], old), 1.5)
    assert not signed_in_on(cluster.nodes["node-a"], old)


def test_users_disable_is_refused_on_both_nodes_within_a_second(cluster):
    from tests.builders.accounts import PASSWORD, Account
    account = Account("t-leader", PASSWORD, "leader")
    session = http_session(cluster.nginx, account)
    assert all(signed_in_on(base, session) for base in cluster.nodes.values())
    disable = subprocess.run([sys.executable, "-m", "dashboard.users", "--users-db", cluster.users_db,
                              "disable", account.username], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={**os.environ, "PYTHONPATH": python_path()})
    assert disable.returncode == 0, disable.stderr
    done = time.monotonic()
    refused_after = {}
    while len(refused_after) < len(NODES) and time.monotonic() - done < 5:
        for name, base in cluster.nodes.items():
            if name not in refused_after and not signed_in_on(base, session):
                refused_after[name] = time.monotonic() - done
    assert set(refused_after) == set(NODES)
    # a node may answer from what it asked the store up to CHECK_SECONDS (1 s) ago; the request's own
    # time on this busy machine comes on top
    assert max(refused_after.values()) < 1.5, refused_after


def test_audit_entries_from_both_nodes_are_in_one_table_in_order(cluster):
    from dashboard.auth.csrf import token_in_form
    names = [f"t-order-{n}" for n in range(8)]
    for n, name in enumerate(names):
        base = cluster.nodes[NODES[n % 2]]
        s = requests.Session()
        form = s.get(base + "/login", timeout=30)
        assert form.headers["X-TPD-Node"] == NODES[n % 2]
        s.post(base + "/login", allow_redirects=False, timeout=30,
               data={"username": name, "password": "wrong", "csrf_token": token_in_form(form.text)})
    entries = open_store(cluster.users_db).audit_entries(
        AuditQuery(kinds=("signin.failed",), users=tuple(names), newest_first=False))
    assert [e.target for e in entries] == names
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_the_nodes_take_the_clients_address_from_nginx_not_from_the_client(cluster):
    """nginx connects to the nodes from 127.0.0.2 (the test's proxy_bind); the client comes from
    127.0.0.1 and claims another address: the audit log records the address nginx saw."""
    from dashboard.auth.csrf import token_in_form
    s = requests.Session()
    form = s.get(cluster.nginx + "/login", timeout=30)
    s.post(cluster.nginx + "/login", headers={"X-Forwarded-For": "203.0.113.9"}, allow_redirects=False, timeout=30,
           data={"username": "t-nobody", "password": "wrong", "csrf_token": token_in_form(form.text)})
    entries = open_store(cluster.users_db).audit_entries(AuditQuery(kinds=("signin.failed",), users=("t-nobody",)))
    assert [e.ip for e in entries] == ["127.0.0.1"]


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
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": python_path(),
                                             "TPD_USERS_URL": cluster.users_db}, capture_output=True,
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
