"""ETL throughput: 1,000,000 incident rows (a few bad) through `python -m etl load`,
against DuckDB's own `create table as select * from read_csv(...)` of the same file.

Target (issue 2): the loader takes at most 3× DuckDB's time. Both are timed
as whole commands in a fresh process (start-up included): `python -m etl
load --json FILE` against `python -c` running DuckDB's CTAS into a new
database file and closing it; runs alternate, the best of each is compared.
The reference types are loaded first (untimed) so the incidents' references resolve.
Each command's CPU time (its threads included) is reported too: on a shared machine it varies
far less than the wall time, so it compares two versions of the loader where wall times cannot.
Run: .venv/bin/python benchmarks/etl_throughput.py [--rows 1000000] [--workdir DIR]
"""
from __future__ import annotations

import argparse
import csv
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, report, run  # noqa: E402


CTAS = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        "con.execute('create table incidents as select * from read_csv($p)', {'p': sys.argv[2]}); con.close()")


def incident_file(rows: int, workdir: Path) -> tuple[Path, list[Path]]:
    """One CSV of `rows` incidents plus the reference files, from the demo generator."""
    from etl.demo import generate_exports

    exports = workdir / "exports"
    files = generate_exports(exports, seed=7, scale=rows, today=__import__("datetime").date(2026, 11, 23))
    refs = [f for f in files if f.name.startswith(("units", "单位", "景区.", "scenic"))]
    parts = [f for f in files if f.name.startswith(("incidents", "涉旅警情")) and f.suffix == ".csv"]
    target = workdir / "incidents_1m.csv"
    with open(target, "w", encoding="utf-8", newline="") as out:
        header_written = False
        for part in parts:
            with open(part, encoding="utf-8-sig", newline="") as fh:
                header = fh.readline()
                if not header_written:
                    out.write(header)
                    header_written = True
                shutil.copyfileobj(fh, out)
    with open(target, encoding="utf-8") as fh:
        count = sum(1 for _ in csv.reader(fh)) - 1
    print(f"incident file: {count:,} rows, {target.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
    return target, refs


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tpd-bench-etl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source, refs = incident_file(args.rows, workdir)

    duck_times, etl_times, duck_cpu, etl_cpu, summary = [], [], [], [], None
    for i in range(args.repeat):
        ref_db = workdir / f"ctas_{i}.duckdb"
        ref_db.unlink(missing_ok=True)
        t0, c0 = time.perf_counter(), children_cpu()
        run([PY, "-c", CTAS, str(ref_db), str(source)])
        duck_times.append(time.perf_counter() - t0)
        duck_cpu.append(children_cpu() - c0)

        db = workdir / f"etl_{i}.duckdb"
        for leftover in workdir.glob(f"*etl_{i}.duckdb*"):
            leftover.unlink()
        run([PY, "-m", "etl", "load", "--db", str(db), *map(str, refs)])
        t0, c0 = time.perf_counter(), children_cpu()
        result = run([PY, "-m", "etl", "load", "--db", str(db), "--json", str(source)])
        etl_times.append(time.perf_counter() - t0)
        etl_cpu.append(children_cpu() - c0)
        summary = __import__("json").loads(result.stdout)["files"][0]
    duck, etl = min(duck_times), min(etl_times)
    report("etl_throughput", {
        "rows": summary["rows"], "loaded": summary["loaded"], "quarantined": summary["quarantined"],
        "duckdb_ctas_s": round(duck, 2), "etl_load_s": round(etl, 2), "ratio": round(etl / duck, 2),
        "target_ratio": 2.0, "rows_per_s": round(summary["rows"] / etl),
        "all_duckdb_s": [round(t, 2) for t in duck_times], "all_etl_s": [round(t, 2) for t in etl_times],
        "duckdb_cpu_s": round(min(duck_cpu), 2), "etl_cpu_s": round(min(etl_cpu), 2),
        "cpu_ratio": round(min(etl_cpu) / min(duck_cpu), 2),
    })
    return 0 if etl / duck <= 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
