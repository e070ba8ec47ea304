"""Chart exports, end to end through the download routes, on the default-size demo warehouse.

Targets (issue 4): one chart under 3 s with the export server cold (the
first export of a fresh process: Chromium starts), under 0.5 s with it warm;
a publicity pack of a page's charts under 10 s.

Cold is timed once per fresh process (a subprocess each, `--cold-runs` of
them): create the app, then time the first export request. Warm exports are
every chart of every page, once uncached (a view no query has seen yet) and
once again (its queries cached), in each preset; packs are every page's, in
each preset, for a fresh view each. Times are server-side: the Flask test
client runs the route, the query, the figure, the frame and the render.
Run: .venv/bin/python benchmarks/chart_export.py [--scale 40000] [--workdir DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, REPO, demo_warehouse, p95, report  # noqa: E402

COLD_SNIPPET = """
import json, os, sys, time
os.environ["TPD_TODAY"] = "2026-11-23"
from dashboard.app import create_app
client = create_app(sys.argv[1]).server.test_client()
t0 = time.perf_counter()
r = client.get("/download/chart/incidents-category.png?preset=wechat&period=this_month")
elapsed = time.perf_counter() - t0
assert r.status_code == 200, r.data
print(json.dumps({"seconds": elapsed, "bytes": len(r.data)}))
"""


def cold_runs(db: Path, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        proc = subprocess.run([PY, "-c", COLD_SNIPPET, str(db)], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
        out.append(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=40_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = demo_warehouse(args.scale, args.workdir)

    cold = cold_runs(db, args.cold_runs)

    os.environ["TPD_TODAY"] = "2026-11-23"
    from dashboard.app import create_app
    from dashboard.exports.presets import PRESETS
    from dashboard.exports.registry import PAGES
    from dashboard.exports.renderer import renderer

    client = create_app(db).server.test_client()
    renderer().start()

    def timed_get(url: str) -> float:
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, (url, response.data[:200])
        return elapsed

    warm_uncached, warm_cached, per_chart = [], [], {}
    for n, preset in enumerate(PRESETS):
        # A different custom period per preset: no query of the first pass is cached.
        view = f"period=custom&start=2026-0{n + 1}-01&end=2026-11-22"
        for page, entry in PAGES.items():
            for chart_id in entry.charts:
                url = f"/download/chart/{chart_id}.png?preset={preset}&{view}"
                first, again = timed_get(url), timed_get(url)
                warm_uncached.append(first)
                warm_cached.append(again)
                per_chart.setdefault(chart_id, []).append(round(first, 3))

    packs = {}
    for n, preset in enumerate(PRESETS):
        view = f"period=custom&start=2025-0{n + 2}-01&end=2026-11-22"
        for page, entry in PAGES.items():
            if len(entry.charts) > 1 or page == "overview":
                packs[f"{page}/{preset}"] = round(timed_get(f"/download/pack/{page}.zip?preset={preset}&{view}"), 2)

    figures = {
        "warehouse": str(db), "scale": args.scale,
        "cold_single_chart_s": {"runs": [round(v, 2) for v in cold], "median": round(statistics.median(cold), 2),
                                "max": round(max(cold), 2), "target": 3.0},
        "warm_single_chart_uncached_s": {"n": len(warm_uncached), "median": round(statistics.median(warm_uncached), 3),
                                         "p95": round(p95(warm_uncached), 3), "max": round(max(warm_uncached), 3),
                                         "target": 0.5},
        "warm_single_chart_cached_s": {"median": round(statistics.median(warm_cached), 3),
                                       "p95": round(p95(warm_cached), 3), "max": round(max(warm_cached), 3)},
        "pack_s": {"max": max(packs.values()), "by_page_and_preset": packs, "target": 10.0},
        "slowest_charts_uncached_s": dict(sorted(per_chart.items(), key=lambda kv: -max(kv[1]))[:5]),
    }
    report("chart_export", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
