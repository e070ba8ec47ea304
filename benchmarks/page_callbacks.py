"""Every page's callbacks, server time, for a one-year period on a large demo warehouse,
each against the floor of the stack: DuckDB's own scan of the rows it reads.

Targets (issue 16): each callback's uncached p95 within 100 ms at 10M on a quiet
machine and within 3× its floor (benchmarks/floor.py); cached under 30 ms.
Callbacks are found in Dash's registry (`dash._callback.GLOBAL_CALLBACK_MAP`):
those fed by a page's view store (`<page>-view.data`), called as the functions
registered (what Dash runs for a request, minus HTTP), with the query cache
cleared before each uncached call (all but the reference data every view shares:
the unit tree, the areas, the as-of time). Views vary over the city, units and
scenic areas, so one unit's cache does not serve another. The warehouse is
warmed up first, as the server does when it starts. Each uncached call is
followed, in the same loop, by its floor's scans, so a callback and its floor
see the same machine.
Run: .venv/bin/python benchmarks/page_callbacks.py [--scale 10000000] [--workdir DIR] [--db FILE]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import demo_warehouse, machine_note, p95, report  # noqa: E402

PAGES = ("overview", "staffing", "incidents", "map", "mediation", "satisfaction", "nominations", "data")
TARGET_MS, TARGET_RATIO = 100, 3.0


def views(db: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    units = [r[0] for r in con.execute(
        "select unit_code from units where unit_level in ('景区分局', '分县局') order by 1 limit 3").fetchall()]
    areas = [r[0] for r in con.execute("select area_code from scenic_areas order by 1 limit 2").fetchall()]
    con.close()
    base = "?period=custom&start=2025-11-23&end=2026-11-22"
    return [base] + [f"{base}&unit={u}" for u in units] + [f"{base}&area={a}" for a in areas]


def view_callbacks() -> list[tuple[str, object, int]]:
    """(page.name, function, number of inputs) of every registered callback whose first input is
    a page's view store, in the order of `PAGES`: however a page declares them, Dash holds them here."""
    from dash._callback import GLOBAL_CALLBACK_MAP

    found = []
    for entry in GLOBAL_CALLBACK_MAP.values():
        inputs = entry.get("inputs") or []
        first = inputs[0] if inputs else {}
        page = str(first.get("id", "")).removesuffix("-view")
        if first.get("property") != "data" or page not in PAGES or not str(first.get("id")).endswith("-view"):
            continue
        fn = entry["callback"]
        fn = getattr(fn, "__wrapped__", fn)  # Dash's context wrapper: the function as registered
        found.append((PAGES.index(page), f"{page}.{fn.__name__}", fn, len(inputs)))
    return [(key, fn, n) for _, key, fn, n in sorted(found, key=lambda f: f[0])]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--db", type=Path, help="an existing demo warehouse (read only) instead of --scale's")
    parser.add_argument("--only", help="callbacks whose name contains this (or any of several, comma-separated)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or demo_warehouse(args.scale, args.workdir)
    os.environ["TPD_TODAY"] = "2026-11-23"
    from dashboard.app import create_app
    from dashboard.auth.store import User
    from dashboard.queries import db as qdb
    from dashboard.session import acting_as

    create_app(db)
    qdb.warm_up()  # as `python -m dashboard` does when it starts
    searches = views(db)
    note = machine_note()
    with acting_as(User("bench", "admin")):   # callbacks answer a signed-in user only
        figures = time_callbacks(searches, args.only)
    note_after = machine_note()
    worst = max(figures.values(), key=lambda f: f["uncached_p95_ms"])
    report("page_callbacks", {
        "warehouse": str(db), "views": len(searches), "machine": note, "machine_after": note_after,
        "callbacks": figures,
        "worst_uncached_p95_ms": worst["uncached_p95_ms"],
        "worst_ratio_to_floor": max((f["ratio_to_floor"] for f in figures.values() if f["ratio_to_floor"]),
                                    default=None),
        "worst_cached_p95_ms": max(f["cached_p95_ms"] for f in figures.values()),
        "targets": {"uncached_p95_ms": TARGET_MS, "ratio_to_floor": TARGET_RATIO, "cached_p95_ms": 30}})
    return 0


def warm_reference() -> None:
    """What every view shares and the server keeps per published version once any page has
    asked: the unit tree, the scenic areas, the as-of time. Left cached, as in a running server."""
    from dashboard.model.filters import Scope
    from dashboard.queries import reference

    city = Scope.city()
    reference.units(city), reference.areas(city), reference.issuing_unit()
    reference.is_demo(), reference.as_of(), reference.latest_record_day()


def time_callbacks(searches: list[str], only: str | None) -> dict:
    from benchmarks.floor import floor_statements, recording, table_sizes, time_floor
    from dashboard.queries import db as qdb

    con = qdb.warehouse().cursor()
    sizes = table_sizes(con)
    figures = {}
    for key, fn, n_inputs in view_callbacks():
        if only and not any(part in key for part in only.split(",")):
            continue
        uncached, cached, floors, statements = [], [], [], 0
        for search in searches:
            call_args = [search] + [None] * (n_inputs - 1)
            qdb.clear_cache()
            warm_reference()
            with recording() as ran:
                t0 = time.perf_counter()
                fn(*call_args)
                uncached.append(time.perf_counter() - t0)
            statements += len(ran)
            scans = floor_statements(ran, sizes)
            floors.append(min(time_floor(con, scans) for _ in range(2)) if scans else 0.0)
            for _ in range(3):
                t0 = time.perf_counter()
                fn(*call_args)
                cached.append(time.perf_counter() - t0)
        # A callback reading reference data only (the data page's logs) has no floor to compare with.
        ratios = [u / f for u, f in zip(uncached, floors) if f > 0]
        figures[key] = {"uncached_p95_ms": round(p95(uncached) * 1000, 1),
                        "uncached_median_ms": round(statistics.median(uncached) * 1000, 1),
                        "floor_median_ms": round(statistics.median(floors) * 1000, 1),
                        "ratio_to_floor": round(statistics.median(ratios), 2) if ratios else None,
                        "statements_per_view": round(statements / len(searches), 1),
                        "cached_p95_ms": round(p95(cached) * 1000, 1),
                        "uncached_ms_by_view": [round(u * 1000, 1) for u in uncached]}
        f = figures[key]
        print(f"{key:42s} uncached p95 {f['uncached_p95_ms']:7.0f} ms  median {f['uncached_median_ms']:6.0f}  "
              f"floor {f['floor_median_ms']:6.1f} ms  ×{f['ratio_to_floor'] or 0:5.1f}  "
              f"stmts {f['statements_per_view']:4.0f}  cached p95 {f['cached_p95_ms']:5.1f} ms", file=sys.stderr)
    con.close()
    return figures


if __name__ == "__main__":
    sys.exit(main())
