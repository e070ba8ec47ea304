"""Each page callback with its figures built two ways, alternately in one process: by plotly's
graph objects (validated, as before) and by `dashboard.figures.lite` (plain dicts, as now).

A shared machine's speed changes from minute to minute, so the two are timed
side by side: for every view, the query cache is cleared and the callback run
with plotly's objects, then cleared again and run with the dicts, in turns
(which goes first alternates), beside the floor of its rows
(`benchmarks/floor.py`, as `page_callbacks.py` times it), in wall time and in the process's
CPU time (which another process's load on the cores changes far less). The figures' JSON is
compared too: every output the two ways must serialise the same (key order aside).
Run: .venv/bin/python benchmarks/figures_ab.py --db WAREHOUSE [--only NAME] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine_note, p95, report  # noqa: E402
from benchmarks.page_callbacks import view_callbacks, views, warm_reference  # noqa: E402

FIGURE_MODULES = ("base", "data", "incidents", "mediation", "nominations", "overview", "satisfaction", "staffing")


def use(builder) -> None:
    """Point every figure module's `go` at plotly's graph objects or at the dict builder."""
    import importlib

    for name in FIGURE_MODULES:
        module = importlib.import_module(f"dashboard.figures.{name}")
        if hasattr(module, "go"):
            module.go = builder


def canonical(outputs) -> str:
    from plotly.io.json import to_json_plotly

    return json.dumps(json.loads(to_json_plotly(outputs)), sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a demo warehouse (read only)")
    parser.add_argument("--only", help="callbacks whose name contains this")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the views")
    args = parser.parse_args()
    os.environ["TPD_TODAY"] = "2026-11-23"
    import plotly.graph_objects as plotly_go

    from benchmarks.floor import floor_statements, recording, table_sizes, time_floor
    from dashboard.app import create_app
    from dashboard.auth.store import User
    from dashboard.figures import lite
    from dashboard.queries import db as qdb
    from dashboard.session import acting_as

    create_app(args.db)
    qdb.warm_up()
    searches = views(args.db)
    note = machine_note()
    con = qdb.warehouse().cursor()
    sizes = table_sizes(con)
    figures, mismatches = {}, []
    with acting_as(User("bench", "admin")):
        for key, fn, n_inputs in view_callbacks():
            if args.only and args.only not in key:
                continue
            spent = {"plotly": [], "lite": []}
            cpu = {"plotly": [], "lite": []}
            floors = []
            for r in range(args.rounds):
                for v, search in enumerate(searches):
                    call_args = [search] + [None] * (n_inputs - 1)
                    order = ("plotly", "lite") if (r + v) % 2 == 0 else ("lite", "plotly")
                    drawn = {}
                    for way in order:
                        use(plotly_go if way == "plotly" else lite)
                        qdb.clear_cache()
                        warm_reference()
                        with recording() as ran:
                            t0, c0 = time.perf_counter(), time.process_time()
                            drawn[way] = fn(*call_args)
                            spent[way].append(time.perf_counter() - t0)
                            cpu[way].append(time.process_time() - c0)
                    scans = floor_statements(ran, sizes)
                    floors.append(min(time_floor(con, scans) for _ in range(2)) if scans else 0.0)
                    if r == 0 and canonical(drawn["plotly"]) != canonical(drawn["lite"]):
                        mismatches.append(f"{key}{search}")
            use(lite)
            floor = statistics.median(floors)
            row = {"floor_median_ms": round(floor * 1000, 1)}
            for way, times in spent.items():
                row[f"{way}_median_ms"] = round(statistics.median(times) * 1000, 1)
                row[f"{way}_p95_ms"] = round(p95(times) * 1000, 1)
                ratios = [u / f for u, f in zip(times, floors) if f > 0]
                row[f"{way}_ratio_to_floor"] = round(statistics.median(ratios), 2) if ratios else None
                row[f"{way}_cpu_median_ms"] = round(statistics.median(cpu[way]) * 1000, 1)
            figures[key] = row
            print(f"{key[:60]:60s} plotly {row['plotly_median_ms']:6.0f} ms ×{row['plotly_ratio_to_floor'] or 0:5.1f}"
                  f" cpu {row['plotly_cpu_median_ms']:6.0f}  lite {row['lite_median_ms']:6.0f} ms"
                  f" ×{row['lite_ratio_to_floor'] or 0:5.1f} cpu {row['lite_cpu_median_ms']:6.0f}"
                  f"  floor {row['floor_median_ms']:6.1f} ms", file=sys.stderr)
    con.close()
    report("figures_ab", {"warehouse": str(args.db), "views": len(searches), "rounds": args.rounds,
                          "machine": note, "machine_after": machine_note(), "callbacks": figures,
                          "outputs_differing": mismatches})
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
