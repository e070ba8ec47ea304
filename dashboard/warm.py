"""Warming the shared answers after each publish, so the first people of the day get answers from the cache.

When a node's readers open a warehouse version they had not seen (a publish on
this machine, or `python -m warehouse replicate` bringing one over; the
warehouse tells `db.on_new_version`), and when China's day turns (上周 means
other days tomorrow, and the day is in every answer's key), one thread of
one worker computes the default views into the shared answers
(dashboard.shared_answers): each page as it opens (its own default period),
last complete week and this month, on every page
a role may open, for each answer class (`roles.answer_class`) on the whole
city, then for each unit that has unit-scoped accounts, one unit at a time.

Each answer is computed as a request would compute it: the same Dash
dispatch calls the same page callback (its `cached_output` answer), with the
body dash-renderer posts for the view the page's layout puts in its store,
under the key `shared_answers.key_of` gives a request, kept by
`shared_answers.compute_into`. A later request for that view is answered from
the store.

Bounded, and never in anyone's way:

- `TPD_WARM_SECONDS` (default 600; 0 or `off`: no warming) bounds each round in
  wall time; it stops where it is when the time is spent.
- the thread runs at a lower priority (`os.nice`, `TPD_WARM_NICE`, default 10;
  on Linux a thread's own), and before each answer it waits while this worker
  is serving requests: warming uses what requests leave.
- only one worker of every node sharing the store warms a version and day: it
  claims `warm:<version>:<day>` in the store first (Redis `SET NX`, or a file
  created only if absent beside the file store's locks). A node whose readers
  reopen later finds it claimed and reads what the first computed.
- it never holds a load or a request: it runs on its own thread, reads a
  pinned snapshot like a request, and a request for a view being warmed
  waits for that answer instead of computing it twice (single flight).

A watcher thread looks at the warehouse file every `TPD_WARM_POLL_SECONDS`
(default 10) and opens a new version when there is one (as a request would),
so a replica that arrived in the night is warmed before anyone asks.
`python -m dashboard warm [--db PATH] [--seconds N]` runs one round by hand and
prints what it computed.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from flask import g

from dashboard import shared_answers
from dashboard.auth import roles
from dashboard.auth import store as users
from dashboard.auth.current import acting_as
from dashboard.auth.store import User
from dashboard.clock import today
from dashboard.components.page_kit import Page
from dashboard.queries import db
from warehouse.connection import published_version

log = logging.getLogger("tpd.warm")

PERIODS = ("last_week", "this_month")     # what a Monday meeting opens first: last week, then the month
FIRST_PAGES = ("overview",)               # the landing page first
WARMER = "tpd_warmer"                      # app.server.extensions key of the node's warmer


def budget_seconds() -> float:
    setting = os.environ.get("TPD_WARM_SECONDS", "600").strip().lower()
    if setting in ("off", "", "0"):
        return 0.0
    try:
        return max(0.0, float(setting))
    except ValueError:
        log.warning("TPD_WARM_SECONDS=%r is not a number of seconds / 不是秒数: warming off", setting)
        return 0.0


def _int_setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Round:
    """What one round of warming did: answers by (answer class, unit or None for the city)."""
    version: str
    day: str
    outcome: str = "warmed"          # warmed | claimed by another | no shared store | off
    computed: Counter = field(default_factory=Counter)
    kept_already: Counter = field(default_factory=Counter)
    not_kept: list = field(default_factory=list)
    out_of_time: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        def by_scope(c: Counter) -> dict:
            return {f"{cls} {unit or 'city'}": n for (cls, unit), n in sorted(c.items(), key=str)}
        return {"version": self.version, "day": self.day, "outcome": self.outcome,
                "computed": sum(self.computed.values()), "kept_already": sum(self.kept_already.values()),
                "not_kept": self.not_kept[:20], "out_of_time": self.out_of_time,
                "seconds": round(self.seconds, 1), "by_class_and_scope": by_scope(self.computed + self.kept_already)}


# ---- what to warm ----------------------------------------------------------------------------

def pages_by_store() -> dict[str, Page]:
    """Every declared page (dashboard.pages.*, once the app has imported them), by its view store's id."""
    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("dashboard.pages.") and module is not None:
            for value in vars(module).values():
                if isinstance(value, Page):
                    found[value.store] = value
    return found


def callbacks_by_page(app) -> list[tuple[Page, list[str]]]:
    """The shareable callbacks whose only input is a page's view store, by page, landing page first."""
    stores = pages_by_store()
    by_store: dict[str, list[str]] = {}
    for output, entry in app.callback_map.items():
        inputs = entry.get("inputs") or []
        if (getattr(entry.get("callback"), shared_answers.MARK, False) and not entry.get("state")
                and len(inputs) == 1 and inputs[0].get("property") == "data" and inputs[0].get("id") in stores):
            by_store.setdefault(inputs[0]["id"], []).append(output)
    pages = [(stores[s], outs) for s, outs in by_store.items()]
    return sorted(pages, key=lambda po: (po[0].name not in FIRST_PAGES, FIRST_PAGES.index(po[0].name)
                                         if po[0].name in FIRST_PAGES else 0))


def people() -> list[User]:
    """One user per answer class on the city (the role that opens the most pages), then one per unit
    that unit-scoped accounts have, in the order of their codes."""
    city, seen = [], set()
    for role in roles.NAMES:
        r = roles.get(role)
        if r.unit_scoped or roles.answer_class(role) in seen:
            continue
        seen.add(roles.answer_class(role))
        city.append(User(f"warm:{role}", role))
    units = sorted({u["unit_code"] for u in users.list_users()
                    if u.get("unit_code") and not u.get("disabled") and roles.get(u["role"]).unit_scoped})
    unit_role = next(name for name in roles.NAMES if roles.get(name).unit_scoped)
    return city + [User(f"warm:{unit_role}:{unit}", unit_role, unit_code=unit) for unit in units]


def outputs_of(output: str) -> dict | list[dict]:
    """The `outputs` dash-renderer sends with a callback's `output` string."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return outs if output.startswith("..") else outs[0]


def shown_to(role: str, outputs: list[str]) -> list[str]:
    """The callbacks a browser of `role` posts: a role without `records` has no record-level table
    on its page (its callback would be refused)."""
    if roles.may(role, "records"):
        return outputs
    return [o for o in outputs if not any(t["id"] in roles.RECORD_TABLES for t in _as_list(outputs_of(o)))]


def _as_list(outs) -> list[dict]:
    return outs if isinstance(outs, list) else [outs]


def callback_body(output: str, store: str, view: str) -> dict:
    """The body dash-renderer posts for a page callback when the page's store holds `view`."""
    return {"output": output, "outputs": outputs_of(output),
            "inputs": [{"id": store, "property": "data", "value": view}],
            "changedPropIds": [f"{store}.data"], "state": []}


def default_views(page: Page) -> list[str]:
    """The store values of the page's default views for the acting user: what its layout puts in
    its store when opened as it is linked (its own default period: this year on some pages), for
    last week and for this month (in Chinese, no other filter)."""
    views = []
    for args in ({}, *({"period": period} for period in PERIODS)):
        query = page.layout_ask(args).view.query()
        if query not in views:
            views.append(query)
    return views


# ---- warming ----------------------------------------------------------------------------------

class Busy:
    """How many requests this worker is serving now (warming waits while there are any)."""

    def __init__(self):
        self.n = 0
        self._lock = threading.Lock()

    def install(self, server) -> None:
        @server.before_request
        def count_in():
            with self._lock:
                self.n += 1
            g.tpd_counted_busy = True

        @server.teardown_request
        def count_out(_exc):
            if g.pop("tpd_counted_busy", False):
                with self._lock:
                    self.n -= 1

    def wait_until_idle(self, deadline: float) -> None:
        while self.n > 0 and time.monotonic() < deadline:
            time.sleep(0.02)


def _dispatcher(app):
    server = app.server
    path = app.config.routes_pathname_prefix + "_dash-update-component"
    endpoint, _ = server.url_map.bind("localhost").match(path, method="POST")
    return path, server.view_functions[endpoint]


def warm_once(app, seconds: float | None = None, *, claim: bool = True, busy: Busy | None = None,
              stop: threading.Event | None = None) -> Round:
    """One round: claim the current version and day, then compute the default views into the shared
    answers until done, `seconds` (default `TPD_WARM_SECONDS`) are spent or `stop` is set."""
    seconds = budget_seconds() if seconds is None else seconds
    started = time.monotonic()
    deadline = started + seconds
    store = app.server.extensions.get("tpd_answer_store")
    with db.pinned() as snap:
        day = today().isoformat()
        done = Round(published_version(snap.version), day)
        if seconds <= 0:
            done.outcome = "off"
            return done
        if store is None:
            done.outcome = "no shared store"
            return done
        if claim and not store.claim(f"warm:{shared_answers.CODE}:{done.version}:{day}", max(seconds, 3600)):
            done.outcome = "claimed by another"
            return done
        app._setup_server()     # Dash copies the pages' callbacks into callback_map before its first request
        path, dispatch = _dispatcher(app)
        pages = callbacks_by_page(app)
        for user in people():
            with acting_as(user):
                cls = roles.answer_class(user.role)
                for page, outputs in pages:
                    if not roles.may_open(user.role, roles.page_of_module(page.module)):
                        continue
                    for view in default_views(page):
                        for output in shown_to(user.role, outputs):
                            if busy is not None:
                                busy.wait_until_idle(deadline)
                            if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                                done.out_of_time = time.monotonic() >= deadline
                                done.seconds = time.monotonic() - started
                                return done
                            outcome = _warm_answer(app, store, path, dispatch, user,
                                                   callback_body(output, page.store, view))
                            if outcome == "computed":
                                done.computed[(cls, user.unit_code)] += 1
                            elif outcome == "kept already":
                                done.kept_already[(cls, user.unit_code)] += 1
                            else:
                                done.not_kept.append(f"{user.role} {user.unit_code or ''} {output[:60]} {view}: {outcome}")
    done.seconds = time.monotonic() - started
    return done


def _warm_answer(app, store, path: str, dispatch, user: User, body: dict) -> str:
    """One answer, as a request for `body` by `user` would compute and keep it."""
    server = app.server
    with server.test_request_context(path, method="POST", json=body):
        g.tpd_user = user
        key = shared_answers.key_of(app, body)
        if key is None:
            return "not shareable"
        try:
            return shared_answers.compute_into(store, key, lambda: server.make_response(dispatch()))
        except Exception as exc:  # noqa: BLE001  (a view that fails here fails for its request too: say so, go on)
            log.warning("warming %s failed: %r", body["output"][:80], exc)
            return f"{type(exc).__name__}: {exc}"[:200]


class Warmer:
    """The node's warming thread: wakes when the readers open a new version, or every poll, and
    warms when the (version, day) it finds is not the one it last warmed."""

    def __init__(self, app, poll_s: float | None = None):
        self.app = app
        self.poll_s = poll_s if poll_s is not None else _int_setting("TPD_WARM_POLL_SECONDS", 10)
        self.busy = Busy()
        self.rounds: list[Round] = []
        self.last: tuple | None = None
        self._current: tuple | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        app.server.extensions[WARMER] = self

    def install(self) -> "Warmer":
        """The request counter and the version listener (before the worker's first request)."""
        self.busy.install(self.app.server)
        db.on_new_version(lambda _version: self._wake.set())
        return self

    def start(self) -> "Warmer":
        if budget_seconds() <= 0:
            log.info("warming the shared answers is off (TPD_WARM_SECONDS)")
            return self
        self.thread = threading.Thread(target=self._run, name="tpd-warm", daemon=True)
        self.thread.start()
        return self

    def stop(self, wait_s: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self.thread is not None:
            self.thread.join(wait_s)

    def _run(self) -> None:
        try:
            os.nice(_int_setting("TPD_WARM_NICE", 10))   # Linux: this thread only
        except OSError:
            pass
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # noqa: BLE001  (warming is an optimisation: never take the worker down)
                log.exception("warming the shared answers failed / 预热共享答案失败")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def state(self) -> dict:
        """For /healthz: whether this worker is warming now, and what its last round did."""
        last = self.rounds[-1].as_dict() if self.rounds else None
        if last:
            last.pop("by_class_and_scope"), last.pop("not_kept")
        return {"on": self.thread is not None and self.thread.is_alive(), "warming_now": self._current is not None,
                "last_round": last}

    def check(self) -> Round | None:
        """Open the published version if it is new (the readers reopen), and warm it once a day."""
        snap = db.warehouse().snapshot()
        now = (published_version(snap.version), today().isoformat())
        if now == self.last:
            return None
        self.last = now
        self._current = now
        try:
            done = warm_once(self.app, busy=self.busy, stop=self._stop)
        finally:
            self._current = None
        self.rounds.append(done)
        log.info("warming %s: %s", now, done.as_dict())
        return done


def install(app) -> Warmer:
    """Make the node's warmer (not started: `start_warming` does, in a serving process)."""
    return Warmer(app).install()


def start_warming(app) -> Warmer | None:
    warmer = app.server.extensions.get(WARMER)
    return warmer.start() if warmer is not None else None


def run_by_hand(app, seconds: float | None = None) -> Round:
    """`python -m dashboard warm`: one round now, whoever warmed this version before (answers kept
    already are not computed again)."""
    return warm_once(app, seconds if seconds is not None else (budget_seconds() or 600), claim=False)
