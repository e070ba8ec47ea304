"""Every view callback's outputs over a set of views, as JSON, to prove a change leaves them the same.

`--save FILE` writes {callback + role + view: outputs} (plotly's encoder, keys sorted; a refusal is an
output too); `--against FILE`
computes them again and lists every output that differs (exit 1 if any); one that differs only in
floats' last bits (DuckDB's parallel float sums: the map's visitor means) is listed as such. Run it once on the code
before a change and again after: the outputs must be identical, key order aside. The views: a year
city-wide, the same in English by week, a branch's quarter, an area's year in English, six weeks
with part weeks at either end for a 分县局, a leaf unit's default period, last week; and each
page's own choices (the staffing grain, an incident category, the map's colour and size, a survey
channel, grain, metric and comment search, a dispute type, a batch); each as an administrator and
as a unit commander.
Run: .venv/bin/python benchmarks/outputs_ab.py --db WAREHOUSE [--pages staffing,incidents] --save|--against FILE
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.page_callbacks import view_callbacks  # noqa: E402

YEAR = "period=custom&start=2025-11-23&end=2026-11-22"
PAGES = "overview,staffing,incidents,mediation,satisfaction,nominations,map,data"
EXTRAS = {"staffing": ["grain=week", "grain=month"], "incidents": ["category={category}"],
          "map": ["color=satisfaction&size=incidents", "color=sameday"],
          "satisfaction": ["category=扫码问卷&grain=week&metric=safety", "grain=month&q=服务", "q=zzz-nothing"],
          "mediation": ["category=消费纠纷", "category=其他&lang=en"], "data": ["q={batch}"]}


def views(db: Path, page: str) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    one = lambda sql: con.execute(sql).fetchone()[0]   # noqa: E731
    branch = one("select unit_code from units where unit_level = '景区分局' order by 1 limit 1")
    county = one("select unit_code from units where unit_level = '分县局' order by 1 limit 1")
    leaf = one("select unit_code from units u where not exists "
               "(select 1 from units c where c.parent_code = u.unit_code) order by 1 limit 1")
    area = one("select area_code from scenic_areas order by 1 limit 1")
    category = one("select category from incidents group by 1 order by count(*) desc limit 1")
    batch = one("select batch_id from load_log order by started_at desc limit 1")
    con.close()
    base = [f"?{YEAR}", f"?{YEAR}&lang=en",
            f"?period=custom&start=2026-07-01&end=2026-09-30&unit={branch}",
            f"?{YEAR}&area={area}&lang=en",
            f"?period=custom&start=2026-09-03&end=2026-10-14&unit={county}",
            f"?unit={leaf}", "?period=last_week"]
    extras = [e.format(category=category, batch=batch) for e in EXTRAS.get(page, [])]
    # Each choice on a year, on a quarter and on the part weeks.
    return base + [f"{v}&{e}" for e in extras for v in (base[0], base[2], base[4])]


def canonical(outputs) -> str:
    from plotly.io.json import to_json_plotly

    return json.dumps(json.loads(to_json_plotly(outputs)), sort_keys=True, ensure_ascii=False)


def _decoded(value):
    """Plotly's typed arrays ({dtype, bdata}) as lists of numbers, everything else as it is."""
    import base64

    import numpy as np

    if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def near(a, b) -> bool:
    """The same but for floats' last bits (DuckDB sums floats in parallel, in no fixed order, so a
    mean of visitors can come out 19.59999999999999 one run and 19.599999999999987 the next)."""
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, int):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(near(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(near(x, y) for x, y in zip(a, b))
    return a == b


def commander(db: Path):
    import duckdb

    from dashboard.auth.store import User

    con = duckdb.connect(str(db), read_only=True)
    unit = con.execute("select unit_code from units where unit_level in ('景区分局', '分县局') order by 1 limit 1"
                       ).fetchone()[0]
    con.close()
    return User("ab-unit", "unit", unit_code=unit)


def outputs(db: Path, pages: list[str]) -> dict[str, str]:
    from dashboard.auth.store import User
    from dashboard.queries import db as qdb
    from dashboard.session import acting_as

    found = {}
    users = [User("ab-admin", "admin"), commander(db)]
    for key, fn, n_inputs in view_callbacks():
        page = key.split(".")[0]
        if page not in pages:
            continue
        for search in views(db, page):
            for user in users:
                qdb.clear_cache()
                with acting_as(user):
                    try:
                        answer = canonical(fn(*([search] + [None] * (n_inputs - 1))))
                    except Exception as e:   # a refusal is an output too
                        answer = json.dumps(f"{type(e).__name__}: {e}", ensure_ascii=False)
                found[f"{key} {user.role} {search}"] = answer
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a demo warehouse (read only)")
    parser.add_argument("--pages", default=PAGES)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--against", type=Path)
    args = parser.parse_args()
    os.environ["TPD_TODAY"] = "2026-11-23"
    from dashboard.app import create_app
    from dashboard.queries import db as qdb

    create_app(args.db)
    qdb.warm_up()
    found = outputs(args.db, args.pages.split(","))
    if args.save:
        args.save.write_text(json.dumps(found, indent=0, ensure_ascii=False))
        print(f"{len(found)} outputs saved to {args.save}", file=sys.stderr)
        return 0
    pages = tuple(f"{p}." for p in args.pages.split(","))
    before = {k: v for k, v in json.loads(args.against.read_text()).items() if k.startswith(pages)}
    changed = sorted(k for k in found.keys() & before.keys() if found[k] != before[k])
    noise = [k for k in changed if near(_decoded(json.loads(found[k])), _decoded(json.loads(before[k])))]
    differing = [k for k in changed if k not in noise]
    missing = sorted(before.keys() - found.keys())
    for k in noise:
        print(f"float noise only: {k}", file=sys.stderr)
    for k in differing:
        print(f"DIFFERS {k}", file=sys.stderr)
    for k in missing:
        print(f"MISSING {k}", file=sys.stderr)
    print(f"{len(found)} outputs compared: {len(found) - len(changed)} identical, {len(noise)} the same but for "
          f"floats' last bits, {len(differing)} differ, {len(missing)} missing", file=sys.stderr)
    return 1 if differing or missing else 0


if __name__ == "__main__":
    sys.exit(main())
