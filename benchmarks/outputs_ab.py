"""Every view callback of some pages, over several views and users, its outputs dumped as JSON:
save a dump before a change, compare after it. "No figure changes" means no line differs.

Each output is serialised by plotly's encoder (what Dash sends) and compared with key order
aside; numbers keep their type (1 and 1.0 differ). Views: a city year, a unit's quarter,
an area's year in English, a fortnight from a Wednesday (part weeks at both ends), each page's
default period, the page's own choices (a channel, a grain, a metric, a comment search; a
dispute type; a batch), and a unit commander's scope.
Run: .venv/bin/python benchmarks/outputs_ab.py --db WAREHOUSE --save before.json
     .venv/bin/python benchmarks/outputs_ab.py --db WAREHOUSE --against before.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.figures_ab import canonical  # noqa: E402
from benchmarks.page_callbacks import view_callbacks  # noqa: E402

PAGES = ("satisfaction", "mediation", "data")
YEAR, QUARTER = "period=custom&start=2025-11-23&end=2026-11-22", "period=custom&start=2026-07-01&end=2026-09-30"
PART_WEEKS = "period=custom&start=2026-11-04&end=2026-11-17"


def views(db: Path) -> tuple[list[str], str, str]:
    """The views every page is asked, the first unit and the first batch of the warehouse."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    unit = con.execute("select unit_code from units where unit_level in ('景区分局', '分县局') order by 1 limit 1"
                       ).fetchone()[0]
    area = con.execute("select area_code from scenic_areas order by 1 limit 1").fetchone()[0]
    batch = con.execute("select batch_id from load_log order by started_at desc limit 1").fetchone()[0]
    con.close()
    return ["", f"?{YEAR}", f"?{QUARTER}&unit={unit}", f"?{YEAR}&area={area}&lang=en", f"?{PART_WEEKS}",
            f"?{PART_WEEKS}&unit={unit}&lang=en"], unit, batch


def page_views(page: str, batch: str) -> list[str]:
    """The page's own choices, each over a year and a part-week fortnight."""
    extra = {"satisfaction": ["category=扫码问卷&grain=week&metric=safety", "grain=month&q=服务",
                              "q=zzz-nothing"],
             "mediation": ["category=消费纠纷", "category=其他&lang=en"],
             "data": [f"q={batch}"]}[page]
    return [f"?{period}&{e}" for e in extra for period in (YEAR, PART_WEEKS)]


def dump(db: Path) -> dict:
    from dashboard.app import create_app
    from dashboard.auth.store import User
    from dashboard.queries import db as qdb
    from dashboard.session import acting_as

    create_app(db)
    qdb.warm_up()
    shared, unit, batch = views(db)
    users = [User("ab-admin", "admin"), User("ab-unit", "unit", unit_code=unit)]
    out: dict = {}
    for key, fn, n_inputs in view_callbacks():
        page = key.split(".")[0]
        if page not in PAGES:
            continue
        for user in users:
            for search in shared + page_views(page, batch):
                qdb.clear_cache()
                with acting_as(user):
                    try:
                        answer = canonical(fn(search, *[None] * (n_inputs - 1)))
                    except Exception as e:   # a refusal is an output too
                        answer = f"{type(e).__name__}: {e}"
                out[f"{key} {user.role} {search}"] = answer
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a demo warehouse (read only)")
    parser.add_argument("--save", type=Path, help="write the outputs here")
    parser.add_argument("--against", type=Path, help="compare the outputs with this earlier dump")
    args = parser.parse_args()
    os.environ["TPD_TODAY"] = "2026-11-23"
    outputs = dump(args.db)
    if args.save:
        args.save.write_text(json.dumps(outputs, ensure_ascii=False, indent=0, sort_keys=True))
    if not args.against:
        print(f"{len(outputs)} outputs", file=sys.stderr)
        return 0
    before = json.loads(args.against.read_text())
    differing = sorted(k for k in before.keys() | outputs.keys() if before.get(k) != outputs.get(k))
    for k in differing:
        print(f"DIFFERS {k}", file=sys.stderr)
    print(f"{len(outputs)} outputs, {len(differing)} differing", file=sys.stderr)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
