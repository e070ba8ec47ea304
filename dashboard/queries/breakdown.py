"""Catalog metrics broken down by time bucket, child unit or scenic area.

The same metric expressions as `metrics.compute`, grouped: by `week`
(Monday-based), `month` or `day` of their date column (stock metrics are
read at each bucket's last day), by `unit` (the given units, each with its
whole subtree), or by `area`. Rates come with their n and survey rates with
Wilson intervals, so a chart or table never shows a rate without its base.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.queries import db
from dashboard.queries.catalog import BY_ID, SOURCES, Metric, Ratio
from dashboard.queries.filters import Filters, Scope, where_sql
from dashboard.queries.metrics import wilson

GRAINS = ("day", "week", "month")


def bucket_start(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def buckets(filters: Filters, grain: str) -> list[dt.date]:
    out, day = [], bucket_start(filters.start, grain)
    while day <= filters.end:
        out.append(day)
        if grain == "month":
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            day += dt.timedelta(days=7 if grain == "week" else 1)
    return out


def _selects(metrics: list[Metric]) -> str:
    parts = []
    for m in metrics:
        parts.append(f'{m.expr} as "{m.id}"')
        if m.n_expr:
            parts.append(f'{m.n_expr} as "{m.id}#n"')
    return ", ".join(parts)


def _source_frame(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope,
                  by: str, group_units: list[str] | None, rest_key: str | None = None) -> pd.DataFrame:
    source = SOURCES[source_name]
    params: dict = {}
    selects = _selects(metrics)
    if by in GRAINS and source.is_stock:
        params["ends"] = [min(b_end, filters.end) for b_end in _bucket_ends(filters, by)]
        params["starts"] = buckets(filters, by)
        stock_filters = Filters(filters.start, filters.end, None, filters.area, None)
        where = where_sql(source, stock_filters, scope, params).replace("$end", "b.bucket_end")
        params.pop("end", None)
        unit_cond = ""
        if filters.unit:
            unit_cond = f" and {source.unit_expr} in (select unit_code from unit_closure where ancestor_code = $unit)"
            params["unit"] = filters.unit
        sql = (f"select b.bucket as key, {selects} "
               f"from (select unnest($starts) as bucket, unnest($ends) as bucket_end) b "
               f"left join {source.from_sql} on {where}{unit_cond} group by 1 order by 1")
        # count(*) over a left join counts the empty bucket's null row: count a column instead.
        sql = sql.replace("count(*)", f"count({source.start_expr})")
        return db.frame(sql, params)
    where = where_sql(source, filters, scope, params)
    if by in GRAINS:
        key = f"cast(date_trunc('{by}', {source.date_expr}) as date)"
        sql = f"select {key} as key, {selects} from {source.from_sql} where {where} group by 1 order by 1"
    elif by == "unit":
        params["group_units"] = group_units or []
        if rest_key is None:
            sql = (f"select uc.ancestor_code as key, {selects} from {source.from_sql} "
                   f"join unit_closure uc on uc.unit_code = {source.unit_expr} "
                   f"where {where} and uc.ancestor_code in (select unnest($group_units)) group by 1")
        else:  # records in no compared unit (the parent's own, or with no unit) under rest_key
            params["rest_key"] = rest_key
            sql = (f"select coalesce(uc.ancestor_code, $rest_key) as key, {selects} from {source.from_sql} "
                   f"left join unit_closure uc on uc.unit_code = {source.unit_expr} "
                   f"and uc.ancestor_code in (select unnest($group_units)) where {where} group by 1")
    elif by == "area":
        if not source.area_expr:
            return pd.DataFrame(columns=["key"])
        sql = (f"select {source.area_expr} as key, {selects} from {source.from_sql} "
               f"where {where} and {source.area_expr} is not null group by 1")
    else:
        raise ValueError(by)
    return db.frame(sql, params)


def _bucket_ends(filters: Filters, grain: str) -> list[dt.date]:
    starts = buckets(filters, grain)
    return [s - dt.timedelta(days=1) for s in starts[1:]] + [filters.end]


def metric_frame(metric_ids: list[str], filters: Filters, scope: Scope, by: str,
                 group_units: list[str] | None = None, rest_key: str | None = None) -> pd.DataFrame:
    """One row per bucket / unit / area: `key`, each metric, `<id>#n`, and `<id>#low/#high`.

    By unit, each of `group_units` counts its whole subtree; with `rest_key`,
    the records in none of them get a row of their own under that key.
    """
    wanted = [BY_ID[i] for i in metric_ids]
    needed: dict[str, Metric] = {}
    for m in wanted:
        parts = [BY_ID[m.numerator], BY_ID[m.denominator]] if isinstance(m, Ratio) else [m]
        for p in parts:
            needed.setdefault(p.id, p)
    by_source: dict[str, list[Metric]] = {}
    for m in needed.values():
        by_source.setdefault(m.source, []).append(m)
    if by in GRAINS:
        keys = pd.DataFrame({"key": pd.to_datetime(buckets(filters, by))})
    elif by == "unit":
        keys = pd.DataFrame({"key": list(group_units or []) + ([rest_key] if rest_key else [])}, dtype=object)
    else:
        keys = None
    out = keys
    for source_name, metrics in by_source.items():
        part = _source_frame(source_name, metrics, filters, scope, by, group_units, rest_key)
        if by in GRAINS:
            part["key"] = pd.to_datetime(part["key"])
        out = part if out is None else out.merge(part, on="key", how="left" if keys is not None else "outer")
    for m in needed.values():
        if m.id in out and not m.is_rate and m.fmt in ("count", "yuan"):
            out[m.id] = pd.to_numeric(out[m.id]).fillna(0)
    for m in wanted:
        if isinstance(m, Ratio):
            den = pd.to_numeric(out[m.denominator]).astype(float)
            out[m.id] = (pd.to_numeric(out[m.numerator]).astype(float) * m.factor / den.where(den > 0))
            out[f"{m.id}#n"] = den
        elif m.wilson:
            bounds = [wilson(v if pd.notna(v) else None, int(n) if pd.notna(n) else None)
                      for v, n in zip(out[m.id], out[f"{m.id}#n"])]
            out[f"{m.id}#low"] = [b[0] for b in bounds]
            out[f"{m.id}#high"] = [b[1] for b in bounds]
    return out.reset_index(drop=True)
