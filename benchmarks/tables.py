"""The README's performance tables, printed as Markdown from the benchmarks' JSON (benchmarks/out/).

Reads page_callbacks.json and page_render.json (or the files given) and prints, per callback and
per page, the absolute figures beside their ratio to the floor measured in the same run, with the
machine's note. It reads; the targets it marks are the ones each benchmark wrote into its JSON.
Run: .venv/bin/python benchmarks/tables.py [--callbacks FILE] [--render FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def machine(figures: dict) -> str:
    before, after = figures.get("machine", {}), figures.get("machine_after", {})
    load = lambda note: "–".join(f"{x:g}" for x in note.get("load_average", [])[:1]) or "?"
    return (f"{before.get('cores', '?')} cores ({before.get('cpu', '?')}), load average {load(before)} → "
            f"{load(after)}, {before.get('at_utc', '?')} UTC")


def short_name(key: str) -> str:
    """`page.render_<output ids joined by _>` → `page.render_<first output>`."""
    page, _, fn = key.partition(".")
    return f"{page}.{fn.split('_')[0]}_{fn.split('_')[1]}" if fn.count("_") > 1 else key


def mark(value: float | None, target: float, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"**{value:g}{unit}**" if value <= target else f"{value:g}{unit}"


def callbacks_table(figures: dict) -> list[str]:
    targets = figures.get("targets", {})
    ms, ratio = targets.get("uncached_p95_ms", 100), targets.get("ratio_to_floor", 3.0)
    rows = [(f"Callbacks, {figures.get('views', '?')} views, `{Path(figures.get('warehouse', '?')).name}`; "
            f"{machine(figures)}. Bold: within the target (p95 ≤ {ms} ms, ratio ≤ {ratio:g}×)."), "",
            ("| Callback | uncached median (ms) | uncached p95 (ms) | DuckDB's scan (ms) | ratio | statements | "
            "cached p95 (ms) |"),
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for key, f in figures["callbacks"].items():
        rows.append(f"| {short_name(key)} | {f['uncached_median_ms']:g} | {mark(f['uncached_p95_ms'], ms)} | "
                    f"{f['floor_median_ms'] if f['ratio_to_floor'] else '—'} | "
                    f"{mark(f['ratio_to_floor'], ratio, '×')} | "
                    f"{f['statements_per_view']:g} | {f['cached_p95_ms']:g} |")
    return rows


def render_table(figures: dict) -> list[str]:
    targets = figures.get("targets", {})
    rows = [(f"First render, `{Path(figures.get('warehouse', '?')).name}`; {machine(figures)}. "
            f"Bold: within {targets.get('ratio_to_minimal', 2):g}× the minimal Dash page "
            f"(phone: and within {targets.get('phone_s', 3):g} s)."), ""]
    profiles = list(figures["pages"])
    head = "| Page | " + " | ".join(f"{p}: page / minimal (s) | ratio" for p in profiles) + " | callback bytes |"
    rows += [head, "| --- |" + " --- | --- |" * len(profiles) + " --- |"]
    for path in figures["pages"][profiles[0]]:
        cells = []
        for p in profiles:
            f = figures["pages"][p].get(path)
            if not f:
                cells += ["—", "—"]
                continue
            within = f["ratio_to_minimal"] <= targets.get("ratio_to_minimal", 2) and (
                p != "phone" or f["median_s"] <= targets.get("phone_s", 3))
            ratio = f"{f['ratio_to_minimal']:g}×"
            cells += [f"{f['median_s']:g} / {f['minimal_median_s']:g}", f"**{ratio}**" if within else ratio]
        size = figures["pages"][profiles[0]][path]["callback_bytes"]
        rows.append(f"| `{path}` | " + " | ".join(cells) + f" | {size:,} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callbacks", type=Path, default=OUT / "page_callbacks.json")
    parser.add_argument("--render", type=Path, default=OUT / "page_render.json")
    args = parser.parse_args()
    printed = False
    for path, table in ((args.callbacks, callbacks_table), (args.render, render_table)):
        if path.exists():
            print("\n".join(table(json.loads(path.read_text()))) + "\n")
            printed = True
        else:
            print(f"(no {path})", file=sys.stderr)
    return 0 if printed else 1


if __name__ == "__main__":
    sys.exit(main())
