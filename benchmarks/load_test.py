"""Load test: signed-in users moving between pages and changing filters, against gunicorn.

Target (issue 6): 50 users for 60 s on a 10,000,000-incident warehouse, no
errors, the 95th percentile of callback latency under 1 s on this 2-core
machine; memory per worker stated. Every error is reported with its cause (the
exception chain, or the HTTP status), and so is every request retried because
the server had closed its idle connection (a browser retries those too); a
worker that gunicorn restarted during the run is counted from its log.

What a user does is what the browser does for them. Each user signs in
through the form (CSRF token, session cookie), loads the page's HTML and,
once, the scripts and stylesheets it names (a cold browser cache), then,
after every navigation, posts the callbacks dash-renderer posts: the page
router, the shell, and every callback of the new page whose inputs are on it,
with the values the returned layout holds, six at a time as a browser does.
Users arrive over the first 10 s. Between actions a user reads for a
random 3-10 s (`--think`), then either opens another page of their role
with the same filters, or changes one filter: the period (last week most
often), a unit of their scope (drill down; the first units of the list far
more often than the last, as everybody clicks the top of the lag table), a
scenic area, the season, or resets them. The users are a Monday meeting's mix: leaders,
public-opinion and publicity staff on the whole city, unit commanders each
on their own branch, two administrators. Callbacks are read from the
server's own /_dash-dependencies, so the test follows the pages as they change.

The server is `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`, as
./serve.sh runs it, with `TPD_WEB_WORKERS` workers; the test waits for their
warm-up to finish before the clock starts. Latency is measured at the
client, so it includes queueing in the server. Memory is each worker's
resident set, sampled every second.

Run: .venv/bin/python benchmarks/load_test.py [--scale 10000000] [--users 50] [--seconds 60]
     [--workers 2] [--threads 8] [--think 3 10] [--seed 1] [--warm-answers]

Through nginx in front of two nodes sharing PostgreSQL and Redis, and the cold
start after a publish with and without warming: benchmarks/load_test_nodes.py,
which reuses these users.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, demo_warehouse, report  # noqa: E402

TODAY = "2026-11-23"
PASSWORD = "Load-test-pass-2026!"
CALLBACK = "/_dash-update-component"
PARALLEL_REQUESTS = 6          # what a browser opens per host
# How long a user's client reuses an idle connection (httpx's default). The server must keep
# idle connections longer (gunicorn.conf.py `keepalive`): a server that closes first races
# the client's next request on that connection, which then fails with "Server disconnected
# without sending a response".
CLIENT_IDLE_REUSE_S = 5.0
# What gunicorn logs when a worker is restarted or killed: a request it held is cut off.
WORKER_EVENTS = re.compile(r"WORKER TIMEOUT|Booting worker|Worker exiting|was sent SIG\w+|Worker \(pid:\d+\) (?:exited|was)",
                           re.IGNORECASE)
# What people pick, most often first: the meeting reviews last week, then the month and the year.
PERIODS = {"last_week": 0.35, "this_month": 0.25, "this_year": 0.2, "this_week": 0.1, "this_quarter": 0.1}
SEASONS = ("旺季", "淡季")
PAGES_BY_ROLE = {
    "admin": ("/", "/briefing", "/staffing", "/map", "/incidents", "/mediation", "/satisfaction", "/nominations",
              "/data"),
    "leader": ("/", "/briefing", "/staffing", "/map", "/incidents", "/mediation", "/satisfaction", "/nominations"),
    "opinion": ("/", "/satisfaction", "/nominations"),
    "publicity": ("/", "/briefing", "/staffing", "/map", "/incidents", "/mediation", "/satisfaction", "/nominations"),
    "unit": ("/", "/briefing", "/staffing", "/map", "/incidents", "/mediation", "/satisfaction", "/nominations"),
}


@dataclass
class Account:
    username: str
    role: str
    unit: str | None = None


@dataclass
class Tally:
    """What the users saw: latencies by kind and callback, errors (each with its cause) and the
    requests retried on a connection the server had closed."""
    latencies: dict[str, list[float]] = field(default_factory=dict)
    by_callback: dict[str, list[float]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    retried: list[dict] = field(default_factory=list)
    navigations: int = 0
    nodes: dict[str, int] = field(default_factory=dict)        # responses by the node that served them (X-TPD-Node)
    answers: dict[str, int] = field(default_factory=dict)      # shareable callback answers: shared | computed

    def served(self, response) -> None:
        node = response.headers.get("X-TPD-Node")
        if node:
            self.nodes[node] = self.nodes.get(node, 0) + 1
        answer = response.headers.get("X-TPD-Answer")
        if answer:
            self.answers[answer] = self.answers.get(answer, 0) + 1

    def by_cause(self, found: list[dict]) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in found:
            out[e["cause"]] = out.get(e["cause"], 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def add(self, kind: str, seconds: float, name: str | None = None) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        if name:
            self.by_callback.setdefault(name, []).append(seconds)


# ---- the people ----------------------------------------------------------------------------------

def branches(db: Path) -> dict[str, list[str]]:
    """Each 景区分局/分县局 with the units below it (itself included)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""
            select c.ancestor_code, list(c.unit_code order by c.unit_code)
            from unit_closure c join units u on u.unit_code = c.ancestor_code
            where u.unit_level in ('景区分局', '分县局') group by 1 order by 1""").fetchall()
        areas = con.execute("select area_code from scenic_areas order by 1").fetchall()
    finally:
        con.close()
    return {"_areas": [a[0] for a in areas], **{code: units for code, units in rows}}


def meeting(n: int, branch_codes: list[str]) -> list[Account]:
    """A Monday meeting's mix of roles for `n` users."""
    roles = ["leader"] * 12 + ["opinion"] * 8 + ["publicity"] * 8 + ["unit"] * 20 + ["admin"] * 2
    accounts = []
    for i in range(n):
        role = roles[i % len(roles)]
        unit = branch_codes[i % len(branch_codes)] if role == "unit" else None
        accounts.append(Account(f"load-{i:03d}", role, unit))
    return accounts


def make_users(users_db: Path, accounts: list[Account]) -> None:
    from dashboard.auth import store

    for a in accounts:
        if store.get(a.username, users_db) is None:
            store.add(a.username, a.role, password=PASSWORD, unit_code=a.unit, must_change=False,
                      actor="load-test", db=users_db)


# ---- the server ----------------------------------------------------------------------------------

def start_gunicorn(db: Path, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TPD_DB": str(db), "TPD_TODAY": TODAY,
           "TPD_BIND": f"127.0.0.1:{port}", "TPD_WEB_WORKERS": str(workers), "TPD_WEB_THREADS": str(threads),
           "TPD_LOG_LEVEL": "info"}  # worker boots and exits are logged at info
    env.pop("TPD_USERS_DB", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "wb") as out:
        return subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
                                 "dashboard.wsgi:server"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in children]


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


async def wait_until_idle(master: int, quiet_seconds: float = 3.0, limit: float = 900) -> float:
    """Wait until the workers have finished warming up (no CPU used for `quiet_seconds`)."""
    t0 = time.monotonic()
    last, quiet = None, 0.0
    while time.monotonic() - t0 < limit:
        pids = worker_pids(master)
        used = sum(cpu_seconds(p) for p in pids)
        if last is not None and pids and used - last < 0.05:
            quiet += 1.0
            if quiet >= quiet_seconds:
                break
        else:
            quiet = 0.0
        last = used
        await asyncio.sleep(1.0)
    return time.monotonic() - t0


async def sample_memory(master: int, samples: dict[int, list[float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for pid in worker_pids(master):
            samples.setdefault(pid, []).append(rss_mib(pid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except asyncio.TimeoutError:
            pass


# ---- what the browser does -----------------------------------------------------------------------

def props_by_id(tree) -> dict[str, dict]:
    """Every component with a string id in a layout tree, with its properties."""
    found: dict[str, dict] = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node:
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                for value in props.values():
                    walk(value)
            else:
                for value in node.values():
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


def callback_body(dep: dict, values: dict[str, dict]) -> dict:
    """The body dash-renderer posts for `dep` with the component values it holds."""
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
               for o in re.findall(r"[^.]+\.[^.]+", dep["output"].strip("."))] if dep["output"].startswith("..") \
        else [{"id": dep["output"].rsplit(".", 1)[0], "property": dep["output"].rsplit(".", 1)[1]}]

    def value_of(item):
        return {"id": item["id"], "property": item["property"],
                "value": values.get(item["id"], {}).get(item["property"])}

    return {
        "output": dep["output"],
        "outputs": outputs[0] if len(outputs) == 1 else outputs,
        "inputs": [value_of(i) for i in dep["inputs"]],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"]],
        "state": [value_of(s) for s in dep["state"]],
    }


def output_ids(dep: dict) -> list[str]:
    outputs = dep["output"].strip(".").split("...") if dep["output"].startswith("..") else [dep["output"]]
    return [o.rsplit(".", 1)[0].split("@")[0] for o in outputs]


def initial_callbacks(deps: list[dict], on_page: set[str]) -> list[dict]:
    """The server callbacks a browser fires when a page's layout arrives: those whose inputs and
    outputs are all on the page (a role without record tables has no grid to fill)."""
    out = []
    for dep in deps:
        ids = [i["id"] for i in dep["inputs"]]
        if dep.get("clientside_function") or dep.get("prevent_initial_call"):
            continue
        if any(not isinstance(i, str) or i.startswith("{") for i in ids) or not ids:
            continue
        if all(i in on_page for i in ids + output_ids(dep)):
            out.append(dep)
    return out


def _request_of(request) -> str:
    return f"{request.method} {request.url.path}" if request is not None else "?"


def cause_of(exc: BaseException) -> str:
    """The exception and what caused it, outermost first: "RemoteProtocolError: Server
    disconnected without sending a response." or a timeout, a refused connection, …"""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    return " ← ".join(chain)


def failure(kind: str, name: str | None, exc: BaseException, t0: float) -> dict:
    try:
        request = _request_of(getattr(exc, "request", None))
    except RuntimeError:  # an httpx error raised before its request was set
        request = "?"
    return {"kind": kind, "callback": name, "request": request, "cause": cause_of(exc),
            "after_ms": round(1000 * (time.perf_counter() - t0))}


def worker_events(log: Path) -> list[str]:
    """gunicorn's lines about workers timing out, exiting or booting (after the first boot)."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if WORKER_EVENTS.search(line)]
    return lines


def callback_name(dep: dict) -> str:
    return dep["output"].strip(".").split("...")[0]


class User:
    def __init__(self, account: Account, base: str, deps: list[dict], scope_units: list[str],
                 areas: list[str], tally: Tally, rng: random.Random, think: tuple[float, float]):
        import httpx

        self.account, self.base, self.deps, self.tally, self.rng, self.think = account, base, deps, tally, rng, think
        self.units, self.areas = scope_units, areas
        self.client = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=False,
                                        limits=httpx.Limits(max_connections=PARALLEL_REQUESTS,
                                                            keepalive_expiry=CLIENT_IDLE_REUSE_S))
        self.router = next(d for d in deps if "_pages_content.children" in d["output"])
        self.shell = next(d for d in deps if "shell-nav.children" in d["output"])
        self.static_loaded = False

    async def sign_in(self) -> None:
        await sign_in(self.client, self.account.username)

    async def timed(self, kind: str, name: str | None, send) -> object:
        """`send()` makes the request; a connection the server closed while idle is retried once,
        as a browser does (it counts as a retry, not an error)."""
        import httpx

        t0 = time.perf_counter()
        try:
            try:
                response = await send()
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                self.tally.retried.append(failure(kind, name, exc, t0))
                response = await send()
        except Exception as exc:  # noqa: BLE001  (every failure is a finding)
            self.tally.errors.append(failure(kind, name, exc, t0))
            return None
        self.tally.add(kind, time.perf_counter() - t0, name)
        self.tally.served(response)
        if response.status_code != 200:
            self.tally.errors.append({"kind": kind, "callback": name, "request": _request_of(response.request),
                                      "cause": f"HTTP {response.status_code}", "detail": response.text[:200],
                                      "after_ms": round(1000 * (time.perf_counter() - t0))})
            return None
        return response

    async def post_callback(self, dep: dict, values: dict[str, dict], gate: asyncio.Semaphore):
        async with gate:
            r = await self.timed("callback", callback_name(dep),
                                 lambda: self.client.post(CALLBACK, json=callback_body(dep, values)))
        return None if r is None else r.json().get("response", {})

    async def load_static(self, html: str) -> None:
        urls = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        gate = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def get(url):
            async with gate:
                await self.timed("static", None, lambda: self.client.get(url))

        await asyncio.gather(*(get(u) for u in urls))

    async def navigate(self, path: str, query: str) -> None:
        self.tally.navigations += 1
        page = await self.timed("page", None, lambda: self.client.get(path + query))
        if page is None:
            return
        if not self.static_loaded:
            await self.load_static(page.text)
            self.static_loaded = True
        location = {"_pages_location": {"pathname": path, "search": query}, "url": {"pathname": path, "search": query}}
        gate = asyncio.Semaphore(PARALLEL_REQUESTS)
        routed, _ = await asyncio.gather(self.post_callback(self.router, location, gate),
                                         self.post_callback(self.shell, location, gate))
        if not routed:
            return
        values = {**props_by_id(routed.get("_pages_content", {}).get("children")), **location}
        firing = [d for d in initial_callbacks(self.deps, set(values)) if d not in (self.router, self.shell)]
        await asyncio.gather(*(self.post_callback(d, values, gate) for d in firing))

    def popular(self, choices: list[str]) -> str:
        """One of `choices`, the first ones far more often (Zipf): everybody drills into the
        units the lag table puts on top, few into the last."""
        weights = [1 / (i + 1) ** 1.2 for i in range(len(choices))]
        return self.rng.choices(choices, weights)[0]

    def next_view(self, path: str, args: dict) -> tuple[str, dict]:
        """Another page with the same filters, or one filter changed on this page."""
        pages = PAGES_BY_ROLE[self.account.role]
        if self.rng.random() < 0.5:
            return self.rng.choice([p for p in pages if p != path]), args
        args = dict(args)
        choice = self.rng.random()
        if choice < 0.35:
            args["period"] = self.rng.choices(list(PERIODS), list(PERIODS.values()))[0]
        elif choice < 0.7 and self.units:
            args["unit"] = self.popular(self.units)
            args.pop("area", None)
        elif choice < 0.8 and self.areas and not self.account.unit:
            args["area"] = self.popular(self.areas)
        elif choice < 0.85:
            args["season"] = self.rng.choice(SEASONS)
        else:
            args = {}     # back to the page's own default view (the 重置 button)
        return path, args

    async def run(self, deadline: float) -> None:
        """Arrive at a random moment of the first reading time, open the overview, then act."""
        path, args = "/", {}
        await asyncio.sleep(self.rng.uniform(0, self.think[1]))
        await self.navigate(path, "")
        while True:
            await asyncio.sleep(self.rng.uniform(*self.think))
            if time.monotonic() >= deadline:
                break
            path, args = self.next_view(path, args)
            await self.navigate(path, "?" + urlencode(args) if args else "")
        await self.client.aclose()


# ---- the run --------------------------------------------------------------------------------------

def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    values = sorted(values)
    q = statistics.quantiles(values, n=100) if len(values) >= 100 else None
    return {"n": len(values), "median_ms": round(1000 * statistics.median(values)),
            "p95_ms": round(1000 * (q[94] if q else values[int(0.95 * (len(values) - 1))])),
            "p99_ms": round(1000 * (q[98] if q else values[-1])), "max_ms": round(1000 * values[-1])}


async def run_load(args, db: Path) -> dict:
    import httpx

    from warehouse.config import default_users_db_path

    found = branches(db)
    areas = found.pop("_areas")
    accounts = meeting(args.users, list(found))
    make_users(default_users_db_path(db), accounts)
    if not args.warm_answers:
        # Start from no shared answers: an earlier run's would answer this one's views.
        from dashboard.shared_answers import cache_dir
        shutil.rmtree(cache_dir(db), ignore_errors=True)
    port = free_port()
    log = args.workdir / "load_test.server.log"
    server = start_gunicorn(db, port, args.workers, args.threads, log)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as probe:
            for _ in range(600):
                try:
                    if (await probe.get("/login")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise RuntimeError("gunicorn did not start:\n" + log.read_text(errors="replace"))
                await asyncio.sleep(0.2)
        warm_s = await wait_until_idle(server.pid)
        print(f"workers warmed up in {warm_s:.0f} s", file=sys.stderr)
        rng = random.Random(args.seed)
        tally = Tally()
        deps = await dependencies(base, accounts[0])
        users = [User(a, base, deps, found.get(a.unit, list(found)) if a.role != "opinion" else [],
                      areas, tally, random.Random(rng.random()), tuple(args.think)) for a in accounts]
        t0 = time.perf_counter()
        await asyncio.gather(*(u.sign_in() for u in users))
        sign_in_s = time.perf_counter() - t0
        memory: dict[int, list[float]] = {}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(server.pid, memory, stop))
        cpu_before = sum(cpu_seconds(p) for p in worker_pids(server.pid))
        start = time.monotonic()
        await asyncio.gather(*(u.run(start + args.seconds) for u in users))
        elapsed = time.monotonic() - start
        cpu_used = sum(cpu_seconds(p) for p in worker_pids(server.pid)) - cpu_before
        stop.set()
        await sampler
        events = worker_events(log)  # before the server is stopped: its workers' exits are not findings
    finally:
        server.terminate()
        server.wait(timeout=60)
    slowest = sorted(((name, summary(v)) for name, v in tally.by_callback.items()),
                     key=lambda item: -item[1]["p95_ms"])[:8]
    return {
        "warehouse": db.name, "users": args.users, "seconds": args.seconds, "think_s": list(args.think),
        "workers": args.workers, "threads_per_worker": args.threads, "elapsed_s": round(elapsed, 1),
        "sign_in_all_s": round(sign_in_s, 1), "navigations": tally.navigations,
        "requests_per_s": round(sum(len(v) for v in tally.latencies.values()) / elapsed, 1),
        "callback": summary(tally.latencies.get("callback", [])),
        "page_html": summary(tally.latencies.get("page", [])),
        "static": summary(tally.latencies.get("static", [])),
        "slowest_callbacks_p95": dict(slowest),
        "errors": len(tally.errors), "errors_by_cause": tally.by_cause(tally.errors), "error_list": tally.errors,
        "retried_closed_connections": len(tally.retried), "retried_by_cause": tally.by_cause(tally.retried),
        "retried_list": tally.retried[:20],
        # Boots beyond the workers' first: a worker restarted (timeout, crash) during the run.
        "worker_restarts": max(0, sum("Booting worker" in line for line in events) - args.workers),
        "worker_events": [line for line in events if "Booting worker" not in line][:20],
        "client_idle_reuse_s": CLIENT_IDLE_REUSE_S, "server_keepalive_s": server_keepalive(),
        "worker_rss_mib": {str(pid): {"peak": round(max(v)), "end": round(v[-1])} for pid, v in memory.items() if v},
        "worker_cpu_share": round(cpu_used / elapsed / os.cpu_count(), 2),
    }


async def sign_in(client, username: str) -> None:
    """Through the form, as a browser: the CSRF token from the form, then the header on posts."""
    from dashboard.auth.csrf import token_in_form
    token = token_in_form((await client.get("/login")).text)
    r = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in as {username}: HTTP {r.status_code}")
    client.headers["X-CSRFToken"] = client.cookies["_csrf_token"]


async def dependencies(base: str, account: Account) -> list[dict]:
    """The app's callbacks as dash-renderer reads them."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await sign_in(client, account.username)
        return (await client.get("/_dash-dependencies")).json()


def server_keepalive() -> float:
    """gunicorn's `keepalive` as gunicorn.conf.py sets it (the environment the server had)."""
    import runpy
    return runpy.run_path(str(REPO / "gunicorn.conf.py"))["keepalive"]


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm-answers", action="store_true",
                        help="keep the shared answers of earlier runs (default: start without)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = demo_warehouse(args.scale, args.workdir)
    figures = asyncio.run(run_load(args, db))
    report(f"load_test_{args.scale}", figures)
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
