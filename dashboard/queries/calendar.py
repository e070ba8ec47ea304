"""Peak periods to shade on time axes: holidays from the calendar and 旺季 deployments."""
from __future__ import annotations

import datetime as dt

from dashboard.queries import db
from dashboard.queries.filters import Filters, Scope


def peak_bands(filters: Filters, scope: Scope, lang: str) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, label) overlapping the period; overlapping deployments merged."""
    label = "label_en" if lang == "en" else "label_zh"
    holidays = db.rows(f"""
        select first_day, last_day, {label} from peak_periods
        where first_day <= $end and last_day >= $start order by first_day
    """, {"start": filters.start, "end": filters.end})
    deployments = db.rows("""
        select start_date, end_date from deployments
        where season = '旺季' and start_date <= $end and end_date >= $start
          and ($scope is null or unit_code in (select unit_code from unit_closure where ancestor_code = $scope))
        order by start_date
    """, {"start": filters.start, "end": filters.end, "scope": scope.unit})
    bands = list(holidays)
    word = "Peak deployment" if lang == "en" else "旺季布警"
    for first, last in _merge(deployments):
        if not any(h[0] <= first and last <= h[1] for h in holidays):
            bands.append((first, last, word))
    return sorted(bands)


def _merge(ranges):
    merged: list[list] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [tuple(r) for r in merged]
