"""KPI figures for a view: now, the period before, last year, and 12 weeks of history."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.queries import db
from dashboard.queries.breakdown import metric_frame
from dashboard.queries.filters import Filters, Scope
from dashboard.queries.metrics import MetricValue, compute
from dashboard.state import View, previous_period, same_period_last_year


@dataclass(frozen=True)
class KpiFigures:
    now: MetricValue
    previous: MetricValue
    last_year: MetricValue
    weekly: pd.DataFrame          # key (week start), value, n


def metric_values(filters: Filters, scope: Scope, metric_ids: list[str]) -> dict[str, MetricValue]:
    return db.with_cursor(("metrics", filters, scope, tuple(metric_ids)),
                          lambda cur: compute(cur, filters, scope, metric_ids))


def kpi_figures(view: View, scope: Scope, metric_ids: list[str]) -> dict[str, KpiFigures]:
    f = view.filters
    prev = Filters(*previous_period(view.period, f.start, f.end), f.unit, f.area, f.season)
    last = Filters(*same_period_last_year(view.period, f.start, f.end), f.unit, f.area, f.season)
    now_v = metric_values(f, scope, metric_ids)
    prev_v = metric_values(prev, scope, metric_ids)
    last_v = metric_values(last, scope, metric_ids)
    week_end = f.end
    weeks = Filters(week_end - dt.timedelta(days=7 * 12 - 1), week_end, f.unit, f.area, f.season)
    weekly = metric_frame(metric_ids, weeks, scope, "week")
    out = {}
    for mid in metric_ids:
        series = pd.DataFrame({"key": weekly["key"], "value": weekly.get(mid),
                               "n": weekly.get(f"{mid}#n")})
        out[mid] = KpiFigures(now_v[mid], prev_v[mid], last_v[mid], series)
    return out
