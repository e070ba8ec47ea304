"""Queries behind the Mediation page: disputes by type and result, rates by unit and area, time to close.

Headline figures come from the metrics catalog (`kpi_figures`). The page can
narrow to one dispute type (`category`), which the catalog engine does not
filter on: then the catalog's own metric expressions are run here with one
more condition, so the definitions stay the catalog's. Two page figures are
not in the catalog's list, and are defined beside it (`MEDIATION_PAGE_METRICS`):
the fast-track share (快调快赔 over mediations whose fast_track is known) and
the median time to close in hours (over closed mediations). Every function
applies the period, unit, area, season and scope through `where_sql`, so the
page agrees with the catalog for the same filters.
"""
from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pandas as pd

from dashboard.model.breakdowns import CLOSE_BIN_EDGES
from dashboard.model.catalog import (BY_ID, CLOSE_MEDIAN, FAST_TRACK, MEDIATION_HOURS, MEDIATION_PAGE_METRICS, SOURCES,
                                     Metric)
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison, buckets, comparison_spans, week_start
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.queries import db, reference
from dashboard.queries.breakdown import concurrently, with_coverage
from dashboard.queries.kpis import kpi_figures, weekly_series
from dashboard.queries.where import where_sql
from warehouse.record_types import DISPUTE_TYPES, MEDIATED, MEDIATION_RESULTS

SOURCE = SOURCES["mediations"]
HOURS = MEDIATION_HOURS

CATALOG_HEADLINE = ["mediation.total", "mediation.success_rate", "mediation.compensation_yuan"]
PAGE_METRICS = MEDIATION_PAGE_METRICS
HEADLINE = CATALOG_HEADLINE + list(PAGE_METRICS)

# Rates over fewer concluded cases than this are shown but not ranked. Mediations
# are far fewer than survey answers (a unit handles a handful a week), so the
# survey minimum (30) would grey out nearly every unit in a month.
MIN_CASES = 10
RECORD_LIMIT = 500


def metric(metric_id: str) -> Metric:
    return PAGE_METRICS.get(metric_id) or BY_ID[metric_id]


def _where(filters: Filters, scope: Scope, category: str | None, params: dict) -> str:
    where = where_sql(SOURCE, filters, scope, params)
    if category:
        where += " and r.dispute_type = $category"
        params["category"] = category
    return where


def _selects(metrics: list[Metric], rollup: bool = False) -> str:
    """Each metric's value and n, over the records or (rollup) over the daily rollup."""
    parts = []
    for m in metrics:
        parts.append(f'{m.rollup_expr if rollup else m.expr} as "{m.id}"')
        if m.n_expr:
            parts.append(f'{m.rollup_n_expr if rollup else m.n_expr} as "{m.id}#n"')
    return ", ".join(parts)


def values(filters: Filters, scope: Scope, metric_ids: list[str], category: str | None = None
           ) -> dict[str, MetricValue]:
    """Mediation metrics (catalog or page) for one period, optionally for one dispute type."""
    metrics = [metric(i) for i in metric_ids]
    params: dict = {}
    sql = f"select {_selects(metrics)} from {SOURCE.from_sql} where {_where(filters, scope, category, params)}"
    df = db.frame(sql, params)
    return {m.id: _value(m, df[m.id].iloc[0], df[f"{m.id}#n"].iloc[0] if m.n_expr else None) for m in metrics}


def values_of_periods(periods: list[Filters], scope: Scope, metric_ids: list[str], category: str | None = None
                      ) -> list[dict[str, MetricValue]]:
    """`values` of each period, read in one scan keyed by period when the periods differ only in
    their dates and do not overlap (the same span twice is read once); else one query each."""
    spans = sorted({(p.start, p.end) for p in periods})
    overlap = any(b[0] <= a[1] for a, b in pairwise(spans))
    if overlap or len({(p.unit, p.area, p.season) for p in periods}) != 1:
        return [values(p, scope, metric_ids, category) for p in periods]
    metrics = [metric(i) for i in metric_ids]
    first = periods[0]
    hull = Filters(spans[0][0], spans[-1][1], first.unit, first.area, first.season)
    params: dict = {}
    where = _where(hull, scope, category, params)
    within = []
    for j, (start, end) in enumerate(spans):
        params[f"span_start{j}"], params[f"span_end{j}"] = start, end + dt.timedelta(days=1)
        within.append(f"({SOURCE.date_expr} >= $span_start{j} and {SOURCE.date_expr} < $span_end{j})")
    key = "case " + " ".join(f"when {w} then {j}" for j, w in enumerate(within)) + " end"
    df = db.frame(f"select {key} as span, {_selects(metrics)} from {SOURCE.from_sql} "
                  f"where {where} and ({' or '.join(within)}) group by 1", params)
    rows = {int(span): i for i, span in enumerate(df["span"])}
    out = []
    for p in periods:
        i = rows.get(spans.index((p.start, p.end)))
        # A period without records asks its own query: what an empty set sums to is the catalog's to say.
        out.append(values(p, scope, metric_ids, category) if i is None else
                   {m.id: _value(m, df[m.id].iloc[i], df[f"{m.id}#n"].iloc[i] if m.n_expr else None)
                    for m in metrics})
    return out


def _value(m: Metric, value, n) -> MetricValue:
    value = _scalar(value)
    if m.fmt in ("count", "yuan") and value is None:
        value = 0
    n = _scalar(n) if m.n_expr else None
    return MetricValue(value, None if n is None else int(n))


def _scalar(value):
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def weekly(filters: Filters, scope: Scope, metric_ids: list[str], category: str | None = None) -> pd.DataFrame:
    """One row per Monday-based week of the period (empty weeks included): key, each metric, its n,
    and the days of the week the period covers (`breakdown.with_coverage`)."""
    metrics = [metric(i) for i in metric_ids]
    params: dict = {"weeks": buckets(filters, "week")}
    # Figures the daily rollup holds are read from it.
    rollup = _rollup_where(filters, scope, category, params) if all(m.rollup_expr for m in metrics) else None
    source = SOURCE if rollup is None else SOURCE.rollup
    where = _where(filters, scope, category, params) if rollup is None else rollup
    selects = _selects(metrics, rollup=rollup is not None)
    filled = []
    for m in metrics:  # an empty week counts 0; its rates and medians are null
        filled.append(f'coalesce(g."{m.id}", 0) as "{m.id}"' if m.fmt in ("count", "yuan") else f'g."{m.id}"')
        if m.n_expr:
            filled.append(f'coalesce(g."{m.id}#n", 0) as "{m.id}#n"')
    sql = (f"with g as (select cast(date_trunc('week', {source.date_expr}) as date) as key, {selects} "
           f"from {source.from_sql} where {where} group by 1) "
           f"select cast(w.key as timestamp) as key, {', '.join(filled)} "
           f"from (select unnest($weeks) as key) w left join g using (key) order by 1")
    return with_coverage(db.frame(sql, params), filters, "week")


def headline(filters: Filters, against: Comparison, scope: Scope, category: str | None = None) -> dict[str, KpiFigures]:
    """KPI figures of HEADLINE: now, the period before, last year and 12 weeks of history."""
    f, prev, last, weeks = comparison_spans(filters, against)
    out: dict[str, KpiFigures] = {}
    local = list(PAGE_METRICS) if category is None else HEADLINE
    # The page's own figures' scans run beside the catalog's cards, not after them.
    thunks = [lambda: values_of_periods([f, prev, last], scope, local, category),
              lambda: weekly(weeks, scope, local, category)]
    if category is None:
        thunks.append(lambda: kpi_figures(filters, against, scope, CATALOG_HEADLINE))
    results = concurrently(thunks)
    (now_v, prev_v, last_v), series = results[0], results[1]
    for figures in results[2:]:
        out.update(figures)
    for mid in local:
        out[mid] = KpiFigures(now_v[mid], prev_v[mid], last_v[mid], weekly_series(series, mid))
    return {mid: out[mid] for mid in HEADLINE}


def type_result_counts(filters: Filters, scope: Scope) -> pd.DataFrame:
    """dispute_type, result, count: every type and result, zeros included, in the contract's order."""
    params: dict = {"types": list(DISPUTE_TYPES), "results": list(MEDIATION_RESULTS)}
    where = _where(filters, scope, None, params)
    sql = (f"with c as (select r.dispute_type, r.result, count(*) as count from {SOURCE.from_sql} "
           f"where {where} group by 1, 2) "
           f"select t.dispute_type, s.result, coalesce(c.count, 0) as count "
           f"from (select unnest($types) as dispute_type) t cross join (select unnest($results) as result) s "
           f"left join c using (dispute_type, result) "
           f"order by list_position($types, t.dispute_type), list_position($results, s.result)")
    return db.frame(sql, params)


RATE_COLUMNS = ["mediation.total", "mediation.success_rate", FAST_TRACK.id, CLOSE_MEDIAN.id,
                "mediation.compensation_yuan"]
# How many cases each share is of: what `small` and the bar labels rest on.
HITS = {"mediation.success_rate": f"count(*) filter (where r.result = '{MEDIATED}')",
        FAST_TRACK.id: "count(*) filter (where r.fast_track)"}
# The same over the daily rollup (mediated: concluded and mediated, i.e. mediated).
ROLLUP_HITS = {"mediation.success_rate": "coalesce(sum(r.mediated), 0)::bigint"}


def _groups(key_expr: str, joins: str, where: str, rollup_where: str | None) -> str:
    """The rate columns per group key. With `rollup_where` (no dispute type chosen), the figures the
    catalog also reads from the daily rollup come from it, and only the fast-track counts and the
    median hours from the records: the records' other columns (result, compensation) go unread."""
    metrics = [metric(i) for i in RATE_COLUMNS]
    if rollup_where is None:
        hits = ", ".join(f'{expr} as "{mid}#hits"' for mid, expr in HITS.items())
        return (f"select {key_expr} as key, {_selects(metrics)}, {hits} from {SOURCE.from_sql} {joins} "
                f"where {where} group by 1")
    rolled = [m for m in metrics if m.rollup_expr]
    rolled_hits = [mid for mid in HITS if mid in ROLLUP_HITS]
    raw = [m for m in metrics if not m.rollup_expr]
    raw_hits = ", ".join(f'{HITS[mid]} as "{mid}#hits"' for mid in HITS if mid not in ROLLUP_HITS)
    rollup_hits = ", ".join(f'{ROLLUP_HITS[mid]} as "{mid}#hits"' for mid in rolled_hits)
    return (f"select * from (select {key_expr} as key, {_selects(rolled, rollup=True)}, {rollup_hits} "
            f"from {SOURCE.rollup.from_sql} {joins} where {rollup_where} group by 1) "
            f"full join (select {key_expr} as key, {_selects(raw)}, {raw_hits} "
            f"from {SOURCE.from_sql} {joins} where {where} group by 1) using (key)")


def _group_sql(groups: str, keys_sql: str, names_sql: str) -> str:
    """Rate columns per group, every listed group present, ranked groups first (best first),
    then those with too few concluded cases (`small`), as the page shows them."""
    metrics = [metric(i) for i in RATE_COLUMNS]
    counted = [f'coalesce(g."{m.id}", 0) as "{m.id}"' if m.fmt in ("count", "yuan") else f'g."{m.id}"'
               for m in metrics]
    ns = [f'coalesce(g."{m.id}#n", 0) as "{m.id}#n"' for m in metrics if m.n_expr]
    ns += [f'coalesce(g."{mid}#hits", 0) as "{mid}#hits"' for mid in HITS]
    rate, fast = '"mediation.success_rate#n"', f'"{FAST_TRACK.id}#n"'
    return (f"with g as ({groups}) "
            f"select k.key, n.name, {', '.join(counted + ns)}, "
            f"coalesce(g.{rate}, 0) < $min_cases as small, coalesce(g.{fast}, 0) < $min_cases as fast_small "
            f"from ({keys_sql}) k left join g using (key) join ({names_sql}) n using (key) "
            f'order by small, g."mediation.success_rate" desc nulls last, g."mediation.total" desc nulls last, '
            f"k.key")


def _rollup_where(filters: Filters, scope: Scope, category: str | None, params: dict) -> str | None:
    """The view's conditions on the daily rollup, which has no dispute type: None when one is chosen."""
    return None if category else where_sql(SOURCE.rollup, filters, scope, params)


def by_unit(filters: Filters, scope: Scope, category: str | None = None,
            min_cases: int = MIN_CASES) -> pd.DataFrame:
    """The units one level below the filter's unit (each with its subtree): key, name, RATE_COLUMNS
    with their n, `#hits`, and `small` / `fast_small` (too few cases to rank); ranked first, best first."""
    children = reference.drill_children(filters.unit, scope)
    if not children:
        return pd.DataFrame(columns=["key", "name", "small", "fast_small"])
    params: dict = {"group_units": children, "min_cases": min_cases}
    under = " and uc.ancestor_code in (select unnest($group_units))"
    rollup = _rollup_where(filters, scope, category, params)
    groups = _groups("uc.ancestor_code", f"join unit_closure uc on uc.unit_code = {SOURCE.unit_expr}",
                     _where(filters, scope, category, params) + under, rollup and rollup + under)
    return db.frame(_group_sql(groups, "select unnest($group_units) as key",
                               "select unit_code as key, unit_name as name from units"), params)


def by_area(filters: Filters, scope: Scope, category: str | None = None,
            min_cases: int = MIN_CASES) -> pd.DataFrame:
    """Scenic areas the scope may see that have mediations in the view: the same columns as `by_unit`."""
    params: dict = {"min_cases": min_cases, "area_scope": scope.unit}
    in_area = " and r.area_code is not null"
    rollup = _rollup_where(filters, scope, category, params)
    groups = _groups("r.area_code", "", _where(filters, scope, category, params) + in_area,
                     rollup and rollup + in_area)
    visible = ("select area_code as key, area_name as name from scenic_areas where $area_scope is null "
               "or unit_code in (select unit_code from unit_closure where ancestor_code = $area_scope)")
    return db.frame(_group_sql(groups, "select key from g", visible), params)


def close_time(filters: Filters, scope: Scope, category: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Time to close: a frame of bins (bin index 0..len(CLOSE_BIN_EDGES), count, every bin present)
    and a dict of closed, still_open, median_hours, p90_hours."""
    params: dict = {}
    where = _where(filters, scope, category, params)
    cases = " ".join(f"when {HOURS} < {edge} then {i}" for i, edge in enumerate(CLOSE_BIN_EDGES))
    bins = db.frame(
        f"with c as (select case {cases} else {len(CLOSE_BIN_EDGES)} end as bin, count(*) as count "
        f"from {SOURCE.from_sql} where {where} and r.closed_at is not null group by 1) "
        f"select b.range::int as bin, coalesce(c.count, 0) as count "
        f"from range(0, {len(CLOSE_BIN_EDGES) + 1}) b left join c on c.bin = b.range order by 1", params)
    # One quantile aggregate for both: the hours are sorted once.
    stats = db.rows(
        f"select closed, still_open, hours[1], hours[2] from (select count(r.closed_at) as closed, "
        f"count(*) filter (where r.closed_at is null) as still_open, quantile_cont({HOURS}, [0.5, 0.9]) as hours "
        f"from {SOURCE.from_sql} where {where})", params)[0]
    return bins, dict(zip(("closed", "still_open", "median_hours", "p90_hours"), stats))


def compensation_by_type(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """dispute_type, total_yuan (sum, null = 0), cases, paid (cases with an amount > 0) and the
    quartiles, P90, min and max of the amount over paid cases; types with no cases left out."""
    params: dict = {"types": list(DISPUTE_TYPES)}
    where = _where(filters, scope, category, params)
    paid = "r.compensation_yuan > 0"
    amount = "r.compensation_yuan::double"
    # One quantile aggregate for the four: each type's amounts are sorted once.
    sql = (f"select dispute_type, total_yuan, cases, paid, min_yuan, q[1] as q1_yuan, q[2] as median_yuan, "
           f"q[3] as q3_yuan, q[4] as p90_yuan, max_yuan from ("
           f"select r.dispute_type, coalesce(sum(r.compensation_yuan), 0)::double as total_yuan, "
           f"count(*) as cases, count(*) filter (where {paid}) as paid, "
           f"min({amount}) filter (where {paid}) as min_yuan, "
           f"quantile_cont({amount}, [0.25, 0.5, 0.75, 0.9]) filter (where {paid}) as q, "
           f"max({amount}) filter (where {paid}) as max_yuan "
           f"from {SOURCE.from_sql} where {where} group by 1) order by list_position($types, dispute_type)")
    return db.frame(sql, params)


def trend_span(filters: Filters, weeks: int = 12) -> Filters:
    """Whole weeks from Monday covering the period, at least the last `weeks` (a month is too short a trend)."""
    start = week_start(min(filters.start, filters.end - dt.timedelta(days=7 * weeks - 1)))
    return Filters(start, filters.end, filters.unit, filters.area, filters.season)


def weekly_trend(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """key (week start), mediation.total, mediation.success_rate and its n, over `trend_span`."""
    return weekly(trend_span(filters), scope, ["mediation.total", "mediation.success_rate"], category)


def records(filters: Filters, scope: Scope, category: str | None = None,
            limit: int = RECORD_LIMIT) -> tuple[pd.DataFrame, int]:
    """The most recent `limit` mediations of the view, newest first, and how many there are in all."""
    params: dict = {}
    where = _where(filters, scope, category, params)
    counted: dict = {}
    rollup = _rollup_where(filters, scope, category, counted)
    count_sql = (f"select count(*) from {SOURCE.from_sql} where {where}" if rollup is None else
                 f"select {BY_ID['mediation.total'].rollup_expr} from {SOURCE.rollup.from_sql} where {rollup}")
    total = int(db.rows(count_sql, params if rollup is None else counted)[0][0])
    params["limit"] = limit
    # The newest rows first, then only they are joined to their names and formatted.
    df = db.frame(
        f"with newest as (select r.* from {SOURCE.from_sql} where {where} "
        f"order by r.opened_at desc, r.mediation_id limit $limit) "
        f"select r.mediation_id, strftime(r.opened_at, '%Y-%m-%d %H:%M') as opened_at, "
        f"coalesce(u.unit_name, r.unit_code) as unit_name, coalesce(a.area_name, r.area_code) as area_name, "
        f"r.dispute_type, r.result, round({HOURS}, 1) as hours_to_close, "
        f"r.compensation_yuan::double as compensation_yuan, r.fast_track "
        f"from newest r left join units u on u.unit_code = r.unit_code "
        f"left join scenic_areas a on a.area_code = r.area_code order by r.opened_at desc, r.mediation_id", params)
    return df, total
