"""Queries behind the map page (警力与人流地图): where the scenic areas, posts and incidents are, and
demand (incidents, visitors) against supply (police person-times from the deployments).

Coordinates are the contract's decimal degrees, WGS-84/CGCS2000, as loaded; a post or an incident
without coordinates is placed at its scenic area's point (`located` = 'area'), and one with neither
is counted apart (`located` = None). Everything goes through `where_sql`: the period, the unit and
area filters, the season and the user's scope, as every other figure.

Deployments (布警勤务) are recorded by day, not by hour: a deployment's person-times (民警人次 +
辅警人次, null = 0, as `deploy.person_times`) are spread evenly over its days, start and end
included, and a period, a season or a week takes the days it holds. Police on duty can therefore be
set against demand by day of the week; only incidents carry an hour.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from dashboard.model.catalog import SOURCES, Source
from dashboard.model.filters import Filters, Scope
from dashboard.queries import db, reference
from dashboard.queries.breakdown import left_join, metric_frame
from dashboard.queries.where import where_sql

# The figures an area can be coloured by (its size is its visitors or its incidents).
COLOR_METRICS = ("incidents.per_10k_visitors", "survey.satisfaction_rate", "incidents.same_day_rate")
SIZE_METRICS = ("visitors.total", "incidents.total")
AREA_METRICS = ["incidents.total", "visitors.total", *COLOR_METRICS]
CELL_DEG = 0.002                 # incidents are counted in cells of 0.002° (about 200 m) for the density
WEEKDAYS = tuple(range(1, 8))    # ISO: 1 Monday … 7 Sunday
HOURS = tuple(range(24))

# One row per day covered by the deployments of one unit and area over one span of days, carrying
# that day's share of their person-times. Deployments of the same unit, area, start and end share
# every day alike, so they are summed before their days are listed: the 10M demo's 85,000
# deployments are 342 such spans, 9,000 rows instead of 2.2 million.
DEPLOYMENT_DAYS = Source(
    "deployment_days",
    "(select d.unit_code, d.area_code, cast(g.day as date) as day, d.person_times "
    "from (select unit_code, area_code, start_date, end_date, "
    "sum(coalesce(police_count, 0) + coalesce(auxiliary_count, 0)) "
    "/ (date_diff('day', start_date, end_date) + 1) as person_times "
    "from deployments group by unit_code, area_code, start_date, end_date) d, "
    "generate_series(cast(d.start_date as timestamp), cast(d.end_date as timestamp), interval 1 day) g(day)) r",
    "r.unit_code", date_expr="r.day", area_expr="r.area_code")


def _areas(filters: Filters, scope: Scope) -> pd.DataFrame:
    areas = reference.areas(scope, filters.unit)
    if filters.area:
        areas = areas[areas.area_code == filters.area]
    return areas.reset_index(drop=True)


@db.kept_whole
def map_areas(filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per scenic area in view: area_code, area_name, grade, unit_code, lon, lat (float, NaN
    without coordinates) and the AREA_METRICS with their `#n` (counts 0 when nothing happened)."""
    areas = _areas(filters, scope)
    figures = metric_frame(AREA_METRICS, filters, scope, "area").rename(columns={"key": "area_code"})
    out = left_join(areas, figures, ["area_code"])
    for col in ("incidents.total", "visitors.total"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype("int64")
    for col in ("lon", "lat", *COLOR_METRICS):
        out[col] = pd.to_numeric(out[col]).astype(float)
    return out


@db.kept_whole
def map_posts(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The posts in use on the period's last day: post_code, post_name, post_type, standardized,
    unit_code, area_code, area_name, lon, lat (their own, else their area's) and located
    ('point' | 'area' | None)."""
    params: dict = {}
    where = where_sql(SOURCES["posts"], filters, scope, params)
    df = db.frame(f"""
        select r.post_code, r.post_name, r.post_type, r.standardized, r.unit_code, r.area_code, a.area_name,
               cast(coalesce(r.lon, a.lon) as double) as lon, cast(coalesce(r.lat, a.lat) as double) as lat,
               case when r.lon is not null then 'point' when a.lon is not null then 'area' end as located
        from posts r left join scenic_areas a on a.area_code = r.area_code
        where {where}
        order by r.post_code
    """, params)
    df["standardized"] = df["standardized"].astype(bool)
    return df


@db.kept_whole
def incident_cells(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The period's incidents counted by cell of CELL_DEG: lon, lat (the cell's centre), incidents,
    at_area (of them, placed at their scenic area's point for want of their own). One last row with
    lon and lat null counts the incidents with no place at all."""
    params: dict = {"cell": CELL_DEG}
    where = where_sql(SOURCES["incidents"], filters, scope, params)
    # Counted by area and own cell first (the area only matters for those lacking a coordinate, and
    # adds few groups), and only those few counts placed at their area's point: a lookup of the area
    # for each of millions of records cost as much as the counting.
    cell = "round(cast(r.lon as double) / $cell) as x, round(cast(r.lat as double) / $cell) as y"
    df = db.frame(f"""
        with counted as (
            select r.area_code, {cell}, count(*) as incidents
            from incidents r where {where} group by r.area_code, x, y
        ), placed as (
            select coalesce(c.x, round(cast(a.lon as double) / $cell)) as x,
                   coalesce(c.y, round(cast(a.lat as double) / $cell)) as y, c.x is null as at_area, c.incidents
            from counted c left join scenic_areas a on a.area_code = c.area_code
        )
        select x * $cell as lon, y * $cell as lat,
               sum(incidents)::bigint as incidents, coalesce(sum(incidents) filter (where at_area), 0)::bigint as at_area
        from placed group by x, y order by lon nulls last, lat
    """, params)
    df[["incidents", "at_area"]] = df[["incidents", "at_area"]].astype("int64")
    return df


def _weekdays_in(start, end, dow: int) -> int:
    """How many days from start to end (both included) fall on ISO weekday `dow`."""
    n = max((end - start).days + 1, 0)
    return n // 7 + int((dow - start.isoweekday()) % 7 < n % 7)


def by_weekday(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Demand and supply by day of the week (ISO 1 Monday … 7 Sunday), every weekday a row: days (how
    many of that weekday the period holds), incidents, visitors, person_times (deployments spread
    over their days)."""
    # The incidents by weekday are the hour-of-week counts summed: the records are read once.
    parts = [by_hour_of_week(filters, scope).groupby("dow")["incidents"].sum()]
    for source, value in ((SOURCES["visitors"], "sum(r.visitors)"), (DEPLOYMENT_DAYS, "sum(r.person_times)")):
        params: dict = {}
        where = where_sql(source, filters, scope, params)
        parts.append(db.frame(f"select isodow({source.date_expr}) as dow, {value} as v "
                              f"from {source.from_sql} where {where} group by 1", params).set_index("dow")["v"])
    out = pd.DataFrame({"dow": list(WEEKDAYS)})
    out["days"] = pd.Series([_weekdays_in(filters.start, filters.end, d) for d in WEEKDAYS], dtype="int64")
    for name, part in zip(("incidents", "visitors", "person_times"), parts):
        out[name] = out.dow.map(pd.to_numeric(part)).fillna(0).astype(float)
    out[["incidents", "visitors"]] = out[["incidents", "visitors"]].astype("int64")
    return out


def by_hour_of_week(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Incidents by day of the week and hour received: dow (1 Monday … 7 Sunday), hour (0–23),
    incidents; all 168 hours of the week."""
    params: dict = {}
    where = where_sql(SOURCES["incidents"], filters, scope, params)
    counts = db.frame(f"""
        select isodow(r.received_at) as dow, hour(r.received_at) as hour, count(*) as incidents
        from incidents r where {where} group by 1, 2
    """, params)
    grid = pd.MultiIndex.from_product([WEEKDAYS, HOURS], names=["dow", "hour"]).to_frame(index=False)
    out = left_join(grid, counts, ["dow", "hour"])
    out["incidents"] = out["incidents"].fillna(0).astype("int64")
    return out


def _per_10k(person_times: pd.Series, visitors: pd.Series) -> pd.Series:
    return (person_times * 10000 / visitors.where(visitors > 0)).astype(float)


@db.kept_whole
def area_week_ratio(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Police person-times per 10,000 visitors by scenic area and week (Monday; the period's days of
    it): area_code, area_name, week, person_times (deployments that name the area), visitors, per_10k
    (null without visitors). Every area in view with coordinates or not, every week of the period."""
    areas = _areas(filters, scope)
    cols = ["area_code", "area_name", "week", "person_times", "visitors", "per_10k"]
    if areas.empty:
        return pd.DataFrame(columns=cols)
    parts = []
    for source, value in ((DEPLOYMENT_DAYS, "sum(r.person_times)"), (SOURCES["visitors"], "sum(r.visitors)")):
        params: dict = {}
        where = where_sql(source, filters, scope, params)
        parts.append(db.frame(f"""
            select {source.area_expr} as area_code, cast(date_trunc('week', {source.date_expr}) as date) as week,
                   {value} as v
            from {source.from_sql} where {where} and {source.area_expr} is not null group by 1, 2
        """, params))
    weeks = pd.date_range(pd.Timestamp(filters.start) - pd.Timedelta(days=filters.start.weekday()),
                          filters.end, freq="7D")
    grid = pd.MultiIndex.from_product([areas.area_code, weeks], names=["area_code", "week"]).to_frame(index=False)
    out = left_join(grid, areas[["area_code", "area_name"]], ["area_code"])   # every area is in the grid
    for name, part in zip(("person_times", "visitors"), parts):
        part["week"] = pd.to_datetime(part["week"])
        out = left_join(out, part.rename(columns={"v": name}), ["area_code", "week"])
        out[name] = pd.to_numeric(out[name]).fillna(0).astype(float)
    out["visitors"] = out["visitors"].astype("int64")
    out["per_10k"] = _per_10k(out.person_times, out.visitors)
    return out[cols]


def area_ratio(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The same ratio over the whole period, one row per area in view: area_code, area_name,
    person_times, visitors, per_10k."""
    weekly = area_week_ratio(filters, scope)
    out = weekly.groupby(["area_code", "area_name"], sort=False, as_index=False)[["person_times", "visitors"]].sum()
    out["per_10k"] = _per_10k(out.person_times, out.visitors)
    return out


def reference_ratio(filters: Filters, scope: Scope) -> dict:
    """The ratio the areas are held against: every scenic area of the scope (the city, for a
    city-wide user) over the same period and season, whatever unit or area the view narrows to:
    person_times, visitors, per_10k (None without visitors)."""
    whole = area_ratio(dataclasses.replace(filters, unit=None, area=None), scope)
    person_times, visitors = float(whole.person_times.sum()), int(whole.visitors.sum())
    return {"person_times": person_times, "visitors": visitors,
            "per_10k": person_times * 10000 / visitors if visitors else None}
