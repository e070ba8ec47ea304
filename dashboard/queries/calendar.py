"""Peak periods to shade on time axes: holidays from the calendar and 旺季 deployments.

A band names its kind (`warehouse.calendar`'s holiday kinds, or `PEAK_DEPLOYMENT`);
the figures word it (the text catalog's `band.<kind>`).
"""
from __future__ import annotations

import datetime as dt

from dashboard.model.filters import Filters, Scope
from dashboard.queries import db
from warehouse.record_types import PEAK

PEAK_DEPLOYMENT = "peak_deployment"   # a band of 旺季 deployments outside the holidays


def peak_bands(filters: Filters, scope: Scope) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, kind) overlapping the period; overlapping deployments merged."""
    holidays = db.rows("""
        select first_day, last_day, kind from peak_periods
        where first_day <= $end and last_day >= $start order by first_day
    """, {"start": filters.start, "end": filters.end})
    # Overlapping or touching deployments merged into one band, in SQL: a city has
    # thousands of deployment rows and a few dozen bands (gaps and islands).
    deployments = db.rows("""
        with peak as (  -- distinct: both windows below must order the rows the same way
            select distinct start_date, end_date from deployments
            where season = $peak and start_date <= $end and end_date >= $start
              and ($scope is null or unit_code in (select unit_code from unit_closure where ancestor_code = $scope))
        ), reach as (
            select start_date, end_date,
                   max(end_date) over (order by start_date, end_date
                                       rows between unbounded preceding and 1 preceding) as reached
            from peak
        ), islands as (
            select start_date, end_date,
                   sum(case when reached is null or start_date > reached + 1 then 1 else 0 end)
                       over (order by start_date, end_date rows unbounded preceding) as island
            from reach
        )
        select min(start_date), max(end_date) from islands group by island order by 1
    """, {"start": filters.start, "end": filters.end, "scope": scope.unit, "peak": PEAK})
    bands = list(holidays)
    for first, last in deployments:
        if not any(h[0] <= first and last <= h[1] for h in holidays):
            bands.append((first, last, PEAK_DEPLOYMENT))
    return sorted(bands)
