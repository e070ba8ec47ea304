"""/healthz and the node header (dashboard/health.py), against a running gunicorn node.

The load balancer asks /healthz without signing in: the node's name, the
warehouse version it serves, whether the users store and the shared-answers
cache answer; 200 when all do, 503 when one does not. Every response, refused
ones included, names the node in `X-TPD-Node`.
"""
from __future__ import annotations

import os

import pytest
import requests

from tests.builders.accounts import make_accounts
from tests.builders.demo import a_branch
from tests.builders.files import copy_warehouse
from tests.builders.demo import TODAY
from tests.http_client import http_session, start_server
from warehouse.config import default_users_db_path
from warehouse.connection import file_version, published_version

pytestmark = pytest.mark.slow

NODE = "web-test-1"


@pytest.fixture(scope="module")
def node(demo_db, tmp_path_factory):
    db = copy_warehouse(demo_db, tmp_path_factory.mktemp("health") / "warehouse.duckdb")
    admin = make_accounts(default_users_db_path(db), a_branch(db))["admin"]
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_NODE_NAME": NODE, "TPD_WEB_WORKERS": "1"}
    with start_server(db, env=env) as base:
        yield base, db, admin


def test_healthz_answers_without_sign_in_with_the_node_version_and_services(node):
    base, db, _ = node
    r = requests.get(base + "/healthz", timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["node"] == NODE and body["ok"] is True
    assert body["warehouse"]["version"] == published_version(file_version(db))
    assert body["warehouse"]["published_at"].endswith("+08:00")   # China time
    assert body["users_store"] == {"ok": True}
    assert body["cache"] == {"ok": True, "kind": "file"}
    assert "set-cookie" not in {k.lower() for k in r.headers}


def test_healthz_tells_no_path_and_no_secret(node):
    base, db, _ = node
    text = requests.get(base + "/healthz", timeout=30).text
    assert str(db.parent) not in text and "sqlite" not in text
    from dashboard.auth import store
    assert store.secret_key(default_users_db_path(db)) not in text


def test_every_response_names_the_node(node):
    base, _, admin = node
    anonymous = requests.Session()
    answers = [anonymous.get(base + "/login", timeout=30),
               anonymous.get(base + "/assets/auth.css", timeout=30),
               anonymous.post(base + "/_dash-update-component", json={}, timeout=30),   # refused: not signed in
               anonymous.get(base + "/incidents", headers={"Accept": "text/html"}, allow_redirects=False,
                             timeout=30),                                               # sent to sign in
               http_session(base, admin).get(base + "/incidents", timeout=60)]
    assert [r.status_code for r in answers] == [200, 200, 401, 303, 200]
    assert all(r.headers.get("X-TPD-Node") == NODE for r in answers)


def test_healthz_is_503_while_the_users_store_does_not_answer(node):
    base, db, _ = node
    users = default_users_db_path(db)
    aside = users.with_name(users.name + ".aside")
    os.replace(users, aside)
    users.mkdir()                 # where the database was, something SQLite cannot open
    try:
        r = requests.get(base + "/healthz", timeout=30)
        assert r.status_code == 503 and r.headers["X-TPD-Node"] == NODE
        body = r.json()
        assert body["ok"] is False and body["users_store"]["ok"] is False
        assert body["users_store"]["zh"] and body["users_store"]["en"]
        assert body["warehouse"]["ok"] is True
    finally:
        users.rmdir()
        os.replace(aside, users)
    assert requests.get(base + "/healthz", timeout=30).status_code == 200


def test_healthz_is_503_while_the_warehouse_is_missing(node):
    base, db, _ = node
    aside = db.with_name("aside.duckdb")
    os.replace(db, aside)
    try:
        r = requests.get(base + "/healthz", timeout=30)
        assert r.status_code == 503 and r.json()["warehouse"]["ok"] is False
    finally:
        os.replace(aside, db)
    assert requests.get(base + "/healthz", timeout=30).status_code == 200
