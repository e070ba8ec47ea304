"""`/healthz` for the load balancer, and the `X-TPD-Node` header on every response.

`GET /healthz` needs no sign-in and reads no session: it answers JSON with the
node's name (`TPD_NODE_NAME`, default the host name), the warehouse version it
serves (the version every replica of that publish shares, and when it was
published, China time), and whether the users store and the shared-answers
cache answer, and what the answering worker's warming of the shared answers did last
(dashboard.warm; information only). 200 when all of them do, 503 otherwise: a node whose warehouse
or users store is gone takes no traffic. No path, URL or account is in it.

`install(server)` must run before the sign-in guard is installed: its hook
answers /healthz before the guard's hook would ask for a session.
"""
from __future__ import annotations

import datetime as dt
import os
import socket

from flask import jsonify, request

from dashboard.auth import store as users
from dashboard.clock import CHINA
from dashboard.queries import db
from warehouse.connection import WarehouseMissing, published_version

PATH = "/healthz"
HEADER = "X-TPD-Node"


def node_name() -> str:
    return os.environ.get("TPD_NODE_NAME") or socket.gethostname()


def warehouse_state() -> dict:
    try:
        path = db.warehouse().path
        version = published_version(db.warehouse().version())
        published = dt.datetime.fromtimestamp(path.stat().st_mtime, CHINA)
    except (WarehouseMissing, OSError):
        return {"ok": False, "zh": "数据仓库文件不存在", "en": "the warehouse file is missing"}
    return {"ok": True, "version": version, "published_at": published.isoformat(timespec="seconds")}


def users_store_state() -> dict:
    try:
        users.check()
    except Exception:   # any failure of the store means the node cannot sign anyone in
        return {"ok": False, "zh": "用户库无法访问", "en": "the users store does not answer"}
    return {"ok": True}


def cache_state(answer_store) -> dict:
    if answer_store is None:
        return {"ok": True, "kind": "off"}
    if answer_store.answers():
        return {"ok": True, "kind": answer_store.kind}
    return {"ok": False, "kind": answer_store.kind, "zh": "共享答案缓存无法访问", "en": "the shared-answers cache does not answer"}


def health(answer_store, warmer=None) -> tuple[dict, int]:
    parts = {"warehouse": warehouse_state(), "users_store": users_store_state(), "cache": cache_state(answer_store)}
    ok = all(part["ok"] for part in parts.values())
    # What the answering worker's warming did (dashboard.warm): information, never a reason for 503.
    extra = {"warming": warmer.state()} if warmer is not None else {}
    return {"node": node_name(), "ok": ok, **parts, **extra}, 200 if ok else 503


def install(server) -> None:
    node = node_name()

    @server.before_request
    def answer_health():
        if request.path != PATH or request.method not in ("GET", "HEAD"):
            return None
        body, status = health(server.extensions.get("tpd_answer_store"), server.extensions.get("tpd_warmer"))
        response = jsonify(body)
        response.status_code = status
        return response

    @server.after_request
    def name_the_node(response):
        response.headers[HEADER] = node
        return response
