"""Compute catalog metrics for a period and scope; `python -m dashboard.queries.metrics`.

`compute` runs one aggregate query per source holding every requested
metric of that source, then derives ratios and the Wilson intervals of
survey rates. The command line prints every metric of the catalog as one
JSON object (`--json`) or as a table for a person.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dashboard.queries.catalog import BY_ID, METRICS, SOURCES, Metric, Ratio
from dashboard.queries.filters import SEASONS, Filters, Scope, where_sql

Z95 = 1.959963984540054


@dataclass(frozen=True)
class MetricValue:
    value: float | int | None
    n: int | None = None
    low: float | None = None
    high: float | None = None


def wilson(rate: float | None, n: int | None, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion."""
    if rate is None or not n:
        return None, None
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def source_query(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope) -> tuple[str, dict]:
    source = SOURCES[source_name]
    params: dict = {}
    where = where_sql(source, filters, scope, params)
    selects = []
    for m in metrics:
        selects.append(f'{m.expr} as "{m.id}"')
        if m.n_expr:
            selects.append(f'{m.n_expr} as "{m.id}#n"')
    return f"select {', '.join(selects)} from {source.from_sql} where {where}", params


def compute(con, filters: Filters, scope: Scope = Scope.city(),
            metric_ids: list[str] | None = None) -> dict[str, MetricValue]:
    wanted = [BY_ID[i] for i in metric_ids] if metric_ids else list(METRICS)
    ratios = [m for m in wanted if isinstance(m, Ratio)]
    needed = {m.id: m for m in wanted if isinstance(m, Metric)}
    for r in ratios:
        for part in (r.numerator, r.denominator):
            needed.setdefault(part, BY_ID[part])
    by_source: dict[str, list[Metric]] = {}
    for m in needed.values():
        by_source.setdefault(m.source, []).append(m)
    raw: dict[str, object] = {}
    for source_name, metrics in by_source.items():
        sql, params = source_query(source_name, metrics, filters, scope)
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        raw.update(zip(names, cur.fetchone()))
    out: dict[str, MetricValue] = {}
    for m in wanted:
        if isinstance(m, Ratio):
            num, den = _number(raw[m.numerator]), _number(raw[m.denominator])
            value = None if not den else num * m.factor / den
            out[m.id] = MetricValue(value, n=den)
            continue
        value, n = _number(raw[m.id]), _number(raw.get(f"{m.id}#n"))
        low, high = wilson(value, n) if m.wilson else (None, None)
        out[m.id] = MetricValue(value, n, low, high)
    return out


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m dashboard.queries.metrics",
                                     description="旅游警务指标 / tourism-policing metrics")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--start", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--end", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--unit", help="unit code: that unit and every unit below it")
    parser.add_argument("--area", help="scenic area code")
    parser.add_argument("--season", choices=SEASONS, help="旺季 (peak) or 淡季 (off-season) days only")
    parser.add_argument("--metric", action="append", help="only this metric (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object {metric_id: value}")
    return parser.parse_args(argv)


def _fail(message_zh: str, message_en: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message_en, "error_zh": message_zh}, ensure_ascii=False))
    print(f"{message_zh} / {message_en}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    from warehouse.config import default_db_path
    from warehouse.connection import WarehouseMissing, connect_reader

    args = _parse_args(argv)
    db = args.db or default_db_path()
    if args.end < args.start:
        return _fail("结束日期早于开始日期", "--end is before --start", args.json)
    unknown = [m for m in args.metric or [] if m not in BY_ID]
    if unknown:
        return _fail(f"未知指标：{', '.join(unknown)}", f"unknown metric: {', '.join(unknown)}", args.json)
    try:
        con = connect_reader(db)
    except WarehouseMissing as exc:
        return _fail(str(exc), str(exc), args.json)
    for code, table, word_zh, word_en in ((args.unit, "units", "单位编码", "unit code"),
                                          (args.area, "scenic_areas", "景区编码", "scenic area code")):
        key = "unit_code" if table == "units" else "area_code"
        if code and not con.execute(f"select 1 from {table} where {key} = $c", {"c": code}).fetchone():
            return _fail(f"未知{word_zh} {code}", f"unknown {word_en} {code}", args.json)
    filters = Filters(args.start, args.end, unit=args.unit, area=args.area, season=args.season)
    values = compute(con, filters, Scope.city(), args.metric)
    if args.json:
        print(json.dumps({k: v.value for k, v in values.items()}, ensure_ascii=False))
        return 0
    for metric_id, v in values.items():
        m = BY_ID[metric_id]
        extra = f"  (n={v.n})" if v.n is not None and getattr(m, "fmt", "") in ("rate", "per10k", "minutes", "score") else ""
        if v.low is not None:
            extra += f"  95% CI {v.low:.1%}–{v.high:.1%}"
        shown = "—" if v.value is None else (f"{v.value:.1%}" if m.fmt == "rate" else
                                            f"{v.value:,.2f}" if isinstance(v.value, float) else f"{v.value:,}")
        print(f"{metric_id:<34} {m.zh:<20} {shown:>14}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
