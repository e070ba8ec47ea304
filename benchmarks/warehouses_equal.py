"""Whether two warehouses hold the same rows, table by table: the A/B check of a loader change.

Build the same demo with the old and the new code, with one salt so the PII hashes agree
(`TPD_PII_SALT=… python -m etl demo --db old.duckdb --scale 200000 --today 2026-11-23
--exports DIR`, then the same with the new code and the same DIR), and compare: every table
of the first, as a multiset of rows, against the same table of the second. What differs between
two runs of the same load is left out: batch ids, times, the load log and the meta table.
Single-file warehouses (partition them after comparing). Exit status 1 when a table differs.
Run: .venv/bin/python benchmarks/warehouses_equal.py OLD.duckdb NEW.duckdb
"""
from __future__ import annotations

import sys

import duckdb

PER_RUN = {"_batch_id", "batch_id", "started_at", "finished_at", "replaced_at", "file_path"}
SKIPPED = {"meta", "load_log"}


def differing(a: str, b: str) -> list[tuple[str, int, int, int]]:
    """(table, rows only in a, rows only in b, rows in a) of every table that differs."""
    con = duckdb.connect(config={"memory_limit": "3GB"})
    con.execute("attach $p as a (read_only)", {"p": a})
    con.execute("attach $p as b (read_only)", {"p": b})
    tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where database_name = 'a' "
                                        "order by 1").fetchall() if t not in SKIPPED]
    out = []
    for table in tables:
        cols = ", ".join(f'"{c}"' for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'a' and table_name = $t "
            "order by column_index", {"t": table}).fetchall() if c not in PER_RUN)
        only_a, only_b, rows = con.execute(
            f"select (select count(*) from (select {cols} from a.{table} except all select {cols} from b.{table})), "
            f"(select count(*) from (select {cols} from b.{table} except all select {cols} from a.{table})), "
            f"(select count(*) from a.{table})").fetchone()
        print(f"{'same' if only_a == only_b == 0 else 'DIFFERS':8} {table}: {rows} rows, "
              f"{only_a} only in the first, {only_b} only in the second", file=sys.stderr)
        if only_a or only_b:
            out.append((table, only_a, only_b, rows))
    return out


if __name__ == "__main__":
    sys.exit(1 if differing(sys.argv[1], sys.argv[2]) else 0)
