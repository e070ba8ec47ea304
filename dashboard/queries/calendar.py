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
    # The holidays and the 旺季 deployments' spans in one statement. A city has thousands of
    # deployment rows but a few dozen distinct spans: DuckDB gives those, and overlapping or
    # touching ones are merged here, sorted (gaps and islands; window functions cost more than the scan).
    found = db.rows("""
        select first_day, last_day, kind, false as deployed from peak_periods
        where first_day <= $end and last_day >= $start
        union all
        select distinct start_date, end_date, null, true from deployments
        where season = $peak and start_date <= $end and end_date >= $start
          and ($scope is null or unit_code in (select unit_code from unit_closure where ancestor_code = $scope))
    """, {"start": filters.start, "end": filters.end, "scope": scope.unit, "peak": PEAK})
    holidays = [row[:3] for row in found if not row[3]]
    spans = sorted(row[:2] for row in found if row[3])
    deployments: list[list[dt.date]] = []
    for first, last in spans:
        if deployments and first <= deployments[-1][1] + dt.timedelta(days=1):
            deployments[-1][1] = max(deployments[-1][1], last)
        else:
            deployments.append([first, last])
    bands = list(holidays)
    for first, last in deployments:
        if not any(h[0] <= first and last <= h[1] for h in holidays):
            bands.append((first, last, PEAK_DEPLOYMENT))
    return sorted(bands)
