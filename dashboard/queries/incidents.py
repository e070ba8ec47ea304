"""Queries behind the Incidents page (警情处置): headline figures, breakdowns, records.

Every function takes the filters and scope, plus an optional incident
`category` (the page's own drill). Without a category the headline figures
come straight from the metrics catalog (`metric_values`, `metric_frame`,
`kpi_figures`). With one, the catalog has no hook for an extra record
condition yet, so `category_values` / `category_frame` run the catalog's own
metric expressions (`Metric.expr`, `n_expr`, the same `where_sql`) over the
incidents of that category: the definitions stay the catalog's, only the
rows are narrowed. Visitor counts are never narrowed by category.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from dashboard.model.catalog import (BY_ID, ENFORCEMENT, INCIDENT_MIX_ROLLUP, RESPONSE_MIN, SAME_DAY, SOURCES,
                                     Metric, Ratio)
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison, buckets, comparison_spans, week_start
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.privacy import mask_sql
from dashboard.queries import db, reference
from dashboard.queries.breakdown import left_join, metric_frame, with_coverage
from dashboard.queries.kpis import kpi_figures, metric_values, weekly_series
from dashboard.queries.metrics import aggregate_sql
from dashboard.queries.where import where_sql
from warehouse.marts import RESPONSE_BAND_COLUMNS, RESPONSE_BAND_SECONDS, RESPONSE_BANDS
from warehouse.record_types import INCIDENT_CATEGORIES, INCIDENT_SOURCES, NO_CASE

KPIS = ["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
        "incidents.response_median_min", "cases.administrative", "cases.criminal"]
ENFORCE = list(ENFORCEMENT)   # the enforce.* catalog metrics
CATEGORIES = INCIDENT_CATEGORIES
SOURCES_ORDER = INCIDENT_SOURCES
RESPONSE_BIN_MIN = 5          # histogram bin width, minutes
RESPONSE_CAP_MIN = 90         # responses from here on share the last bin ("≥ 90")
RECORD_LIMIT = 500
TREND_WEEKS = 12              # weekly charts show at least this many weeks


def _category_cond(category: str | None, params: dict) -> str:
    if not category:
        return ""
    params["category"] = category
    return " and r.category = $category"


def _where(filters: Filters, scope: Scope, category: str | None, params: dict) -> str:
    return where_sql(SOURCES["incidents"], filters, scope, params) + _category_cond(category, params)


# ---------------------------------------------------------------- catalog figures, narrowed by category

def _split(metric_ids: list[str]) -> tuple[list[Metric], list[Metric], list[Ratio]]:
    """Incident metrics (narrowed), other metrics (not narrowed), ratios of them."""
    wanted = [BY_ID[i] for i in metric_ids]
    ratios = [m for m in wanted if isinstance(m, Ratio)]
    needed: dict[str, Metric] = {m.id: m for m in wanted if isinstance(m, Metric)}
    for r in ratios:
        for part in (r.numerator, r.denominator):
            needed.setdefault(part, BY_ID[part])
    incident = [m for m in needed.values() if m.source == "incidents"]
    other = [m for m in needed.values() if m.source != "incidents"]
    return incident, other, ratios


def category_values(filters: Filters, scope: Scope, metric_ids: list[str],
                    category: str | None = None) -> dict[str, MetricValue]:
    """Catalog metric values; with a category, incident metrics count only that category."""
    if not category:
        return metric_values(filters, scope, metric_ids)
    incident, other, _ = _split(metric_ids)
    found: dict[str, MetricValue] = {}
    if incident:
        params: dict = {}
        sql = aggregate_sql("incidents", incident, filters, scope, params,
                            keyed=lambda src: ([], "", _category_cond(category, params)), rollup=False)
        row = db.frame(sql, params)
        for m in incident:
            n = _scalar(row[f"{m.id}#n"].iloc[0]) if m.n_expr else None
            found[m.id] = MetricValue(_scalar(row[m.id].iloc[0]), n)
    if other:
        found.update(metric_values(filters, scope, [m.id for m in other]))
    out: dict[str, MetricValue] = {}
    for mid in metric_ids:
        m = BY_ID[mid]
        if isinstance(m, Ratio):
            num, den = found[m.numerator].value, found[m.denominator].value
            out[mid] = MetricValue(None if not den else num * m.factor / den, n=den)
        else:
            out[mid] = found[mid]
    return out


def _scalar(v):
    """A plain Python number (or None) from what a DataFrame cell holds."""
    if v is None or pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


def category_frame(metric_ids: list[str], filters: Filters, scope: Scope, by: str,
                   category: str | None = None, group_units: list[str] | None = None) -> pd.DataFrame:
    """`metric_frame` (same columns), with incident metrics narrowed to a category when given."""
    if not category:
        return metric_frame(metric_ids, filters, scope, by, group_units)
    incident, other, ratios = _split(metric_ids)
    params: dict = {}
    where = _where(filters, scope, category, params)
    selects = ", ".join(
        f'{m.expr} as "{m.id}"' + (f', {m.n_expr} as "{m.id}#n"' if m.n_expr else "") for m in incident)
    if by in ("day", "week", "month"):
        key = f"cast(date_trunc('{by}', r.received_at) as date)"
        sql = f"select {key} as key, {selects} from incidents r where {where} group by 1"
        keys = pd.DataFrame({"key": pd.to_datetime(buckets(filters, by))})
    elif by == "area":
        sql = (f"select r.area_code as key, {selects} from incidents r "
               f"where {where} and r.area_code is not null group by 1")
        keys = None
    elif by == "unit":
        params["group_units"] = group_units or []
        sql = (f"select uc.ancestor_code as key, {selects} from incidents r "
               f"join unit_closure uc on uc.unit_code = r.unit_code "
               f"where {where} and uc.ancestor_code in (select unnest($group_units)) group by 1")
        keys = pd.DataFrame({"key": list(group_units or [])}, dtype=object)
    else:
        raise ValueError(by)
    part = db.frame(sql, params)
    if by in ("day", "week", "month"):
        part["key"] = pd.to_datetime(part["key"])
    out = part if keys is None else keys.merge(part, on="key", how="left")
    if other:
        rest = metric_frame([m.id for m in other], filters, scope, by, group_units)
        out = out.merge(rest, on="key", how="left")
    for m in incident + other:
        if m.id in out and not m.is_rate and m.fmt in ("count", "yuan"):
            out[m.id] = pd.to_numeric(out[m.id]).fillna(0)
    for r in ratios:
        den = pd.to_numeric(out[r.denominator]).astype(float)
        out[r.id] = pd.to_numeric(out[r.numerator]).astype(float) * r.factor / den.where(den > 0)
        out[f"{r.id}#n"] = den
    if by in ("day", "week", "month"):
        out = with_coverage(out, filters, by)
    return out.reset_index(drop=True)


def kpis(filters: Filters, against: Comparison, scope: Scope, category: str | None = None) -> dict[str, KpiFigures]:
    """The six headline cards: now, the period before, last year, 12 weeks of history."""
    if not category:
        return kpi_figures(filters, against, scope, KPIS)
    f, prev, last, weeks = comparison_spans(filters, against)
    now_v = category_values(f, scope, KPIS, category)
    prev_v = category_values(prev, scope, KPIS, category)
    last_v = category_values(last, scope, KPIS, category)
    weekly = category_frame(KPIS, weeks, scope, "week", category)
    return {mid: KpiFigures(now_v[mid], prev_v[mid], last_v[mid], weekly_series(weekly, mid)) for mid in KPIS}


# ---------------------------------------------------------------- breakdowns

def _breakdown_counts(filters: Filters, scope: Scope, category: str | None) -> list[tuple]:
    """The counts behind the three breakdown charts and the no-area note, in one scan: rows of
    (by_category, by_source, category, source, area_code, all, narrowed, wide).

    GROUPING SETS over category, source and area: `all` counts the view unnarrowed by
    the category drill (the category chart), `narrowed` counts it narrowed (sources,
    and the area set's null row: incidents without an area), `wide` lifts the area
    filter but keeps the category (the area chart compares areas side by side).
    A few dozen rows, shaped as plain rows: pandas' per-operation cost was most of the
    charts' time.
    """
    wide = Filters(filters.start, filters.end, filters.unit, None, filters.season)
    params: dict = {}
    # Read from the incidents counted by day, unit, area, category and source.
    where = where_sql(INCIDENT_MIX_ROLLUP, wide, scope, params)
    in_area = None
    if filters.area:
        in_area = "r.area_code = $area"
        params["area"] = filters.area
    in_category = _category_cond(category, params).removeprefix(" and ") or None

    def count(*conds):
        conds = [c for c in conds if c]
        counted = f"sum(r.incidents) filter (where {' and '.join(conds)})" if conds else "sum(r.incidents)"
        return f"coalesce({counted}, 0)::bigint"

    return db.rows(f"""
        select grouping(r.category) = 0 as by_category, grouping(r.source) = 0 as by_source,
               r.category, r.source, r.area_code,
               {count(in_area)} as "all", {count(in_area, in_category)} as narrowed,
               {count(in_category)} as wide
        from {INCIDENT_MIX_ROLLUP.from_sql} where {where}
        group by grouping sets ((r.category), (r.source), (r.area_code))
    """, params)


def _counts_frame(name: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([r[0] for r in rows], dtype="str"),
                         "incidents": np.array([r[1] for r in rows], dtype="int64")})


def by_category(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """category, incidents: every category with incidents (the category chart is the selector,
    so it is never narrowed by the category drill itself); most first, then by name (a missing one last)."""
    found = [(cat, n) for by_cat, _, cat, _, _, n, _, _ in _breakdown_counts(filters, scope, category)
             if by_cat and n > 0]
    return _counts_frame("category", sorted(found, key=lambda r: (-r[1], r[0] is None, r[0] or "")))


def by_source(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """source (NULL when not recorded), incidents: most incidents first, the unrecorded last."""
    found = [(source, n) for _, by_src, _, source, _, _, n, _ in _breakdown_counts(filters, scope, category)
             if by_src and n > 0]
    position = {name: i for i, name in enumerate(SOURCES_ORDER)}
    return _counts_frame("source", sorted(found, key=lambda r: (r[0] is None, -r[1], position.get(r[0], 99))))


def _area_rows(filters: Filters, scope: Scope, category: str | None) -> list[tuple]:
    """(area_code, narrowed, wide) of the area set."""
    return [(area, narrowed, wide) for by_cat, by_src, _, _, area, _, narrowed, wide
            in _breakdown_counts(filters, scope, category) if not by_cat and not by_src]


def by_area(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """key (area code), name, incidents.total, incidents.per_10k_visitors (#n = visitors).

    The scenic-area filter is lifted: this chart is where an area is chosen, so it
    shows the areas side by side and the page highlights the chosen one.
    """
    wide = Filters(filters.start, filters.end, filters.unit, None, filters.season)
    areas = [(area, n) for area, _, n in _area_rows(filters, scope, category) if area is not None and n > 0]
    counted = pd.DataFrame({"key": pd.Series([a for a, _ in areas], dtype="str"),
                            "incidents.total": np.array([n for _, n in areas], dtype="int64")})
    visitors = metric_frame(["visitors.total"], wide, scope, "area")
    names = reference.area_names(scope)
    ratio = BY_ID["incidents.per_10k_visitors"]
    df = left_join(counted, visitors, ["key"]) if len(visitors.columns) > 1 else counted
    if df.empty:
        return pd.DataFrame(columns=["key", "name", "incidents.total", "incidents.per_10k_visitors",
                                     "incidents.per_10k_visitors#n"])
    df[ratio.denominator] = pd.to_numeric(df.get(ratio.denominator, pd.Series(0, index=df.index))).fillna(0)
    den = df[ratio.denominator].astype(float)
    df[ratio.id] = df["incidents.total"].astype(float) * ratio.factor / den.where(den > 0)
    df[f"{ratio.id}#n"] = den
    df = df[df["key"].isin(names.keys())].sort_values("key").copy()
    df["name"] = df["key"].map(names)
    return df.sort_values(["incidents.per_10k_visitors", "incidents.total"], ascending=False,
                          na_position="last").reset_index(drop=True)


def without_area(filters: Filters, scope: Scope, category: str | None = None) -> int:
    """Incidents with no scenic area recorded: not on the area chart, said beside it."""
    return int(sum(narrowed for area, narrowed, _ in _area_rows(filters, scope, category) if area is None))


def hour_weekday(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """weekday (1 = Monday … 7), hour (0–23), incidents: only the cells that have any."""
    params: dict = {}
    where = _where(filters, scope, category, params)
    return db.frame(f"""
        select isodow(r.received_at) as weekday, hour(r.received_at) as hour, count(*) as incidents
        from incidents r where {where}
        group by 1, 2 order by 1, 2
    """, params)


def response_seconds(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """seconds (received to arrived, whole seconds), incidents: the exact distribution of response
    times, ascending. A few thousand rows stand for millions of incidents, so the histogram, the
    median and the P90 all come from this one grouped scan instead of a scan (and a sort) each."""
    params: dict = {}
    where = _where(filters, scope, category, params)
    # The response mart holds each incident's seconds and the columns `_where` names.
    return db.frame(f"""
        select r.response_s as seconds, count(*) as incidents
        from {SOURCES["incidents"].medians.from_sql} where {where}
        group by 1 order by 1
    """, params)


STATS_QUANTILES = (0.5, 0.9)


@db.kept_whole   # the histogram and the stats each ask for it
def _response_distribution(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """`response_seconds` as exact as the histogram and the quantiles read it. Without a category it
    comes from the banded marts (`warehouse.marts`): each whole minute's count, a few rows a day,
    stands as one row at its first second, and only the minutes holding a quantile's order
    statistics, and the last band (an hour or more, which the histogram's bins split), are read
    second by second. Below an hour a minute lies in one bin, and responses are never negative
    (arrival is checked not before receipt), so the histogram and the quantiles come out as from
    every second; a year at 10M reads a few hundred thousand rows instead of five million."""
    source = SOURCES["incidents"]
    if category or source.median_bands is None or source.median_values is None:
        return response_seconds(filters, scope, category)
    bands, values = source.median_bands, source.median_values
    params: dict = {}
    where = where_sql(bands, filters, scope, params)
    counts = [int(c) for c in db.rows(
        "select " + ", ".join(f"coalesce(sum(r.{c}), 0)::bigint" for c in RESPONSE_BAND_COLUMNS)
        + f" from {bands.from_sql} where {where}", params)[0]]
    n = sum(counts)
    if not n:
        return pd.DataFrame({"seconds": pd.Series(dtype="int64"), "incidents": pd.Series(dtype="int64")})
    upto = np.cumsum(counts)
    ranks = {r for q in STATS_QUANTILES for r in _ranks(n, q)[:2]}
    read = sorted({int(np.searchsorted(upto, r, side="right")) for r in ranks} | {RESPONSE_BANDS - 1})
    params = {}
    where = where_sql(values, filters, scope, params)
    exact = db.frame(f"""
        select r.response_s as seconds, sum(r.responses)::bigint as incidents
        from {values.from_sql} where r.band in ({", ".join(str(b) for b in read)}) and {where}
        group by 1
    """, params)
    whole = [k for k, c in enumerate(counts) if c and k not in read]
    banded = pd.DataFrame({"seconds": [k * RESPONSE_BAND_SECONDS for k in whole],
                           "incidents": [counts[k] for k in whole]})
    out = pd.concat([banded.astype("int64"), exact.astype("int64")], ignore_index=True)
    return out.sort_values("seconds", kind="stable").reset_index(drop=True)


def _ranks(n: int, q: float) -> tuple[int, int, float]:
    """The order statistics (0-based) quantile_cont interpolates between at q, and the fraction."""
    rn = float(n - 1) * q
    return math.floor(rn), math.ceil(rn), rn - math.floor(rn)


def _quantiles_cont(seconds: pd.DataFrame, qs: tuple[float, ...]) -> list[float | None]:
    """quantile_cont(RESPONSE_MIN, q) for each q, to the bit, from `response_seconds`.

    DuckDB's quantile_cont takes the order statistics at floor and ceil of (n - 1)·q and
    interpolates by the fraction d between them. The statistics are read off the
    distribution here (RESPONSE_MIN is seconds / 60.0); the interpolation is left to
    DuckDB's own quantile_cont over just those two values at q = d, which is the same
    arithmetic on the same numbers (every q in one statement).
    """
    n = int(seconds["incidents"].sum()) if len(seconds) else 0
    if not n:
        return [None for _ in qs]
    upto = seconds["incidents"].astype("int64").cumsum().to_numpy()
    values = seconds["seconds"].astype("int64").to_numpy()

    def at(rank: int) -> float:
        return float(values[int(np.searchsorted(upto, rank, side="right"))]) / 60.0

    out: list[float | None] = []
    between, params = [], {}
    for i, q in enumerate(qs):
        low, high, d = _ranks(n, q)
        out.append(at(low))
        if low != high:
            params.update({f"lo{i}": at(low), f"hi{i}": at(high), f"d{i}": d})
            between.append(i)
    if between:
        row = db.rows("select " + ", ".join(
            f"(select quantile_cont(x, $d{i}::double) from (values ($lo{i}::double), ($hi{i}::double)) t(x))"
            for i in between), params)[0]
        for i, value in zip(between, row):
            out[i] = value
    return out


def response_histogram(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """bin_min (lower edge), incidents: response minutes in bins of RESPONSE_BIN_MIN;
    the last bin (lower edge RESPONSE_CAP_MIN) holds everything from the cap on."""
    seconds = _response_distribution(filters, scope, category)
    minutes = seconds["seconds"].astype("int64") / 60.0          # RESPONSE_MIN, as DuckDB computes it
    bins = np.minimum(np.floor(minutes / RESPONSE_BIN_MIN) * RESPONSE_BIN_MIN, RESPONSE_CAP_MIN)
    out = (pd.DataFrame({"bin_min": bins.astype("int32"), "incidents": seconds["incidents"].astype("int64")})
           .groupby("bin_min", as_index=False)["incidents"].sum())
    return out.sort_values("bin_min").reset_index(drop=True)


def response_stats(filters: Filters, scope: Scope, category: str | None = None) -> dict:
    """median (the catalog's incidents.response_median_min, which is quantile_cont at 0.5),
    p90 and n, in minutes."""
    seconds = _response_distribution(filters, scope, category)
    median, p90 = _quantiles_cont(seconds, STATS_QUANTILES)
    return {"median": median, "p90": p90, "n": int(seconds["incidents"].sum()) if len(seconds) else 0}


def trend_span(filters: Filters, weeks: int = TREND_WEEKS) -> Filters:
    """Whole weeks covering the period, and at least `weeks` of them up to its end."""
    start = min(week_start(filters.start), week_start(filters.end) - dt.timedelta(days=7 * (weeks - 1)))
    return Filters(start, filters.end, filters.unit, filters.area, filters.season)


@db.kept_whole   # the same-day and the cases charts each ask for it
def weekly(filters: Filters, scope: Scope, category: str | None = None) -> pd.DataFrame:
    """key (week start): same-day closure rate with its n, administrative and criminal cases."""
    return category_frame(["incidents.same_day_rate", "cases.administrative", "cases.criminal"],
                          trend_span(filters), scope, "week", category)


def enforcement_total(filters: Filters, scope: Scope) -> dict[str, int]:
    """The enforce.* catalog figures for the whole filter (no category applies to them)."""
    values = metric_values(filters, scope, ENFORCE)
    return {m: int(values[m].value or 0) for m in ENFORCE}


def enforcement_by_unit(filters: Filters, scope: Scope) -> pd.DataFrame:
    """key (unit code), name, one column per enforce.* metric: the units one level down
    (or the chosen unit itself when it has none)."""
    units = reference.drill_children(filters.unit, scope) or ([filters.unit] if filters.unit else [])
    if not units:
        return pd.DataFrame(columns=["key", "name", *ENFORCE])
    df = metric_frame(ENFORCE, filters, scope, "unit", group_units=units)
    df["name"] = df["key"].map(reference.unit_names(scope))
    return df[["key", "name", *ENFORCE]]


def records(filters: Filters, scope: Scope, category: str | None = None,
            limit: int = RECORD_LIMIT) -> pd.DataFrame:
    """The most recent incidents behind the figures, summary masked, no personal data."""
    params: dict = {"limit": limit}
    where = _where(filters, scope, category, params)
    # The newest rows' keys first (two narrow columns sort far faster than whole rows),
    # then those rows only are read whole, named and masked.
    return db.frame(f"""
        with keys as (
            select r.incident_id, r.received_at from incidents r where {where}
            order by r.received_at desc, r.incident_id desc limit $limit
        ), recent as (
            select * from incidents r semi join keys k on k.incident_id = r.incident_id
            where r.received_at >= (select min(received_at) from keys) and {where}
        )
        select r.incident_id,
               strftime(r.received_at, '%Y-%m-%d %H:%M') as received_at,
               u.unit_name, a.area_name, r.category, r.source,
               round({RESPONSE_MIN}, 1) as response_min,
               ({SAME_DAY}) as same_day,
               coalesce(r.case_type, '{NO_CASE}') as case_type,
               {mask_sql("r.summary")} as summary
        from recent r
        left join units u on u.unit_code = r.unit_code
        left join scenic_areas a on a.area_code = r.area_code
        order by r.received_at desc, r.incident_id desc
    """, params)


def known_areas(scope: Scope) -> set[str]:
    return set(reference.areas(scope).area_code)


def known_units(scope: Scope) -> set[str]:
    return set(reference.units(scope).unit_code)
