"""Publish cost of a small batch into a big warehouse (issue 13).

A batch of 1,000 new incidents on the warehouse's last days, plus a few corrections to
incidents a year older (their category changed, so their old version goes to history and
their day's marts are recomputed), loaded with `python -m etl load --json` into a copy of
a demo warehouse. Reported: the command's wall time (start-up included) and CPU time (user +
system: steadier than wall time on a shared machine), the extra disk a
publish needs at its peak (the private copy the batch commits into, beside the published
file) and how much the published file grew. A second batch corrects only rows of a closed
period (a year old) to show what touching old days costs. After the last run, every mart is
compared with a copy of the warehouse rebuilt whole (`python -m etl rebuild`): the rows that
differ are reported (0 expected).

Run: .venv/bin/python benchmarks/incremental_load.py --base /work/bench/w1m.duckdb [--repeat 3]
     (or --scale N to build a demo warehouse of N incidents first). The base is copied,
     never modified.
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, demo_warehouse, machine_note, run  # noqa: E402
from warehouse.connection import connect_reader  # noqa: E402
from warehouse.partitions import parts_dir, published_files  # noqa: E402
from warehouse.record_types import INCIDENTS  # noqa: E402

NEW_ROWS, CORRECTIONS = 1000, 5


def _copy_warehouse(base: Path, target: Path) -> Path:
    """The warehouse file (a partitioned one's partitions too) and its salt (so pseudonyms stay those
    of the base)."""
    shutil.copyfile(base, target)
    if parts_dir(base).exists():
        shutil.copytree(parts_dir(base), parts_dir(target))
    salt = base.parent / f".{base.name}.salt"
    if salt.exists():
        shutil.copyfile(salt, target.parent / f".{target.name}.salt")
    return target


def _write(path: Path, rows: list[tuple]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.zh for c in INCIDENTS.columns])
        for row in rows:
            out.writerow(["" if v is None else str(v) for v in row])
    return path


def make_batches(db: Path, workdir: Path, tag: str) -> tuple[Path, Path]:
    """(1,000 new incidents + corrections a year old, corrections a year old only)."""
    cols = ", ".join(c.name for c in INCIDENTS.columns)
    con = connect_reader(db)
    try:
        last = con.execute("select max(received_at) from incidents").fetchone()[0]
        recent = con.execute(
            f"select {cols} from incidents where received_at >= $d order by received_at desc limit {NEW_ROWS}",
            {"d": last - __import__("datetime").timedelta(days=30)}).fetchall()
        old = con.execute(
            f"select {cols} from incidents where received_at < $d order by received_at desc limit {2 * CORRECTIONS}",
            {"d": last - __import__("datetime").timedelta(days=365)}).fetchall()
        categories = [r[0] for r in con.execute("select distinct category from incidents order by 1").fetchall()]
    finally:
        con.close()

    def corrected(row: tuple) -> tuple:
        other = next(c for c in categories if c != row[4])
        return (*row[:4], other, *row[5:])

    new = [(f"BENCH-{tag}-{i:05d}", *row[1:]) for i, row in enumerate(recent)]
    daily = _write(workdir / f"incidents_daily_{tag}.csv", new + [corrected(r) for r in old[:CORRECTIONS]])
    closed = _write(workdir / f"incidents_closed_{tag}.csv", [corrected(r) for r in old[CORRECTIONS:]])
    return daily, closed


class PeakDisk:
    """The largest total size of the files beside the warehouse while a load runs."""

    def __init__(self, directory: Path):
        self.directory, self.peak, self._stop = directory, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _size(self) -> int:
        total = 0
        for p in self.directory.rglob("*"):   # a partitioned warehouse's partitions included
            try:
                total += p.stat().st_size if p.is_file() else 0
            except FileNotFoundError:
                pass
        return total

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._size())
            time.sleep(0.02)

    def __enter__(self):
        self.before = self._size()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.after = self._size()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_load(db: Path, batch: Path) -> dict:
    with PeakDisk(db.parent) as disk:
        t0, cpu0 = time.perf_counter(), _children_cpu()
        result = json.loads(run([PY, "-m", "etl", "load", "--db", str(db), "--json", str(batch)]).stdout)
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    return {"seconds": seconds, "cpu_s": cpu, "extra_disk_mb": (disk.peak - disk.before) / 1e6,
            "growth_mb": (disk.after - disk.before) / 1e6, "totals": result["totals"]}


def marts_equal_a_rebuild(db: Path) -> dict[str, int]:
    """Per mart, 0 when `db` after its loads holds the same rows as a copy rebuilt whole (compared
    as row counts and an order-free sum of row hashes), else the difference in rows (or 1)."""
    from warehouse.marts import DAILY

    copy = _copy_warehouse(db, db.parent / "rebuilt.duckdb")
    run([PY, "-m", "etl", "rebuild", "--db", str(copy)])
    names = ("unit_closure", "season_days", *(name for name, *_ in DAILY))

    def digests(path: Path) -> dict[str, tuple]:
        con = connect_reader(path)
        try:
            return {name: con.execute(f"select count(*), sum(hash(t::varchar)::hugeint) from {name} t").fetchone()
                    for name in names}
        finally:
            con.close()
    try:
        mine, rebuilt = digests(db), digests(copy)
    finally:
        copy.unlink()
        shutil.rmtree(parts_dir(copy), ignore_errors=True)
    return {name: 0 if mine[name] == rebuilt[name] else abs(mine[name][0] - rebuilt[name][0]) or 1
            for name in names}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, help="a demo warehouse to copy (never modified)")
    parser.add_argument("--scale", type=int, default=1_000_000, help="without --base: build a demo of N incidents")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tpd-bench-incr-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base = args.base or demo_warehouse(args.scale, workdir)
    runs: dict[str, list[dict]] = {"daily": [], "closed_period": []}
    for i in range(args.repeat):
        wdir = workdir / f"run{i}"
        shutil.rmtree(wdir, ignore_errors=True)
        wdir.mkdir()
        db = _copy_warehouse(base, wdir / "warehouse.duckdb")
        daily, closed = make_batches(db, workdir, str(i))
        runs["daily"].append(timed_load(db, daily))
        runs["closed_period"].append(timed_load(db, closed))
        if i == args.repeat - 1:
            differing = marts_equal_a_rebuild(db)
        shutil.rmtree(wdir)
    size_mb = (base.stat().st_size + sum((parts_dir(base) / f).stat().st_size for f in published_files(base))) / 1e6
    summary = {"base": str(base), "base_mb": round(size_mb), "repeat": args.repeat,
               "layout": "partitioned" if published_files(base) else "single", "machine": machine_note(),
               "mart_rows_differing_from_a_rebuild": differing}
    for name, results in runs.items():
        summary[name] = {
            "median_s": round(statistics.median(r["seconds"] for r in results), 2),
            "best_s": round(min(r["seconds"] for r in results), 2),
            "median_cpu_s": round(statistics.median(r["cpu_s"] for r in results), 2),
            "extra_disk_mb": round(max(r["extra_disk_mb"] for r in results), 1),
            "growth_mb": round(statistics.median(r["growth_mb"] for r in results), 1),
            "totals": results[-1]["totals"],
        }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
