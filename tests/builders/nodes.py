"""Several nodes on loopback: gunicorn nodes and Debian's nginx in front of them, run by the test.

`start_node` runs one node the way ./serve.sh does (gunicorn, gunicorn.conf.py)
with its own warehouse replica, a users store it shares with other nodes (a
PostgreSQL URL, or a SQLite file on one machine), and its name. `nginx_conf` renders deploy/nginx.conf for the test: the
nodes' ports in its upstream, a loopback listen port, every file nginx writes
in the test's directory, connections to the nodes from 127.0.0.2; each place it changes must be found exactly once, so
an edit of the deployed file that the test no longer matches fails here.
`start_nginx` runs /usr/sbin/nginx in the foreground with that config.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.http_client import ROOT, free_port, python_path
from warehouse.users_store import is_url

NGINX = Path("/usr/sbin/nginx")


def _wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer:\n" + log.read_text(errors="replace"))
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def start_node(db: Path, users_db: Path | str, name: str, env: dict | None = None):
    """A gunicorn node serving `db` as `name` on a free loopback port; yields its base URL. `users_db`
    is a SQLite file (`TPD_USERS_DB`) or a PostgreSQL URL (`TPD_USERS_URL`)."""
    port = free_port()
    users = {"TPD_USERS_URL": users_db} if is_url(users_db) else {"TPD_USERS_DB": str(users_db)}
    env = {**os.environ, "PYTHONPATH": python_path(), "TPD_DB": str(db), **users,
           "TPD_NODE_NAME": name, "TPD_BIND": f"127.0.0.1:{port}", **(env or {})}
    log = Path(db).with_name(f"{name}.log")
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                                 "dashboard.wsgi:server"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/login", proc, log)
        yield base
    finally:
        _stop(proc)


def nginx_conf(directory: Path, listen_port: int, node_ports: list[int]) -> Path:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    nodes = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in node_ports)
    temp_paths = "".join(f"    {kind}_temp_path {directory}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    changes = [
        (r"^user www-data;\n", "user root;\n" if os.geteuid() == 0 else ""),
        (r"^pid /run/nginx-tpd\.pid;", f"pid {directory}/nginx.pid;"),
        (r"^error_log /var/log/nginx/tpd-error\.log warn;", f"error_log {directory}/error.log warn;"),
        (r"access_log /var/log/nginx/tpd-access\.log tpd;", f"access_log {directory}/access.log tpd;"),
        (r"proxy_cache_path /var/cache/nginx/tpd-static ", f"proxy_cache_path {directory}/cache "),
        (r"^( +server 10\.0\.0\.\d+:8050 .*\n)+", nodes + "\n"),
        (r"listen 80;", f"listen 127.0.0.1:{listen_port};"),
        (r"^http \{\n", "http {\n" + temp_paths),
        # nginx connects to the nodes from another loopback address than the clients' own
        (r"^    server \{\n", "    server {\n        proxy_bind 127.0.0.2;\n"),
    ]
    for pattern, replacement in changes:
        text, found = re.subn(pattern, lambda _m, r=replacement: r, text, flags=re.M)
        assert found == 1, f"deploy/nginx.conf no longer has {pattern!r} once"
    conf = directory / "nginx.conf"
    conf.write_text(text)
    return conf


@contextlib.contextmanager
def start_nginx(directory: Path, node_bases: list[str]):
    """Debian's nginx in front of the nodes at `node_bases`, on a free loopback port; yields its base URL."""
    assert NGINX.exists(), "nginx is missing: ./test.sh installs Debian's nginx package"
    port = free_port()
    conf = nginx_conf(directory, port, [int(b.rsplit(":", 1)[1]) for b in node_bases])
    check = subprocess.run([str(NGINX), "-t", "-p", str(directory), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = directory / "nginx.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(NGINX), "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/login", proc, log)
        yield base
    finally:
        _stop(proc)
