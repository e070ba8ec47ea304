"""The audit log from the dashboard's side: append an entry for the current request, read entries.

Entries are only ever appended (`warehouse.usersdb`; triggers refuse UPDATE
and DELETE). The actor is the signed-in user, the address the request's.
"""
from __future__ import annotations

import datetime as dt
import json

from flask import has_request_context, request

from dashboard.auth import store
from dashboard.auth.current import current_user
from warehouse import usersdb

LIMIT = 500


def record(event: str, *, target: str | None = None, detail: dict | None = None, actor: str | None = None) -> int:
    user = current_user()
    ip = request.remote_addr if has_request_context() else None
    with store.connection() as con:
        return usersdb.append_audit(con, event, actor=actor or (user.username if user else None), target=target,
                                    detail=detail, ip=ip)


def refused(reason: str, status: int, **detail) -> int:
    """An `access.refused` entry for the current request: a role's 403, or a 400 naming a unit or
    area outside the user's scope."""
    if "output" not in detail:
        detail["query"] = request.query_string.decode("utf-8", "replace")[:500] or None
    detail = {"reason": reason[:500], "status": status, **detail}
    return record("access.refused", target=request.path[:200],
                  detail={k: v for k, v in detail.items() if v is not None})


def _utc(day: dt.date) -> str:
    """Local midnight at the start of `day`, in UTC as stored."""
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time(stored: str) -> str:
    at = dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def entries(start: dt.date, end: dt.date, limit: int = LIMIT) -> list[dict]:
    """The period's entries (local days, both ends included), newest first: at (local), actor, event,
    target, detail (dict), ip."""
    with store.connection() as con:
        rows = con.execute(
            "select id, at, actor, event, target, detail, ip from audit_log where at >= ? and at < ? "
            "order by id desc limit ?", (_utc(start), _utc(end + dt.timedelta(days=1)), limit)).fetchall()
    return [{**dict(r), "at": local_time(r["at"]), "detail": json.loads(r["detail"]) if r["detail"] else {}}
            for r in rows]
