"""Queries behind the Overview page: headline trend, lagging units and areas, alerts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import analysis
from dashboard.queries import reference
from dashboard.queries.breakdown import (concurrently, metric_frame, metric_frame_parts,
                                         unit_week_frames_parts)
from dashboard.queries.filters import Filters, Scope, trailing_weeks

HEADLINE = ["visitors.total", "incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
            "incidents.response_median_min", "mediation.success_rate", "survey.satisfaction_rate",
            "survey.safety_rate"]
LAG_METRICS = ["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
               "incidents.response_median_min", "survey.satisfaction_rate"]
REST = "#rest"
ALERT_METRICS = ["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
                 "incidents.response_median_min", "survey.satisfaction_rate"]


TREND_WEEKS = 12


def weekly_trend(filters: Filters, scope: Scope, weeks: int = TREND_WEEKS) -> pd.DataFrame:
    """The last `weeks` weeks to the end of the period: incidents, visitors, same-day rate."""
    span = trailing_weeks(filters, weeks)
    return metric_frame(["incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate"],
                        span, scope, "week")


JUDGED = ("incidents.same_day_rate", "survey.satisfaction_rate", "incidents.response_median_min")


def _judged(row, mid: str):
    """The status of `mid` in a row; "few" (not judged) on fewer than the minimum records."""
    value, n = row.get(mid), row.get(f"{mid}#n")
    return analysis.rag(mid, value if pd.notna(value) else None, n if pd.notna(n) else None)


def _lag_order(df: pd.DataFrame) -> pd.DataFrame:
    """Worst first: by how far below target the judged figures are, then by the same-day rate
    (a rate on too few records is neither judged nor used to order)."""
    scores, rates = [], []
    for _, row in df.iterrows():
        statuses = {mid: _judged(row, mid) for mid in JUDGED}
        scores.append(sum({"red": 2, "amber": 1}.get(s, 0) for s in statuses.values()))
        judged_rate = statuses["incidents.same_day_rate"] not in (None, "few")
        rates.append(row.get("incidents.same_day_rate") if judged_rate else None)
    df = df.assign(_lag=scores, _rate=pd.to_numeric(pd.Series(rates, index=df.index, dtype=object)))
    return df.sort_values(["_lag", "_rate"], ascending=[False, True], na_position="last",
                          kind="stable").drop(columns=["_lag", "_rate"])


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


def _ranked_units(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    # The parent's own records (and, city-wide, those with no unit) get a row when there are any.
    df = _with_records(df).copy()
    names = reference.unit_names(scope)
    df["name"] = df["key"].map(names)
    ordered = _lag_order(df)
    return pd.concat([ordered[ordered["key"] != REST], ordered[ordered["key"] == REST]])


def lagging_areas(filters: Filters, scope: Scope) -> pd.DataFrame:
    return lagging(filters, scope)[1]


def _ranked_areas(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    if df.empty:
        return df
    names = reference.area_names(scope)
    df = _with_records(df[df["key"].isin(names)]).copy()
    df["name"] = df["key"].map(names)
    return _lag_order(df)


def lagging(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lagging units and lagging areas; all their queries run at the same time."""
    children = reference.drill_children(filters.unit, scope)
    unit_q, unit_finish = (metric_frame_parts(LAG_METRICS, filters, scope, "unit", group_units=children,
                                              rest_key=REST) if children else ([], None))
    area_q, area_finish = metric_frame_parts(LAG_METRICS, filters, scope, "area")
    results = concurrently(unit_q + area_q)
    units = _ranked_units(unit_finish(results[:len(unit_q)]), scope) if children else pd.DataFrame()
    return units, _ranked_areas(area_finish(results[len(unit_q):]), scope)


def alerts(filters: Filters, scope: Scope) -> list[dict]:
    """Metrics whose last week departs from the 12 weeks before it, city and per child unit."""
    # Only complete weeks: the last Sunday on or before the end of the period.
    end = filters.end - dt.timedelta(days=(filters.end.weekday() + 1) % 7)
    span = Filters(end - dt.timedelta(days=7 * 13 - 1), end, filters.unit, filters.area, filters.season)
    out = []
    children = reference.drill_children(filters.unit, scope)
    names = reference.unit_names(scope)
    whole_q, whole_finish = metric_frame_parts(ALERT_METRICS, span, scope, "week")
    units_q, units_finish = unit_week_frames_parts(ALERT_METRICS, span, scope, children)
    results = concurrently(whole_q + units_q)
    whole, per_unit = whole_finish(results[:len(whole_q)]), units_finish(results[len(whole_q):])
    frames = [(None, whole)] + [(code, per_unit[code]) for code in children]
    for code, df in frames:
        if len(df) < 8:
            continue
        for mid in ALERT_METRICS:
            series = pd.to_numeric(df[mid], errors="coerce").tolist()
            latest, history = series[-1], series[:-1]
            if mid in ("incidents.same_day_rate", "survey.satisfaction_rate"):
                n = df[f"{mid}#n"].iloc[-1]
                if pd.isna(n) or n < analysis.min_survey_answers():
                    continue
            z = analysis.departs_from_baseline(history, None if pd.isna(latest) else latest)
            mean = sum(v for v in history if pd.notna(v)) / max(1, sum(pd.notna(v) for v in history))
            if z is not None and mid == "incidents.total" and abs(analysis.poisson_z(latest, mean)) <= analysis.POISSON_Z:
                z = None  # a jump of a handful of incidents is noise, however flat the baseline
            if z is not None:
                out.append({"unit": code, "unit_name": names.get(code) if code else None, "metric": mid,
                            "week": df["key"].iloc[-1].date(), "value": latest,
                            "baseline": mean,
                            "z": z})
    return sorted(out, key=lambda a: -abs(a["z"]))
