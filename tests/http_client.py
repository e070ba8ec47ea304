"""Talking to a running dashboard over HTTP the way the browser does.

`start_server` runs the real thing (gunicorn with gunicorn.conf.py, or
`python -m dashboard`) on a free loopback port, with the users database beside
the warehouse. `http_session` is the one place a client is made: it signs in
through the form as a browser does (tests.builders.accounts). `dash_callback` posts to
/_dash-update-component the body dash-renderer sends for a callback and
returns {component id: {property: value}}.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python_path() -> str:
    """PYTHONPATH for a subprocess: the repository first, then whatever the tests run with."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


@contextlib.contextmanager
def start_server(db: Path, *, gunicorn: bool = True, env: dict | None = None, boot_seconds: float = 60):
    """Serve `db` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": python_path(), "TPD_DB": str(db), **(env or {})}
    env.pop("TPD_USERS_DB", None)  # the users database beside the warehouse
    if gunicorn:
        env.update(TPD_BIND=f"127.0.0.1:{port}")
        cmd = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "dashboard.wsgi:server"]
    else:
        cmd = [sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port)]
    log = open(Path(db).with_suffix(".server.log"), "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + boot_seconds
        while True:
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still starting on a busy machine
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + Path(log.name).read_text(errors="replace"))
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def http_session(base: str, account) -> requests.Session:
    """A client session for the dashboard at `base`, signed in as `account`
    (an `tests.builders.accounts.Account`) through the sign-in form, CSRF header set."""
    from tests.builders.accounts import http_session as signed_in

    session = signed_in(base, account)
    session.headers.update({"Accept": "application/json", "Accept-Language": "zh-CN"})
    return session


def callback_body(outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]]) -> dict:
    """What dash-renderer posts: one output is named alone, several as `..a.p...b.q..`."""
    outs = [{"id": i, "property": p} for i, p in outputs]
    return {
        "output": f"{outputs[0][0]}.{outputs[0][1]}" if len(outputs) == 1
        else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": outs[0] if len(outs) == 1 else outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [],
    }


class BadResponse(AssertionError):
    pass


def dash_callback(session: requests.Session, base: str, outputs: list[tuple[str, str]],
                  inputs: list[tuple[str, str, object]], timeout: float = 60) -> dict:
    """Call one callback; raises BadResponse unless it answers 200 with every output."""
    resp = session.post(base + "/_dash-update-component", json=callback_body(outputs, inputs), timeout=timeout)
    if resp.status_code != 200:
        raise BadResponse(f"HTTP {resp.status_code}: {resp.text[:500]}")
    try:
        answer = resp.json()["response"]
    except (ValueError, KeyError) as exc:
        raise BadResponse(f"not a callback answer ({exc}): {resp.text[:500]}") from None
    for i, p in outputs:
        if p not in answer.get(i, {}):
            raise BadResponse(f"output {i}.{p} missing: {resp.text[:500]}")
    return answer
