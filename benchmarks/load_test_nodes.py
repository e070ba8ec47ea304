"""Load test through nginx in front of two gunicorn nodes sharing PostgreSQL and Redis; cold start after a publish.

The set-up is the deployed one on loopback (tests/builders/nodes.py renders
deploy/nginx.conf): a loader's warehouse replicated (`warehouse replicate`)
to two nodes, each `gunicorn -c gunicorn.conf.py` with its replica, both
sharing one PostgreSQL users store (`TPD_USERS_URL`, a fresh database) and one
Redis (`TPD_CACHE_URL`, a server of the run's own); nginx in front. The users
are those of benchmarks/load_test.py (a Monday meeting's mix, signed in
through the form, posting what dash-renderer posts), sent to nginx.

Two parts:

- `load`: for each of `--users` (default 50 100 200), fresh nodes and Redis,
  the nodes' warming of the start version left to finish, then `--seconds` of
  work: callback median/p95, requests/s, errors with their causes, which node
  served how many, how many callback answers came from the shared answers.
- `cold`: the first `--first` (50) people after a publish open the overview at
  once (already signed in: sign-in is not what is measured); time from each
  one's navigation to the last of the overview's answers. Once with warming
  (`TPD_WARM_SECONDS`, the default: the round is left to finish first, as a
  publish in the night would be), once without (`TPD_WARM_SECONDS=0`). The
  publish is a newer copy of the loader's file replicated to both nodes: a new
  published version, so every shared answer of the old one is useless.

Run: .venv/bin/python benchmarks/load_test_nodes.py --db data/demo-1m.duckdb [--users 50 100 200]
     [--seconds 45] [--first 50] [--parts load cold] [--workers 1] [--threads 8]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine_note, report  # noqa: E402
from benchmarks.load_test import (Tally, User, branches, dependencies, make_users, meeting,  # noqa: E402
                                  summary)

NODES = ("node-a", "node-b")


def publish(loader: Path, replicas: dict[str, Path]) -> str:
    """A newer publish of the loader's file, replicated to every node; its published version."""
    from warehouse.connection import file_version, published_version
    from warehouse.replicate import replicate

    os.utime(loader)
    for replica in replicas.values():
        replicate(loader, replica)
    return published_version(file_version(loader))


@contextlib.contextmanager
def cluster(db: Path, workdir: Path, args, warm_seconds: str, people: int):
    """Two nodes and nginx on a copy of `db`, a fresh users database and Redis; yields
    (nginx base, node bases, users URL, loader path, replicas)."""
    from tests.builders.files import copy_warehouse
    from tests.builders.nodes import start_nginx, start_node
    from tests.builders.postgres import create_database, drop_database
    from tests.builders.redis import RedisServer
    from warehouse.replicate import replicate

    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "loader").mkdir(parents=True)
    loader = copy_warehouse(db, workdir / "loader" / "warehouse.duckdb")
    replicas = {}
    for name in NODES:
        (workdir / name).mkdir()
        replicas[name] = workdir / name / "warehouse.duckdb"
        replicate(loader, replicas[name])
    users_url = create_database()
    redis = RedisServer().start()
    env = {"TPD_PROXY_HOPS": "1", "TPD_CACHE_URL": redis.url, "TPD_WEB_WORKERS": str(args.workers),
           "TPD_WEB_THREADS": str(args.threads), "TPD_WARM_SECONDS": warm_seconds, "TPD_WARM_POLL_SECONDS": "2",
           "TPD_LOG_LEVEL": "info"}
    if args.today:
        env["TPD_TODAY"] = args.today
    try:
        found = branches(loader)
        found.pop("_areas")
        accounts = meeting(people, list(found))
        make_users(users_url, accounts)
        with start_node(replicas["node-a"], users_url, "node-a", env) as a, \
                start_node(replicas["node-b"], users_url, "node-b", env) as b, \
                start_nginx(workdir, [a, b]) as nginx:
            yield nginx, {"node-a": a, "node-b": b}, users_url, loader, replicas
    finally:
        redis.stop()
        drop_database(users_url)


async def health(bases: dict[str, str]) -> dict[str, dict]:
    import httpx

    async with httpx.AsyncClient(timeout=30) as client:
        return {name: (await client.get(base + "/healthz")).json() for name, base in bases.items()}


async def wait_for_warming(bases: dict[str, str], version: str | None, limit_s: float = 900) -> dict:
    """Until one node reports a finished round on `version` (None: the one it serves) and no node
    is warming; the rounds as the nodes report them."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        states = await health(bases)
        want = version or next(iter(states.values()))["warehouse"]["version"]
        rounds = {n: (s.get("warming") or {}).get("last_round") or {} for n, s in states.items()}
        busy = any((s.get("warming") or {}).get("warming_now") for s in states.values())
        if not busy and any(r.get("version") == want and r.get("outcome") == "warmed" for r in rounds.values()) \
                and all(r.get("version") == want for r in rounds.values()):
            return {"waited_s": round(time.monotonic() - t0, 1), "rounds": rounds}
        await asyncio.sleep(1.0)
    raise RuntimeError(f"warming did not finish in {limit_s:.0f} s: {await health(bases)}")


def make_people(base, deps, accounts, found, areas, tally, seed, think):
    rng = random.Random(seed)
    return [User(a, base, deps, found.get(a.unit, list(found)) if a.role != "opinion" else [],
                 areas, tally, random.Random(rng.random()), tuple(think)) for a in accounts]


async def run_load(db: Path, args, users: int) -> dict:
    with cluster(db, args.workdir / "nodes", args, "600", users) as (nginx, bases, users_url, loader, _replicas):
        warmed = await wait_for_warming(bases, None)
        found = branches(loader)
        areas = found.pop("_areas")
        accounts = meeting(users, list(found))
        tally = Tally()
        deps = await dependencies(nginx, accounts[0])
        people = make_people(nginx, deps, accounts, found, areas, tally, args.seed, args.think)
        t0 = time.perf_counter()
        await asyncio.gather(*(p.sign_in() for p in people))
        sign_in_s = time.perf_counter() - t0
        start = time.monotonic()
        await asyncio.gather(*(p.run(start + args.seconds) for p in people))
        elapsed = time.monotonic() - start
    requests = sum(len(v) for v in tally.latencies.values())
    return {
        "users": users, "seconds": args.seconds, "elapsed_s": round(elapsed, 1), "sign_in_all_s": round(sign_in_s, 1),
        "warming_before_s": warmed["waited_s"], "navigations": tally.navigations,
        "requests_per_s": round(requests / elapsed, 1),
        "callback": summary(tally.latencies.get("callback", [])),
        "page_html": summary(tally.latencies.get("page", [])),
        "served_by_node": tally.nodes, "callback_answers": tally.answers,
        "errors": len(tally.errors), "errors_by_cause": tally.by_cause(tally.errors), "error_list": tally.errors[:20],
        "retried_closed_connections": len(tally.retried), "retried_by_cause": tally.by_cause(tally.retried),
    }


async def first_views(people: list[User]) -> list[float]:
    """Each person opens the overview at once; seconds until its last answer arrived."""
    async def one(p: User) -> float:
        t0 = time.perf_counter()
        await p.navigate("/", "")
        return time.perf_counter() - t0
    return list(await asyncio.gather(*(one(p) for p in people)))


async def run_cold(db: Path, args, warming: bool) -> dict:
    with cluster(db, args.workdir / "nodes", args, "600" if warming else "0", args.first) as (nginx, bases, _u, loader, replicas):
        if warming:
            await wait_for_warming(bases, None)
        found = branches(loader)
        areas = found.pop("_areas")
        accounts = meeting(args.first, list(found))
        tally = Tally()
        deps = await dependencies(nginx, accounts[0])
        people = make_people(nginx, deps, accounts, found, areas, tally, args.seed, args.think)
        await asyncio.gather(*(p.sign_in() for p in people))
        for p in people:                       # their scripts are in the browser's cache already
            p.static_loaded = True
        version = publish(loader, replicas)
        warmed = await wait_for_warming(bases, version) if warming else {"waited_s": 0}
        tally.latencies.clear(), tally.answers.clear(), tally.nodes.clear()
        times = await first_views(people)
        for p in people:
            await p.client.aclose()
    return {
        "warming": warming, "people": args.first, "warming_after_publish_s": warmed["waited_s"],
        "warming_round": warmed.get("rounds"),
        "first_view_s": {"median": round(statistics.median(times), 2),
                         "p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2), "max": round(max(times), 2)},
        "callback": summary(tally.latencies.get("callback", [])),
        "callback_answers": tally.answers, "served_by_node": tally.nodes,
        "errors": len(tally.errors), "errors_by_cause": tally.by_cause(tally.errors), "error_list": tally.errors[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="the warehouse to copy (e.g. the 1M demo)")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--parts", nargs="+", default=["load", "cold"], choices=["load", "cold"])
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per node")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default=None, help="TPD_TODAY for the nodes (default: the real date)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench-nodes"))
    args = parser.parse_args()
    figures: dict = {"machine": machine_note(), "warehouse": str(args.db), "nodes": len(NODES),
                     "workers_per_node": args.workers, "threads_per_worker": args.threads}
    if "cold" in args.parts:
        figures["cold_start"] = {
            "without_warming": asyncio.run(run_cold(args.db, args, False)),
            "with_warming": asyncio.run(run_cold(args.db, args, True)),
        }
        print(figures["cold_start"], file=sys.stderr)
    if "load" in args.parts:
        figures["load"] = []
        for n in args.users:
            figures["load"].append(asyncio.run(run_load(args.db, args, n)))
            print(figures["load"][-1], file=sys.stderr)
    figures["machine_at_end"] = machine_note()
    report("load_test_nodes", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
