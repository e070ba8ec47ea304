"""`python -m warehouse replicate SOURCE DEST`: put the newest published warehouse onto a node.

See warehouse/replicate.py. Exit status 0 when DEST holds SOURCE's version
(copied now or already there), 2 when SOURCE is missing or not a warehouse, or published a
newer version while its partitions were copied (DEST unchanged: run again).
"""
from __future__ import annotations

import argparse
import sys

from warehouse.connection import WarehouseMissing
from warehouse.replicate import NotAWarehouse, SourceMoved, replicate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse", description="数据仓库副本 / warehouse replicas")
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser("replicate", help="把最新发布的版本复制到本节点 / put the newest published version onto a node")
    rep.add_argument("source", help="发布的数据仓库文件 / the published warehouse file")
    rep.add_argument("dest", help="本节点读取的副本 / the replica this node reads (TPD_DB)")
    args = parser.parse_args(argv)
    try:
        done = replicate(args.source, args.dest)
    except (WarehouseMissing, NotAWarehouse, SourceMoved) as exc:
        print(exc, file=sys.stderr)
        return 2
    if done.copied:
        print(f"已复制版本 {done.version} 到 {args.dest}（{done.size / 2**20:.1f} MB，{done.seconds:.1f} 秒）"
              f" / replicated version {done.version} to {args.dest} ({done.size / 2**20:.1f} MB in {done.seconds:.1f} s)")
    else:
        print(f"{args.dest} 已是版本 {done.version}，未复制 / {args.dest} already holds version {done.version}: nothing copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
