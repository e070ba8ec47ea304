"""PostgreSQL stopped under a running node: what people see, and that no audit entry is lost.

The node (gunicorn, `TPD_USERS_URL`) uses a throwaway PostgreSQL cluster of the test's own, which
the test stops and starts again (never the machine's server). While it is down every request that
needs the users store — a session check past the one-second per-process memory, a sign-in, an
export, whose audit entry cannot be written — is refused with a bilingual 503 (a page for a browser,
JSON for a callback or a download) and does nothing; /healthz says the store does not answer. When
it is back, the same cookie works again and the audit log holds an entry for every export that was
sent, and only those.
"""
from __future__ import annotations

import time

import pytest
import requests

from tests.builders.accounts import make_accounts
from tests.builders.demo import TODAY, a_branch
from tests.builders.files import copy_warehouse
from tests.builders.postgres import ThrowawayCluster, create_database, wait_until
from tests.http_client import http_session, start_server
from warehouse.users_store import AuditQuery, open_store

pytestmark = pytest.mark.slow

EXPORT = "/download/table/incidents-records.csv?period=this_year"
STORE_WAIT = 3.0 + 1.0   # the store's wait for a connection, and the session memory


@pytest.fixture(scope="module")
def cluster():
    cluster = ThrowawayCluster().start()
    yield cluster
    cluster.remove()


@pytest.fixture(scope="module")
def node(demo_db, cluster, tmp_path_factory):
    url = create_database(cluster.server)
    db = copy_warehouse(demo_db, tmp_path_factory.mktemp("outage") / "warehouse.duckdb")
    admin = make_accounts(url, a_branch(db))["admin"]
    env = {"TPD_TODAY": TODAY.isoformat(), "TPD_USERS_URL": url, "TPD_WEB_WORKERS": "1"}
    with start_server(db, env=env) as base:
        yield base, url, admin


@pytest.fixture
def stopped(cluster):
    """PostgreSQL down for the test's block, up again after it whatever happens."""
    def stop():
        cluster.stop()
        time.sleep(STORE_WAIT)
    yield stop
    if not cluster.running():
        cluster.start()


def exports_recorded(url) -> int:
    return len(open_store(url).audit_entries(AuditQuery(kinds=("export",))))


def test_while_postgresql_is_down_a_signed_in_page_is_a_bilingual_503(node, cluster, stopped):
    base, url, admin = node
    s = http_session(base, admin)
    assert s.get(base + "/incidents", timeout=60).status_code == 200
    stopped()
    page = s.get(base + "/incidents", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "用户库暂时无法访问" in page.text and "users store does not answer" in page.text
    health = requests.get(base + "/healthz", timeout=30)
    assert health.status_code == 503 and health.json()["users_store"]["ok"] is False
    cluster.start()
    assert wait_until(lambda: s.get(base + "/incidents", timeout=30).status_code == 200, 30)   # same cookie
    assert requests.get(base + "/healthz", timeout=30).status_code == 200


def test_while_postgresql_is_down_sign_in_is_refused_not_counted_as_a_failure(node, cluster, stopped):
    base, url, admin = node
    stopped()
    form = requests.get(base + "/login", timeout=30)
    assert form.status_code == 200                 # the form names nobody and needs no store
    s = requests.Session()
    form = s.get(base + "/login", timeout=30)
    from dashboard.auth.csrf import token_in_form
    r = s.post(base + "/login", data={"username": admin.username, "password": admin.password,
                                      "csrf_token": token_in_form(form.text)},
               headers={"Accept": "text/html"}, allow_redirects=False, timeout=30)
    assert r.status_code == 503 and "用户库暂时无法访问" in r.text
    cluster.start()
    assert open_store(url).count_audit("signin.failed", target=admin.username) == 0
    _until_healthy(base)                           # the node's pool has reconnected, as the balancer waits for
    http_session(base, admin)                      # and signing in works again


def test_no_export_is_sent_unrecorded_while_postgresql_is_down(node, cluster, stopped):
    base, url, admin = node
    s = http_session(base, admin)
    before = exports_recorded(url)
    assert s.get(base + EXPORT, timeout=120).status_code == 200
    stopped()
    refused = s.get(base + EXPORT, timeout=120)
    assert refused.status_code == 503 and refused.json()["en"].startswith("the users store does not answer")
    assert "text/csv" not in refused.headers.get("Content-Type", "")
    cluster.start()
    assert wait_until(lambda: s.get(base + EXPORT, timeout=120).status_code == 200, 30)
    assert exports_recorded(url) == before + 2      # the two sent, each recorded; the refused one not sent


def _until_healthy(base: str, seconds: float = 30) -> None:
    import time
    deadline = time.monotonic() + seconds
    while requests.get(base + "/healthz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the node did not report its users store answering again"
        time.sleep(0.5)
