"""The whole metrics catalog for one year over a 10,000,000-incident demo warehouse.

Target (issue 2): the complete `python -m dashboard.queries.metrics ... --json`
command, Python start-up included, under 2 seconds.
Run: .venv/bin/python benchmarks/metrics_catalog.py [--scale 10000000] [--workdir DIR]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, demo_warehouse, report, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = demo_warehouse(args.scale, args.workdir)
    unit = json.loads(run([PY, "-c", "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
                                     "print('\"'+c.execute(\"select unit_code from units where unit_level='景区分局' "
                                     "order by 1 limit 1\").fetchone()[0]+'\"')", str(db)]).stdout)
    figures = {"scale": args.scale, "warehouse_mb": round(db.stat().st_size / 1e6)}
    for label, extra in (("city", []), ("unit", ["--unit", unit])):
        cmd = [PY, "-m", "dashboard.queries.metrics", "--db", str(db), "--start", "2025-11-23",
               "--end", "2026-11-22", "--json", *extra]
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = run(cmd)
            times.append(time.perf_counter() - t0)
        values = json.loads(out.stdout)
        figures[label] = {"median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
                          "metrics": len(values), "incidents": values["incidents.total"]}
    figures["target_s"] = 2.0
    report("metrics_catalog", figures)
    return 0 if figures["city"]["median_s"] < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
