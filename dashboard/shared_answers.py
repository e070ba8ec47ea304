"""Callback answers shared by every worker process, kept as the bytes Dash sent.

A callback wrapped in `cached_output` is a pure function of its inputs, the
user's scope and role, today's date and the warehouse version. Each worker
keeps such answers in its own memory (dashboard.components.cached); this keeps the
answer itself — the JSON body of the HTTP response, so a hit builds no
figure and serialises nothing — in a file cache beside the warehouse that all
workers of the machine read. A view one worker has computed is then answered
by every other worker in about a millisecond, instead of each computing it
again: with N workers, up to N times less work for the views people share
(the Monday meeting's last week, a branch's own page).

Keys hold everything the answer depends on: the code that makes it (`CODE`, a
digest of the dashboard's and the warehouse's sources), the warehouse version pinned for
the request, today's date, what the role may see (`roles.answer_class`), the
scope's unit, the callback and the values of its inputs and state. An answer is stored only when it was computed
from the latest published version, and a refusal or error is never stored.
The hook runs after the sign-in guard has accepted the request, so a hit
answers only a request the guard would have let reach the callback.

A request for an answer that another thread or worker is computing at that
moment waits for it and reads it (dashboard.inflight), so the same view asked
by many people at once is computed once.

`TPD_SHARED_CACHE_DIR` (default `<warehouse>.answers/` beside the warehouse,
`off` to disable) and `TPD_SHARED_CACHE_ENTRIES` (default 5000) configure it; beyond that
many answers the oldest are removed first.
With `TPD_CACHE_URL=redis://…` the answers and the locks are kept in Redis
instead, shared by every node (dashboard.answer_store, dashboard.redis_answers).
The key's warehouse version is the one all replicas of a publish share
(`published_version`: the file's version without its inode).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from flask import Response, g, request

import warehouse
from dashboard.answer_store import AnswerStore, open_answer_store
from dashboard.auth.roles import answer_class
from dashboard.clock import today
from dashboard.queries import db
from dashboard.session import current_role, current_scope
from warehouse.connection import published_version

CALLBACK_PATH = "/_dash-update-component"
MARK = "tpd_shared_answer"       # set on a callback function whose answers may be shared


def shareable(fn):
    """Mark `fn` (a callback) as a pure function of its inputs, scope, role, day and version."""
    setattr(fn, MARK, True)
    return fn


def cache_dir(warehouse_path: Path | str) -> Path | None:
    setting = os.environ.get("TPD_SHARED_CACHE_DIR", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    path = Path(warehouse_path)
    return path.parent / f"{path.stem}.answers"


def _code_fingerprint(packages=None) -> str:
    """A digest of the code and settings an answer is made by (the dashboard's and the warehouse's
    modules, targets and export settings): an upgraded node never serves an answer the old code
    made, though the store outlives restarts and is shared with nodes not yet upgraded."""
    digest = hashlib.sha256()
    for package in packages or (Path(__file__).parent, Path(warehouse.__file__).parent):
        for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".toml", ".js", ".css")):
            digest.update(str(path.relative_to(package.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE = _code_fingerprint()


def answer_key(body: dict, version: str, day: str, role_class: str, scope_unit: str | None) -> str | None:
    """The cache key of a callback request body, or None when the body is not a plain one."""
    try:
        inputs = [[i["id"], i["property"], i.get("value")] for i in body.get("inputs", [])]
        state = [[s["id"], s["property"], s.get("value")] for s in body.get("state", [])]
        text = json.dumps([CODE, version, day, role_class, scope_unit, body["output"], inputs, state],
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (KeyError, TypeError, ValueError):   # ids as dicts (pattern-matching) or odd bodies: not shared
        return None
    return hashlib.sha256(text.encode()).hexdigest()


COUNTS: dict[str, int] = {"hit": 0, "computed": 0}   # this process's shareable answers, by how they came
ANSWER_HEADER = "X-TPD-Answer"    # on a shareable callback's answer: `shared` (read from the store) or `computed`


def key_of(app, body) -> str | None:
    """The shared-answers key of a callback request body for the signed-in user of the request,
    or None when its callback is not shareable (or the body not a plain one)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return None
    entry = app.callback_map.get(body["output"])
    if not entry or not getattr(entry.get("callback"), MARK, False):
        return None
    return answer_key(body, published_version(db.version()), today().isoformat(), answer_class(current_role()),
                      current_scope().unit)


def keepable(response) -> bool:
    """Whether an answer may be kept: a whole 200 computed from the latest published version."""
    return (response.status_code == 200 and not response.is_streamed
            and db.version() == db.warehouse().latest_version())


def compute_into(store: AnswerStore, key: str, compute) -> str:
    """Keep the answer `compute()` (a Flask response) gives under `key`, unless it is kept already or
    another request computes it meanwhile (then it waits for that one, as a request does).
    'kept already', 'computed' or 'not kept' (a refusal, an error, an older version)."""
    if store.get(key) is not None:
        return "kept already"
    flight = store.take(key)
    try:
        if flight.answer is not None:
            return "kept already"
        response = compute()
        if not keepable(response):
            return "not kept"
        store.keep(key, response.get_data())
        return "computed"
    finally:
        store.land(flight)


def install(app, warehouse_path: Path | str) -> None:
    """Answer shareable callbacks from, and keep their answers in, the shared cache."""
    store = open_answer_store(cache_dir(warehouse_path))
    app.server.extensions["tpd_answer_store"] = store    # /healthz asks it whether it answers
    if store is None:
        return
    seen_version: dict = {"version": None}

    def key_of_request() -> str | None:
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        return key_of(app, request.get_json(silent=True))

    @app.server.before_request
    def answer_from_shared_cache():
        key = key_of_request()
        if key is None:
            return None
        forget_older_versions(store, seen_version)
        g.tpd_answer_key = key
        body = store.get(key)
        if body is None:
            # Not computed yet: if the same answer is being computed for someone else, wait for it.
            taken = store.take(key)
            g.tpd_flight, body = taken, taken.answer
        if body is None:
            return None
        g.tpd_answer_hit = True
        COUNTS["hit"] += 1
        return Response(body, mimetype="application/json", headers={ANSWER_HEADER: "shared"})

    @app.server.after_request
    def keep_in_shared_cache(response):
        key = g.pop("tpd_answer_key", None)
        if key and not g.pop("tpd_answer_hit", False):
            COUNTS["computed"] += 1
            response.headers[ANSWER_HEADER] = "computed"
            if keepable(response):
                store.keep(key, response.get_data())
        store.land(g.pop("tpd_flight", None))    # kept (or not keepable): the waiters may go on
        return response

    @app.server.teardown_request
    def land_after_an_error(_exc):
        store.land(g.pop("tpd_flight", None))


def forget_older_versions(store: AnswerStore, seen: dict) -> None:
    """When this worker first meets a newly published version, the store may drop what was kept
    before it was published: those keys can never be asked again."""
    latest = db.warehouse().latest_version()
    if seen["version"] == latest:
        return
    seen["version"] = latest
    try:
        store.new_version(db.warehouse().path.stat().st_mtime)
    except OSError:   # the file replaced again meanwhile: the next request does it
        seen["version"] = None
