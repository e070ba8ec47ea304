"""Queries behind the Staffing page: police by unit and type, posts, teams, deployments.

Stock figures (officers, posts, teams) are read on the period's last day and
flow figures (deployments) by their start date, through the same `where_sql`
as the metrics catalog; per-unit and per-area figures come from
`metric_frame`, so a table's total is the catalog's figure for the view.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.model.catalog import BY_ID, SOURCES
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import buckets
from dashboard.queries import db, reference
from dashboard.queries.breakdown import left_join, metric_frame, with_coverage
from dashboard.queries.kpis import metric_values
from dashboard.queries.where import where_sql

# The headline cards (one row of six), and the figures shown beside them on one line.
KPI_METRICS = ["staff.tourism_police", "staff.auxiliary", "posts.police_rooms_standardized",
               "posts.service_points", "deploy.person_times", "deploy.dynamic"]
MORE_METRICS = ["staff.fulltime", "staff.parttime", "posts.police_rooms", "teams.volunteer",
                "teams.prevention", "deploy.security_events"]
UNIT_METRICS = ["staff.fulltime", "staff.parttime", "staff.auxiliary", "posts.police_rooms_standardized",
                "posts.police_rooms", "posts.service_points", "teams.volunteer", "teams.prevention",
                "deploy.person_times"]
OFFICER_TYPES = ["staff.fulltime", "staff.parttime", "staff.auxiliary"]
TIME_GRAINS = ("week", "month")
SELF_KEY = "__self__"
TOTAL_KEY = "__total__"


def default_grain(filters: Filters) -> str:
    return "week" if filters.days <= 120 else "month"


def unit_table(filters: Filters, scope: Scope) -> tuple[list[dict], dict]:
    """Rows per drill child (its whole subtree), a row for the node's own staff, and the total.

    Each row: key, name, kind ('unit' | 'self' | 'total'), the UNIT_METRICS and `staff.officers`.
    The total is the catalog's figure for the view; the own-staff row is what the children
    do not hold (records of the node itself and of the single-child levels skipped above them).
    """
    total_values = metric_values(filters, scope, UNIT_METRICS)
    total = {"key": TOTAL_KEY, "kind": "total", **{m: total_values[m].value or 0 for m in UNIT_METRICS}}
    children = reference.drill_children(filters.unit, scope)
    rows: list[dict] = []
    if children:
        df = metric_frame(UNIT_METRICS, filters, scope, "unit", group_units=children)
        names = reference.unit_names(scope)
        for rec in df.to_dict("records"):
            if filters.area and not any(rec[m] for m in UNIT_METRICS):
                continue  # a unit with nothing for this scenic area
            rows.append({"key": rec["key"], "name": names.get(rec["key"], rec["key"]), "kind": "unit",
                         **{m: int(rec[m]) for m in UNIT_METRICS}})
    own = {m: total[m] - sum(r[m] for r in rows) for m in UNIT_METRICS}  # skipped rows hold zeros
    if not children or any(own.values()):
        parents = reference.units(scope).set_index("unit_code").parent_code
        node = parents.get(children[0]) if children else filters.unit
        name = reference.unit_names(scope).get(node) if node else None
        rows.append({"key": SELF_KEY, "name": name, "kind": "self", **own})
    for rec in rows + [total]:
        rec["staff.officers"] = sum(rec[m] for m in OFFICER_TYPES)
    return rows, total


def deployments_by_time(filters: Filters, scope: Scope, grain: str) -> pd.DataFrame:
    """key (bucket start), season, deployments, person_times; one row per bucket and season."""
    if grain not in TIME_GRAINS:
        raise ValueError(grain)
    params: dict = {}
    where = where_sql(SOURCES["deployments"], filters, scope, params)
    df = db.frame(f"""
        select cast(date_trunc('{grain}', r.start_date) as date) as key, r.season,
               count(*) as deployments,
               sum(coalesce(r.police_count, 0) + coalesce(r.auxiliary_count, 0)) as person_times
        from deployments r where {where} group by all order by 1, 2
    """, params)
    df["key"] = pd.to_datetime(df["key"])
    return df


def deployments_by_mode(filters: Filters, scope: Scope) -> pd.DataFrame:
    """mode, season, deployments, person_times."""
    params: dict = {}
    where = where_sql(SOURCES["deployments"], filters, scope, params)
    return db.frame(f"""
        select r.mode, r.season, count(*) as deployments,
               sum(coalesce(r.police_count, 0) + coalesce(r.auxiliary_count, 0)) as person_times,
               sum(coalesce(r.police_count, 0)) as police, sum(coalesce(r.auxiliary_count, 0)) as auxiliary
        from deployments r where {where} group by all order by 1, 2
    """, params)


def person_times_trend(filters: Filters, scope: Scope, grain: str) -> pd.DataFrame:
    """key (bucket start), deploy.person_times, counted_from, counted_to, partial, police, auxiliary;
    every bucket of the period: `metric_frame`'s columns for the catalog figure, and its split.

    One scan grouped by bucket, shaped over the buckets in Python (a year has 53 weeks at most):
    what `metric_frame` and a merge with the split gave, for a fraction of their pandas work."""
    if grain not in TIME_GRAINS:
        raise ValueError(grain)
    params: dict = {}
    where = where_sql(SOURCES["deployments"], filters, scope, params)
    sums = {key: (total, police, auxiliary) for key, total, police, auxiliary in db.rows(f"""
        select cast(date_trunc('{grain}', r.start_date) as date) as key,
               {BY_ID["deploy.person_times"].expr} as person_times,
               sum(coalesce(r.police_count, 0)) as police, sum(coalesce(r.auxiliary_count, 0)) as auxiliary
        from deployments r where {where} group by 1
    """, params)}
    keys = buckets(filters, grain)
    cells = [sums.get(k, (0, 0, 0)) for k in keys]
    totals = [float(c[0]) for c in cells]
    # The catalog's count column is whole numbers when every value is (metric_frame's rule).
    df = pd.DataFrame({"key": pd.to_datetime(keys), "deploy.person_times": np.array(
        totals, dtype="int64" if all(v % 1 == 0 for v in totals) else "float64")})
    df = with_coverage(df, filters, grain)
    df["police"] = np.array([float(c[1]) for c in cells], dtype="float64")
    df["auxiliary"] = np.array([float(c[2]) for c in cells], dtype="float64")
    return df


def area_staffing(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per scenic area: officers of its responsible unit's subtree by type, visitors and the ratio.

    Columns: area_code, area_name, grade, unit_code, unit_name, staff.fulltime, staff.parttime,
    staff.auxiliary, officers, visitors, visitor_days, daily_visitors, per_10k_daily
    (officers per 10,000 visitors a day; null without visitors).
    """
    areas = reference.areas(scope, filters.unit)
    if filters.area:
        areas = areas[areas.area_code == filters.area]
    areas = areas[areas.unit_code.notna()]
    if areas.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "grade", "unit_code", "unit_name", *OFFICER_TYPES,
                                     "officers", "visitors", "visitor_days", "daily_visitors", "per_10k_daily"])
    units = sorted(set(areas.unit_code))
    staff = metric_frame(OFFICER_TYPES, filters, scope, "unit", group_units=units)
    params: dict = {}
    where = where_sql(SOURCES["visitors"], filters, scope, params)
    visits = db.frame(f"""
        select r.area_code, sum(r.visitors) as visitors, count(distinct r.visit_date) as visitor_days
        from {SOURCES["visitors"].from_sql} where {where} group by 1
    """, params)
    out = left_join(areas[["area_code", "area_name", "grade", "unit_code"]],
                    staff.rename(columns={"key": "unit_code"}), ["unit_code"])
    out = left_join(out, visits, ["area_code"])
    out["unit_name"] = out.unit_code.map(reference.unit_names(scope))
    out[OFFICER_TYPES] = out[OFFICER_TYPES].fillna(0).astype(int)
    out["officers"] = out[OFFICER_TYPES].sum(axis=1)
    out["visitors"] = pd.to_numeric(out["visitors"]).fillna(0)
    out["visitor_days"] = pd.to_numeric(out["visitor_days"]).fillna(0)
    out["daily_visitors"] = (out.visitors / out.visitor_days.where(out.visitor_days > 0)).astype(float)
    out["per_10k_daily"] = (out.officers * 10000 / out.daily_visitors.where(out.daily_visitors > 0)).astype(float)
    return out.sort_values(["per_10k_daily", "area_code"], na_position="last").reset_index(drop=True)


def post_list(filters: Filters, scope: Scope) -> list[dict]:
    """Posts in use on the last day, as grid rows: post_code, post_name, post_type, standardized,
    unit_name, area_code, area_name, opened_on (ISO text)."""
    params: dict = {}
    where = where_sql(SOURCES["posts"], filters, scope, params)
    df = db.frame(f"""
        select r.post_code, r.post_name, r.post_type, r.standardized, u.unit_name, r.area_code,
               a.area_name, strftime(r.opened_on, '%Y-%m-%d') as opened_on
        from posts r left join units u on u.unit_code = r.unit_code
        left join scenic_areas a on a.area_code = r.area_code
        where {where}
        order by r.post_type, r.standardized desc, r.post_code
    """, params)
    return _records(df)


def team_list(filters: Filters, scope: Scope) -> list[dict]:
    """Teams active on the last day, as grid rows: team_code, team_name, team_type, unit_name,
    members (None when not recorded), founded_on (ISO text)."""
    params: dict = {}
    where = where_sql(SOURCES["teams"], filters, scope, params)
    df = db.frame(f"""
        select r.team_code, r.team_name, r.team_type, u.unit_name, r.members,
               strftime(r.founded_on, '%Y-%m-%d') as founded_on
        from teams r left join units u on u.unit_code = r.unit_code
        where {where}
        order by r.team_type, r.members desc nulls last, r.team_code
    """, params)
    return _records(df)


def _records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: numbers as Python ints, missing values as None (column by column: `tolist`
    gives Python values, NaN or NA where one is missing)."""
    columns = list(df.columns)
    values = [[None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else v
               for v in df[c].tolist()] for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]
