"""Publicity packs, end to end through the download route, on the default-size demo warehouse.

Target (issue 11): a page's pack in under 3 s on a busy machine, with the
export server warm. Every page with charts, in each preset, side by side
under the same load: drawn on one tab with nothing kept (as before issue 11:
`one_tab`) and on the renderer as configured (`TPD_EXPORT_TABS` tabs, images
kept: `tabs`), each for a view no query has seen, in alternating order; then
the same pack again (`again`: its images kept). Times are server-side (the
Flask test client runs the route, the queries, the figures, the frames and
the renders); the one-minute load average is reported since the figures
depend on it.
Run: .venv/bin/python benchmarks/pack_export.py [--scale 40000] [--workdir DIR] [--pages a,b]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import demo_warehouse, report  # noqa: E402


def summary(times: dict) -> dict:
    return {"max": max(times.values()), "median": round(statistics.median(times.values()), 2),
            "by_page_and_preset": times}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=40_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--pages", default="")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = demo_warehouse(args.scale, args.workdir)

    os.environ["TPD_TODAY"] = "2026-11-23"
    from dashboard.app import create_app
    from dashboard.exports import renderer as rendering
    from dashboard.exports.presets import PRESETS
    from dashboard.exports.registry import PAGES
    from tests.builders.accounts import sign_in_test_client

    client = sign_in_test_client(create_app(db).server.test_client(), "admin")
    one_tab, tabs = rendering.Renderer(tabs=1), rendering.Renderer()
    one_tab.start()
    tabs.start()
    tabs._draw([])            # opens its other tabs, as its first image does in service
    time.sleep(5)
    pages = [p for p in PAGES if PAGES[p].charts and (not args.pages or p in args.pages.split(","))]
    loads = [os.getloadavg()[0]]

    def timed_get(renderer, url: str, keep: bool) -> float:
        rendering._renderer = renderer
        if not keep:
            renderer._drawn.clear()
            renderer._drawn_bytes = 0
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, (url, response.data[:200])
        return round(elapsed, 2)

    before, after, again = {}, {}, {}
    day = 1
    for preset in PRESETS:
        for n, page in enumerate(pages):
            key = f"{page}/{preset}"
            views = []
            for _ in range(2):                     # views no query has seen
                day += 1
                views.append(f"period=custom&start=2025-{1 + day // 28:02d}-{1 + day % 28:02d}&end=2026-11-22")
            runs = [(one_tab, before, views[0]), (tabs, after, views[1])]
            for renderer, out, view in (runs if n % 2 else runs[::-1]):
                out[key] = timed_get(renderer, f"/download/pack/{page}.zip?preset={preset}&{view}", keep=False)
            again[key] = timed_get(tabs, f"/download/pack/{page}.zip?preset={preset}&{views[1]}", keep=True)
            loads.append(os.getloadavg()[0])
    figures = {
        "warehouse": str(db), "scale": args.scale, "cores": os.cpu_count(), "tabs": tabs.tabs,
        "load_average_1min": {"min": round(min(loads), 1), "max": round(max(loads), 1)},
        "target_s": 3.0,
        "one_tab_nothing_kept_s": summary(before), "tabs_s": summary(after), "again_s": summary(again),
    }
    report("pack_export", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
