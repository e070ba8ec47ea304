"""`python -m etl load|demo|rebuild`: the clerk's and the operator's command line.

`load` prints a summary per file (or one JSON object with `--json`) and exits
0 when the batch committed, quarantined rows included, 2 when it was refused
with nothing loaded. `demo` writes a fictional city's exports and loads them
through the same loader, marking the warehouse as demo data. `rebuild` builds
every mart from the records (a load recomputes only the days its batch touched).

Every load, committed or refused, is also appended to the audit log in the
users database beside the warehouse (`TPD_USERS_DB` overrides where), with
who loaded (`--user`, else `TPD_USER`, else the operating-system account)
and what; a failure to write that entry is reported but does not undo a
committed load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from etl.errors import BatchRefused
from etl.loader import BatchResult, load_batch, partition_warehouse, rebuild_marts
from warehouse import users_store
from warehouse.config import default_db_path, default_users_db_path
from warehouse.connection import WarehouseMissing
from warehouse.partitions import parts_dir, wants_partitions

EXIT_REFUSED = 2


def print_summary(result: BatchResult, out=sys.stdout) -> None:
    head = f"{'文件 file':<44} {'类型 type':<14} {'读取':>8} {'新增':>8} {'更新':>8} {'未变':>8} {'隔离':>8}"
    print(f"批次 batch {result.batch_id} 已提交 committed", file=out)
    print(head, file=out)
    for f in result.files:
        name = f.file if len(f.file) <= 44 else "…" + f.file[-43:]
        print(f"{name:<44} {f.type:<14} {f.rows:>8} {f.loaded:>8} {f.updated:>8} "
              f"{f.unchanged:>8} {f.quarantined:>8}", file=out)
        if f.extra_columns:
            print(f"    已忽略多余列 extra columns ignored: {', '.join(f.extra_columns)}", file=out)
    quarantined = sum(f.quarantined for f in result.files)
    if quarantined:
        print(f"共 {quarantined} 行进入隔离区，原因见数据管理页 / {quarantined} rows quarantined; "
              f"see the Data page or the quarantine table for reasons", file=out)
    for skipped in result.skipped:
        print(f"    已跳过非数据文件 skipped (not a data file): {skipped}", file=out)


def audit_load(db: Path, event: str, user: str | None, detail: dict, target: str | None = None) -> None:
    """Append the load to the audit log in the users database; warn (never fail) when that cannot be done."""
    actor = user or os.environ.get("TPD_USER") or users_store.os_actor()
    try:
        users_store.record(default_users_db_path(db), event, actor=actor, target=target,
                           detail={"warehouse": str(db), "os_user": users_store.os_actor(), **detail})
    except Exception as problem:  # noqa: BLE001  (the load itself is done either way)
        print(f"警告：未能写入审计日志 / warning: could not write the audit log: {problem}", file=sys.stderr)


def _batch_detail(result: BatchResult) -> dict:
    totals = result.as_json()["totals"]
    return {"status": "committed", "files": [f.file for f in result.files][:200], **totals}


def cmd_load(args) -> int:
    progress = (lambda msg: print(msg, file=sys.stderr)) if sys.stderr.isatty() and not args.json else None
    try:
        result = load_batch(args.db, args.paths, record_type=args.type, user=args.user, progress=progress)
    except BatchRefused as refusal:
        audit_load(args.db, "load.refused", args.user,
                   {"status": "refused", "paths": [str(p) for p in args.paths][:200], "reason": refusal.message_en,
                    "file": refusal.file, "batch_id": refusal.batch_id})
        if args.json:
            print(json.dumps({"error": str(refusal), "error_zh": refusal.message_zh,
                              "error_en": refusal.message_en, "file": refusal.file,
                              "batch_id": refusal.batch_id, "status": "refused"}, ensure_ascii=False))
        else:
            print(f"批次被拒绝，未导入任何数据 / batch refused, nothing loaded:\n  {refusal.message_zh}\n  "
                  f"{refusal.message_en}", file=sys.stderr)
        return EXIT_REFUSED
    audit_load(args.db, "load", args.user, _batch_detail(result), result.batch_id)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print_summary(result)
    return 0


def cmd_demo(args) -> int:
    from etl.demo import DEMO_SEED, generate_exports

    today = dt.date.fromisoformat(args.today) if args.today else None
    seed = DEMO_SEED if args.seed is None else args.seed
    with tempfile.TemporaryDirectory(prefix="tpd-demo-") as tmp:
        out = Path(args.exports) if args.exports else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print(f"生成演示数据 generating demo exports (seed {seed}, scale {args.scale or 'default'}) → {out}",
              file=sys.stderr)
        paths = generate_exports(out, seed=seed, scale=args.scale, today=today)
        if args.db.exists():
            args.db.unlink()
        shutil.rmtree(parts_dir(args.db), ignore_errors=True)
        result = load_batch(args.db, paths, user="demo", meta={"demo": "true", "demo_seed": str(seed)})
    audit_load(args.db, "load", "demo", {**_batch_detail(result), "demo": True}, result.batch_id)
    print_summary(result)
    print(f"演示数据仓库已生成 demo warehouse written: {args.db}")
    return 0


def cmd_rebuild(args) -> int:
    try:
        rebuild_marts(args.db)
    except WarehouseMissing as missing:
        print(missing, file=sys.stderr)
        return EXIT_REFUSED
    print(f"汇总表已全部重建 marts rebuilt from the records: {args.db}")
    return 0


def cmd_partition(args) -> int:
    try:
        converted = partition_warehouse(args.db)
    except WarehouseMissing as missing:
        print(missing, file=sys.stderr)
        return EXIT_REFUSED
    if converted:
        print(f"数据仓库已按月分区 warehouse partitioned by month: {args.db} (+ {args.db}.parts/)")
    else:
        print(f"数据仓库已是分区布局，未改动 / the warehouse is already partitioned, nothing changed: {args.db}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="旅游警务数据看板 ETL")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: data/warehouse.duckdb or $TPD_DB)")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="load one batch of export files")
    load.add_argument("paths", nargs="+", help="files or directories")
    load.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    load.add_argument("--type", help="record type of every file (otherwise from each file name)")
    load.add_argument("--json", action="store_true", help="print one JSON object")
    load.add_argument("--user", help="who loads (for the load log)")
    demo = sub.add_parser("demo", help="generate and load a demo warehouse")
    demo.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    demo.add_argument("--scale", type=int, default=None, help="about this many incidents")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument("--today", help="last day of the demo period (YYYY-MM-DD)")
    demo.add_argument("--exports", help="keep the generated export files in this directory")
    rebuild = sub.add_parser("rebuild", help="rebuild every mart from the records (a changed definition, a repair)")
    rebuild.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    partition = sub.add_parser("partition", help="turn a single-file warehouse into a partitioned one "
                                                 "(a small core and one file per month)")
    partition.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.db = Path(args.db) if args.db else default_db_path()
    try:
        wants_partitions()
    except ValueError as bad_layout:
        print(bad_layout, file=sys.stderr)
        return EXIT_REFUSED
    return {"load": cmd_load, "demo": cmd_demo, "rebuild": cmd_rebuild,
            "partition": cmd_partition}[args.command](args)
