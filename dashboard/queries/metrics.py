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
import re
import sys
from decimal import Decimal
from pathlib import Path

from dashboard.model.catalog import BY_ID, METRICS, SOURCES, Metric, Ratio, Source
from dashboard.model.filters import SEASONS, Filters, Scope
from dashboard.model.judgements import wilson
from dashboard.model.values import MetricValue
from dashboard.queries.where import where_sql
from warehouse.marts import RESPONSE_BAND_COLUMNS, RESPONSE_BANDS


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def select_list(metrics: list[Metric], rollup: bool) -> list[str]:
    out = []
    for m in metrics:
        out.append(f'{m.rollup_expr if rollup else m.expr} as "{m.id}"')
        n_expr = m.rollup_n_expr if rollup else m.n_expr
        if n_expr:
            out.append(f'{n_expr} as "{m.id}#n"')
    return out


def _part(columns: list[str]) -> str:
    """One comparable value of several key columns (a row), or of none."""
    if not columns:
        return "null"
    return columns[0] if len(columns) == 1 else f"row({', '.join(columns)})"


# The median from its two middle values (the same when the count is odd), interpolated by
# DuckDB's own `median` over just those two: the same arithmetic on the same numbers as
# `median` over every value (DuckDB 2's is their mean; 1.x's lo + (hi - lo) * 0.5 rounds
# differently in the last bit for some pairs).
MIDDLE = "list_median([{lo}, {hi}])"


def _grouping(sets: tuple[tuple[int, ...], ...], *also: str) -> str:
    """`group by grouping sets`: one set per tuple of key positions (from 0), each with `also`."""
    return "group by grouping sets (" + ", ".join(
        "(" + ", ".join([str(j + 1) for j in keys] + list(also)) + ")" for keys in sets) + ")"


def _median_ctes(i: int, seconds: str, keys: list[str], source: Source, joins: str, where: str,
                 few_groups: bool = False, sets: tuple[tuple[int, ...], ...] = ()) -> list[str]:
    """The exact median of whole seconds, in minutes, per key.

    Over one group (a whole period) or a few (the periods of a KPI card) counting each
    distinct value once and taking the two middle values (`MIDDLE`) is cheaper than
    DuckDB's `median`; over many groups (units, weeks) the
    distribution's window sort costs two to four times more than `median` itself, so
    those medians use it. Both give the same figure.
    """
    key_cols = "".join(f"{k} as k{j}, " for j, k in enumerate(keys))
    part = _part([f"k{j}" for j in range(len(keys))])
    if keys and not few_groups:
        group = _grouping(sets) if sets else "group by all"
        return [
            f"m{i} as (select {part} as part, med as lo, med as hi, n from ("
            f"select {key_cols}median({seconds} / 60.0) as med, count(*) as n "
            f"from {source.from_sql}{joins} where {where} and {seconds} is not null {group}))",
        ]
    return [
        f"h{i} as (select {key_cols}{seconds} as v, count(*) as c from {source.from_sql}{joins} "
        f"where {where} and {seconds} is not null {_grouping(sets, str(len(keys) + 1)) if sets else 'group by all'})",
        f"w{i} as (select part, v, sum(c) over (partition by part order by v) as cum, "
        f"sum(c) over (partition by part) as tot from (select {part} as part, v, c from h{i}))",
        f"m{i} as (select part, min(v) filter (where cum >= (tot + 1) // 2) / 60.0 as lo, "
        f"min(v) filter (where cum >= tot // 2 + 1) / 60.0 as hi, max(tot) as n from w{i} group by part)",
    ]


def _banded_median_ctes(i: int, keys: list[str], bands: Source, values: Source, joins: str, where: str,
                        sets: tuple[tuple[int, ...], ...] = ()) -> list[str]:
    """The exact median of whole seconds, in minutes, per key, from the banded marts
    (`warehouse.marts`: `response_bands_daily`, `response_values_daily`).

    The two middle ranks of each key's seconds, (n + 1) // 2 and n // 2 + 1, are found
    among the minute bands' counts (a few dozen rows a day); only the seconds of the one
    or two bands holding them are read (the values mart is sorted by band, so a band's
    rows in a period are a few blocks) and counted up from the rows below those bands.
    The same two values as sorting every second, so the same figure as `median`.
    """
    key_cols = "".join(f"{k} as k{j}, " for j, k in enumerate(keys))
    part = _part([f"k{j}" for j in range(len(keys))])
    n = len(keys)

    def group(*also: str) -> str:
        return _grouping(sets, *also) if keys and sets else "group by all"
    counts = "list_value(" + ", ".join(f"sum(r.{c})" for c in RESPONSE_BAND_COLUMNS) + ")"
    return [
        f"a{i} as (select {part} as part, counts from (select {key_cols}{counts} as counts "
        f"from {bands.from_sql}{joins} where {where} {group()}))",
        f"c{i} as (select part, band, c, sum(c) over (partition by part order by band) as cum, "
        f"sum(c) over (partition by part) as tot from (select part, unnest(counts) as c, "
        f"unnest(range({RESPONSE_BANDS})) as band from a{i}))",
        # The bands holding a middle rank: the first reaching (n + 1) // 2, the last starting before n // 2 + 1.
        f"t{i} as (select part, min(band) as lo_band, max(band) as hi_band, min(cum - c) as below, "
        f"max(tot) as tot from c{i} where c > 0 and cum >= (tot + 1) // 2 and cum - c < tot // 2 + 1 group by part)",
        f"v{i} as (select {part} as part, band, v, c from (select {key_cols}r.band, r.response_s as v, "
        f"sum(r.responses) as c from {values.from_sql}{joins} where {where} "
        f"and r.band in (select lo_band from t{i} union select hi_band from t{i}) "
        f"{group(str(n + 1), str(n + 2))}))",
        f"w{i} as (select v.part, v.v, t.below + sum(v.c) over (partition by v.part order by v.v) as cum, t.tot "
        f"from v{i} v join t{i} t on v.part is not distinct from t.part and v.band between t.lo_band and t.hi_band)",
        f"m{i} as (select part, min(v) filter (where cum >= (tot + 1) // 2) / 60.0 as lo, "
        f"min(v) filter (where cum >= tot // 2 + 1) / 60.0 as hi, max(tot) as n from w{i} group by part)",
    ]


_RECORD_COLUMN = re.compile(r"\br\.(\w+)")


def _columns_named(keys, joins: str, where: str) -> set[str]:
    return set(_RECORD_COLUMN.findall(" ".join([e for _, e in keys] + [joins, where])))


def _banded_reading(source: Source, medians: list[Metric], shape):
    """The banded marts' (keys, joins, where), when they hold every record column those name."""
    bands = source.median_bands
    if bands is None or source.median_values is None or not all(m.median_column for m in medians):
        return None
    keys, joins, where = shape(bands)
    held = set(_RECORD_COLUMN.findall(" ".join([bands.unit_expr, bands.date_expr, bands.area_expr or ""])))
    return (keys, joins, where) if _columns_named(keys, joins, where) <= held else None


def _median_reading(source: Source, medians: list[Metric], shape):
    """Where the medians read their seconds: the source's `medians` mart when it holds every
    record column the keys and conditions name, else the records themselves."""
    mart = source.medians
    if mart is not None and all(m.median_column for m in medians):
        keys, joins, where = shape(mart)
        if _columns_named(keys, joins, where) <= source.median_columns:
            return (mart, keys, joins, where)
    return (source,) + tuple(shape(source))


def aggregate_sql(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope, params: dict,
                  keyed=None, rollup: bool = True, few_groups: bool = False, each_key_alone: bool = False,
                  grouping_sets: tuple[tuple[int, ...], ...] = ()) -> str:
    """One query for several metrics of one source: a row per key, or one row.

    `keyed(source)` gives `([(alias, key expression)], joins, extra where)` for the
    physical source chosen (the rollup or the records), so keys can name its columns.
    The source's rollup is read when every metric but the medians has a rollup form;
    medians come from the distribution of their seconds in the records. A caller whose
    keys or conditions need record columns the rollup lacks passes `rollup=False`;
    one whose keys make a handful of groups passes `few_groups` (see `_median_ctes`).
    With `each_key_alone`, the rows are grouped by each key on its own in one scan
    (grouping sets): a row per value of one key, the other keys null; `grouping_sets` names
    the sets otherwise, each a tuple of key positions (from 0): ((0, 1), (1,)) gives a row per
    pair of the two keys and one per value of the second, the first null.
    """
    source = SOURCES[source_name]
    medians = [m for m in metrics if m.median_seconds]
    plain = [m for m in metrics if not m.median_seconds]
    use_rollup = rollup and source.rollup is not None and all(m.rollup_expr for m in plain)
    physical = source.rollup if use_rollup else source

    def shape(src: Source):
        keys, joins, extra = keyed(src) if keyed else ([], "", "")
        return keys, (f" {joins}" if joins else ""), where_sql(src, filters, scope, params) + extra

    keys, joins, where = shape(physical)
    aliases = [a for a, _ in keys]
    key_select = "".join(f"{expr} as {alias}, " for alias, expr in keys)
    positions = [str(i + 1) for i in range(len(keys))]
    sets = tuple((j,) for j in range(len(keys))) if each_key_alone else tuple(grouping_sets)
    group = (f" {_grouping(sets)}" if sets else f" group by {', '.join(positions)}") if keys else ""
    selects = select_list(plain, use_rollup) or ["count(*) as _rows"]
    base = f"select {key_select}{', '.join(selects)} from {physical.from_sql}{joins} where {where}{group}"
    if not medians:
        return base + (f" order by {', '.join(aliases)}" if keys else "")
    banded = _banded_reading(source, medians, shape)
    med_source, raw_keys, raw_joins, raw_where = _median_reading(source, medians, shape)
    ctes, columns, joins_out = [f"p as ({base})"], ["p.*" if plain else "p.* exclude (_rows)"], []
    p_part = _part([f"p.{a}" for a in aliases])
    for i, m in enumerate(medians):
        if banded is not None:
            band_keys, band_joins, band_where = banded
            ctes += _banded_median_ctes(i, [e for _, e in band_keys], source.median_bands, source.median_values,
                                        band_joins, band_where, sets)
        else:
            seconds = m.median_seconds if med_source is source else m.median_column
            ctes += _median_ctes(i, seconds, [e for _, e in raw_keys], med_source, raw_joins, raw_where,
                                 few_groups, sets)
        columns.append(f'{MIDDLE.format(lo=f"m{i}.lo", hi=f"m{i}.hi")} as "{m.id}"')
        columns.append(f'coalesce(m{i}.n, 0)::bigint as "{m.id}#n"')
        joins_out.append(f"left join m{i} on {p_part} is not distinct from m{i}.part")
    order = f" order by {', '.join('p.' + a for a in aliases)}" if keys else ""
    return f"with {', '.join(ctes)} select {', '.join(columns)} from p {' '.join(joins_out)}{order}"


def source_query(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope) -> tuple[str, dict]:
    params: dict = {}
    return aggregate_sql(source_name, metrics, filters, scope, params), params


PERIOD = "_period"


def periods_query(source_name: str, metrics: list[Metric], periods: list[Filters], scope: Scope,
                  weeks: Filters | None = None) -> tuple[str, dict, list[int]] | None:
    """`source_query` for several periods of one view in one scan: (sql, params, the span
    of each period). A row per distinct span with records, keyed `_period` (the span's
    index), each row what `source_query` gives for the periods of that span.

    With `weeks`, the same scan also gives the rows of the weekly breakdown over `weeks`
    (`breakdown.metric_frame(..., "week")`): the rows are grouped by `_period` and by `key`
    (the week's Monday) apart (grouping sets), so a row is a span's (`key` null) or a week's
    (`_period` null); each figure comes from its own rows, none merged from parts.
    None for a stock source (each period reads its own day), for periods that differ
    in more than their dates, or that overlap without being the same (a row counts
    in one period here).
    """
    source = SOURCES[source_name]
    views = periods + ([weeks] if weeks is not None else [])
    if source.is_stock or len({(f.unit, f.area, f.season) for f in views}) != 1:
        return None
    spans = sorted({(f.start, f.end) for f in periods})
    if any(b[0] <= a[1] for a, b in zip(spans, spans[1:])):
        return None
    first = periods[0]
    hull = Filters(min(f.start for f in views), max(f.end for f in views), first.unit, first.area, first.season)
    params: dict = {}
    for j, (start, end) in enumerate(spans):
        params[f"period_start{j}"], params[f"period_end{j}"] = start, end + dt.timedelta(days=1)
    if weeks is not None:
        params["weeks_start"], params["weeks_end"] = weeks.start, weeks.end + dt.timedelta(days=1)

    def keyed(src: Source):
        within = [f"({src.date_expr} >= $period_start{j} and {src.date_expr} < $period_end{j})"
                  for j in range(len(spans))]
        key = "case " + " ".join(f"when {w} then {j}" for j, w in enumerate(within)) + " end"
        if weeks is None:
            return [(PERIOD, key)], "", f" and ({' or '.join(within)})"
        in_weeks = f"({src.date_expr} >= $weeks_start and {src.date_expr} < $weeks_end)"
        week = f"case when {in_weeks} then cast(date_trunc('week', {src.date_expr}) as date) end"
        return [(PERIOD, key), ("key", week)], "", f" and ({' or '.join(within + [in_weeks])})"
    if weeks is None:
        sql = aggregate_sql(source_name, metrics, hull, scope, params, keyed, few_groups=True)
    else:
        sql = aggregate_sql(source_name, metrics, hull, scope, params, keyed, grouping_sets=((0,), (1,)))
    # Rows keyed by span; each period asks for its span's row.
    return sql, params, [spans.index((f.start, f.end)) for f in periods]


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
