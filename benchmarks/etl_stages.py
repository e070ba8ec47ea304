"""Where the ETL's time goes on one large CSV: each stage of `python -m etl load` against
DuckDB's own `read_csv` of the same file, in one process, one after the other.

Stages: reading the head and line endings (Python), staging (DuckDB's read_csv with
each cell cleaned and typed while read), the work table (a view over the staged rows
since 7 December 2026), collecting the errors, merging into the warehouse, refreshing
the marts; the rest (start-up, the batch's log, publishing) is what remains. Run it on a
warehouse holding the reference types (units, scenic areas) so references resolve:
Run: .venv/bin/python benchmarks/etl_stages.py --db WAREHOUSE --csv FILE
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine_note  # noqa: E402

STAGES = [("etl.readers.csv_staging", "head_records", "head and line endings"),
          ("etl.readers.csv_staging", "needs_lf_copy", "head and line endings"),
          ("etl.readers", "stage_csv", "staging, head included (read_csv, cells cleaned and typed)"),
          ("etl.loader", "build_work_table", "work table (a view)"),
          ("etl.loader", "collect_errors", "collecting errors"),
          ("etl.loader", "merge", "merge into the warehouse"),
          ("etl.loader", "refresh_marts", "refreshing the marts")]


@contextmanager
def timed_stages(spent: dict):
    import importlib

    originals = []
    for module_name, name, label in STAGES:
        module = importlib.import_module(module_name)
        fn = getattr(module, name, None)
        if fn is None:
            continue

        def wrapper(*a, _fn=fn, _label=label, **kw):
            t0 = time.perf_counter()
            try:
                return _fn(*a, **kw)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - t0
        setattr(module, name, wrapper)
        originals.append((module, name, fn))
    try:
        yield
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--csv", type=Path, required=True)
    args = parser.parse_args()
    import duckdb

    from etl.cli import main as etl_main

    t0 = time.perf_counter()
    con = duckdb.connect(str(args.db.with_name("read_csv_reference.duckdb")))
    con.execute("create or replace table incidents as select * from read_csv($p)", {"p": str(args.csv)})
    con.close()
    read_csv_s = time.perf_counter() - t0
    args.db.with_name("read_csv_reference.duckdb").unlink()
    spent: dict = {}
    with timed_stages(spent):
        t0 = time.perf_counter()
        etl_main(["load", "--db", str(args.db), "--json", str(args.csv)])
        load_s = time.perf_counter() - t0
    print(json.dumps({"machine": machine_note(), "duckdb_read_csv_s": round(read_csv_s, 2),
                      "etl_load_s": round(load_s, 2), "ratio": round(load_s / read_csv_s, 2),
                      "stages_s": {k: round(v, 2) for k, v in spent.items()},
                      "rest_s": round(load_s - sum(v for k, v in spent.items() if k != "head and line endings"), 2)},
                     indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
