"""Who a test acts as: a user for function-level tests, stored accounts, signed-in clients.

`make_user(role, unit)` is a user stored nowhere, for `dashboard.session.acting_as`
(the `as_admin` fixture runs a whole test as an administrator). `make_accounts`
stores one account per role (known passwords, no change required), which the
`accounts` and `server` fixtures (tests.fixtures.accounts) serve the demo
warehouse with. `http_session(server, account)` signs in with `requests` the way
a browser does (form with CSRF token) and sends the CSRF header on later posts;
`browser_context(browser, server, account)` signs a Playwright context in through
the form; `sign_in_test_client` signs a Flask test client in without the form.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth.csrf import token_in_form as csrf_from
from tests.builders.demo import TODAY

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Test-pass-2026!"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    unit: str | None = None


def make_accounts(users_db: Path, unit: str) -> dict[str, Account]:
    from dashboard.auth import store
    accounts = {}
    for role in ("admin", "leader", "opinion", "publicity", "unit"):
        account = Account(f"t-{role}", PASSWORD, role, unit if role == "unit" else None)
        store.add(account.username, role, password=PASSWORD, unit_code=account.unit, must_change=False,
                  actor="tests", db=users_db)
        accounts[role] = account
    return accounts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, users_db: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """The dashboard in a subprocess (`env`: more of its environment, e.g. TZ); its output goes to a
    file beside the users database (a pipe nobody reads would fill up and stall the server)."""
    port = _free_port()
    # No warming unless a test asks for it: a warming round would fill the session's shared demo
    # answers (and claim them) behind the back of the tests that count what is computed.
    env = {**os.environ, "TPD_TODAY": TODAY.isoformat(), "PYTHONPATH": str(REPO), "TPD_WARM_SECONDS": "0",
           **(env or {})}
    env.pop("TPD_USERS_DB", None)
    log = open(users_db.parent / f"server-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db_path), "--users-db", str(users_db),
                             "--port", str(port)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((users_db.parent / f"server-{port}.log").read_text())
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the dashboard did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def http_session(base: str, account: Account):
    """A `requests.Session` signed in as `account`; posts carry the CSRF header from then on."""
    import requests

    s = requests.Session()
    form = s.get(base + "/login", timeout=30)
    r = s.post(base + "/login", data={"username": account.username, "password": account.password,
                                      "csrf_token": csrf_from(form.text)}, allow_redirects=False, timeout=30)
    assert r.status_code == 303, f"sign-in as {account.username} failed: {r.status_code}"
    s.headers["X-CSRFToken"] = s.cookies["_csrf_token"]
    return s


def browser_context(browser, base: str, account: Account, **options):
    """A Playwright context signed in as `account` by posting the sign-in form from the context's own
    request client, which shares the context's cookies. No page is opened: closing a page while the
    dashboard's first callbacks are in flight has hung Chromium in CI (the form itself is tested in
    test_browser_auth)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, **options)
    form = context.request.get(base + "/login", timeout=60_000)
    response = context.request.post(base + "/login", max_redirects=0, timeout=60_000, form={
        "username": account.username, "password": account.password, "csrf_token": csrf_from(form.text())})
    assert response.status == 303, f"sign-in as {account.username} failed: {response.status}"
    return context


def sign_in_test_client(client, role: str = "admin", unit: str | None = None):
    """Sign a Flask test client in as a stored user of `role` (created on first use) without the
    form: a session is started in the store and the cookie names it, as a sign-in does."""
    from dashboard.auth import sessions, store
    name = f"tc-{role}" + (f"-{unit}" if unit else "")
    if store.get(name) is None:
        store.add(name, role, password=PASSWORD, unit_code=unit, must_change=False, actor="tests")
    user = store.get(name)
    with client.session_transaction() as session:
        session["s"] = sessions.start(user)
    return client


def dash_test_client(app, role: str = "leader", unit: str | None = None):
    """A Flask test client of the Dash `app`, signed in as `role`, sending the CSRF header the
    renderer sends (the token the sign-in page sets)."""
    client = sign_in_test_client(app.server.test_client(), role, unit)
    client.get("/login")
    with client.session_transaction() as session:
        token = session.get("csrf")
    if token is None:
        client.get("/")
        with client.session_transaction() as session:
            token = session["csrf"]
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


def make_user(role: str, unit: str | None = None, name: str | None = None):
    """A user of `role` (not stored anywhere) for `acting_as` in function-level tests."""
    from dashboard.auth.store import User
    return User(name or f"test-{role}", role, unit)
