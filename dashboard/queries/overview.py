"""Queries behind the Overview page: headline trend, units and areas to rank, weekly series to watch.

Which units lag (`judgements.worst_first`) and which weeks depart from their
baseline (`judgements.departures`) is judged above, on what these return.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.model.breakdowns import REST
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison, comparison_spans, trailing_weeks
from dashboard.queries import db, reference
from dashboard.queries.breakdown import (concurrently, metric_frame, metric_frame_parts, unit_and_area_frames_parts,
                                         week_and_unit_week_frames_parts)
from dashboard.queries.kpis import metric_values_many

HEADLINE = ["visitors.total", "incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
            "incidents.response_median_min", "mediation.success_rate", "survey.satisfaction_rate",
            "survey.safety_rate"]
LAG_METRICS = ["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
               "incidents.response_median_min", "survey.satisfaction_rate"]
ALERT_METRICS = ["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
                 "incidents.response_median_min", "survey.satisfaction_rate"]


TREND_WEEKS = 12


def weekly_trend(filters: Filters, scope: Scope, weeks: int = TREND_WEEKS) -> pd.DataFrame:
    """The last `weeks` weeks to the end of the period: incidents, visitors, same-day rate."""
    span = trailing_weeks(filters, weeks)
    return metric_frame(["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate"],
                        span, scope, "week")


def _with_records(df: pd.DataFrame) -> pd.DataFrame:
    """Rows with something in the view: incidents, survey answers or visitors (an area filter
    leaves most units with none, and a row of dashes tells nothing)."""
    if df.empty:
        return df
    held = pd.Series(False, index=df.index)
    for col in ("incidents.total", "survey.satisfaction_rate#n", "visitors.total"):
        if col in df:
            held |= pd.to_numeric(df[col], errors="coerce").fillna(0) > 0
    return df[held]


def lagging_units(filters: Filters, scope: Scope) -> pd.DataFrame:
    return lagging(filters, scope)[0]


def _named_units(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    # The parent's own records (and, city-wide, those with no unit) get a row when there are any.
    df = _with_records(df).copy()
    names = reference.unit_names(scope)
    df["name"] = df["key"].map(names)
    return df


def lagging_areas(filters: Filters, scope: Scope) -> pd.DataFrame:
    return lagging(filters, scope)[1]


def _named_areas(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    if df.empty:
        return df
    names = reference.area_names(scope)
    df = _with_records(df[df["key"].isin(names)]).copy()
    df["name"] = df["key"].map(names)
    return df


def lagging(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units one level down (the parent's own records under `REST`) and the scenic areas, with
    their lag figures and names, those with records only; one query per source for both, all at
    the same time. Kept whole in the query cache: the units and the areas grid each ask for it."""
    units, areas = db.cached(("overview.lagging", filters, scope), lambda: _lagging(filters, scope))
    return units.copy(), areas.copy()


def _lagging(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    queries, finish = _lagging_parts(filters, scope)
    return finish(concurrently(queries))


def _lagging_parts(filters: Filters, scope: Scope):
    """`lagging` in two steps, like `metric_frame_parts`: the query thunks, and the function that
    turns their results into the named (units, areas) frames."""
    children = reference.drill_children(filters.unit, scope)
    if not children:
        queries, finish = metric_frame_parts(LAG_METRICS, filters, scope, "area")
        return queries, lambda parts: (pd.DataFrame(), _named_areas(finish(parts), scope))
    # Each source's rows read once for both tables (grouping sets).
    queries, finish = unit_and_area_frames_parts(LAG_METRICS, filters, scope, children, REST)

    def named(parts):
        units, areas = finish(parts)
        return _named_units(units, scope), _named_areas(areas, scope)
    return queries, named


def alert_series(filters: Filters, scope: Scope) -> list[tuple[str | None, str | None, pd.DataFrame]]:
    """The 13 complete weeks to the end of the period of `ALERT_METRICS`: (unit, its name, weekly
    frame), for the whole view (unit None) and for each child unit."""
    queries, finish = _alert_parts(filters, scope)
    return finish(concurrently(queries))


def _alert_parts(filters: Filters, scope: Scope):
    """`alert_series` in two steps, like `metric_frame_parts`."""
    # Only complete weeks: the last Sunday on or before the end of the period.
    end = filters.end - dt.timedelta(days=(filters.end.weekday() + 1) % 7)
    span = Filters(end - dt.timedelta(days=7 * 13 - 1), end, filters.unit, filters.area, filters.season)
    children = reference.drill_children(filters.unit, scope)
    names = reference.unit_names(scope)
    # Each source's rows read once for the view's weeks and each child unit's (grouping sets).
    queries, finish = week_and_unit_week_frames_parts(ALERT_METRICS, span, scope, children)

    def series(parts):
        whole, per_unit = finish(parts)
        return [(None, None, whole)] + [(code, names.get(code), per_unit[code]) for code in children]
    return queries, series


def phone_figures(filters: Filters, against: Comparison, scope: Scope):
    """What the phone block shows, from one batch of statements run at the same time: the `HEADLINE`
    values (now, the period before, last year: the KPI cards' figures without their weekly history),
    the `alert_series` and the `lagging` frames. The same statements as the KPI cards', the alerts'
    and the lag tables' answers, so a page's answers share them through the query cache."""
    alert_q, alert_finish = _alert_parts(filters, scope)
    lag_q, lag_finish = _lagging_parts(filters, scope)
    f, prev, last, weeks = comparison_spans(filters, against)
    # With the cards' weeks: the cards' own statements (each source's periods and weeks in one).
    values, parts = metric_values_many([f, prev, last], scope, HEADLINE, extra=alert_q + lag_q, weeks=weeks)
    # Kept whole as `lagging` keeps them: the lag grids' answer, asked after this one, finds them.
    units, areas = db.cached(("overview.lagging", filters, scope), lambda: lag_finish(parts[len(alert_q):]))
    return tuple(values), alert_finish(parts[:len(alert_q)]), (units.copy(), areas.copy())
