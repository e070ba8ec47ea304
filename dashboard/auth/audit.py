"""The audit log from the dashboard's side: append an entry for the current request, read entries.

Entries are only ever appended (warehouse.users_store; triggers refuse UPDATE
and DELETE). The actor is the signed-in user, the address the request's.
Times are stored in UTC and shown in China time (Asia/Shanghai), whatever the
server's own zone; a period's days are China days.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import has_request_context, request

from dashboard.auth import store
from dashboard.auth.current import current_user
from dashboard.clock import CHINA
from warehouse.users_store import AuditEntry, AuditQuery, Event, parse_utc, utc_text

LIMIT = 500
CSV_COLUMNS = ("id", "at", "actor", "event", "target", "detail", "ip")
CSV_HEADER = ("编号 id", "时间（北京时间）time (China)", "操作人 actor", "事件 event", "对象 target",
              "详情 detail", "地址 ip")


def record(event: str, *, target: str | None = None, detail: dict | None = None, actor: str | None = None) -> int:
    user = current_user()
    ip = request.remote_addr if has_request_context() else None
    return store.users_store().append_audit(
        Event(event, actor=actor or (user.username if user else None), target=target, detail=detail, ip=ip))


def china_midnight(day: dt.date) -> str:
    """The start of `day` in China, as stored (UTC)."""
    return utc_text(dt.datetime.combine(day, dt.time.min, tzinfo=CHINA))


def refused(reason: str, status: int, **detail) -> int:
    """An `access.refused` entry for the current request: a role's 403, or a 400 naming a unit or
    area outside the user's scope."""
    if "output" not in detail:
        detail["query"] = request.query_string.decode("utf-8", "replace")[:500] or None
    detail = {"reason": reason[:500], "status": status, **detail}
    return record("access.refused", target=request.path[:200],
                  detail={k: v for k, v in detail.items() if v is not None})



def china_time(stored: str) -> str:
    return parse_utc(stored).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


local_time = china_time    # the name the pages use


def entries(start: dt.date, end: dt.date, limit: int = LIMIT) -> list[dict]:
    """The period's entries (China days, both ends included), newest first: at (China time), actor,
    event, target, detail (dict), ip."""
    found = store.users_store().audit_entries(AuditQuery(
        since=china_midnight(start), until=china_midnight(end + dt.timedelta(days=1)), limit=limit))
    return [_shown(e) for e in found]


def _shown(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": china_time(entry.at), "actor": entry.actor, "event": entry.event,
            "target": entry.target, "detail": entry.detail, "ip": entry.ip}


def search(query: AuditQuery, db=None) -> list[dict]:
    """Entries as `entries` gives them, for any query (the command line's filters)."""
    return [_shown(e) for e in store.users_store(db).audit_entries(query)]


def as_csv(rows: list[dict]) -> str:
    """The entries as CSV for Excel: a byte-order mark, bilingual headers, details as JSON, and
    cells that would start a formula quoted with an apostrophe (an actor or target is typed by people)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        cells = {**row, "detail": json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
                 if row["detail"] else ""}
        writer.writerow([_safe_cell(cells[c]) for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def _safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
