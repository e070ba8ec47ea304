"""Shared helpers of the benchmarks: timing, a demo warehouse of a given scale, output."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
PY = sys.executable


def timed(fn, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(args, cwd=REPO, env=env, check=True, capture_output=True, text=True, **kw)


def demo_warehouse(scale: int, workdir: Path) -> Path:
    """A demo warehouse of `scale` incidents, built once and reused by later runs."""
    db = workdir / f"demo_{scale}.duckdb"
    if not db.exists():
        print(f"building a demo warehouse of {scale:,} incidents at {db} …", file=sys.stderr)
        t0 = time.perf_counter()
        run([PY, "-m", "etl", "demo", "--db", str(db), "--scale", str(scale), "--today", "2026-11-23"])
        print(f"  built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return db


def report(name: str, figures: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, indent=2, ensure_ascii=False))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def machine_note() -> dict:
    """What the figures were measured on: cores, load average (1, 5, 15 min), CPU model, time."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown") if Path("/proc/cpuinfo").exists() else "unknown"
    return {"cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()], "cpu": cpu,
            "at_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
