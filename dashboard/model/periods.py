"""Periods and time buckets: the presets a view names, the periods a figure is compared
with, and the weeks and months a time axis is cut into.

Weeks run Monday to Sunday. A period that has not ended yet (本周, 本月 …) runs to
today, and is compared with the same number of days of the period before (环比)
and of last year (同比): `comparison` gives those as `Filters` of their own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from dashboard.model.filters import Filters

PRESETS = ("this_week", "last_week", "this_month", "this_quarter", "this_year", "custom")
GRAINS = ("day", "week", "month")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if preset == "this_week":
        return week_start(today), today
    if preset == "last_week":
        start = week_start(today) - dt.timedelta(days=7)
        return start, start + dt.timedelta(days=6)
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "this_quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "this_year":
        return dt.date(today.year, 1, 1), today
    raise ValueError(preset)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_period(period: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same days of the period before: last week, last month, last quarter, or the span before."""
    if period in ("this_week", "last_week"):
        return start - dt.timedelta(days=7), end - dt.timedelta(days=7)
    if period == "this_month":
        prev_start = (start - dt.timedelta(days=1)).replace(day=1)
        return prev_start, min(prev_start + (end - start), start - dt.timedelta(days=1))
    if period == "this_quarter":
        month = start.month - 3 if start.month > 3 else start.month + 9
        prev_start = dt.date(start.year if start.month > 3 else start.year - 1, month, 1)
        return prev_start, min(prev_start + (end - start), start - dt.timedelta(days=1))
    if period == "this_year":
        return _shift_year(start, -1), _shift_year(end, -1)
    span = end - start
    return start - span - dt.timedelta(days=1), start - dt.timedelta(days=1)


def same_period_last_year(period: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Weeks shift by 52 weeks so weekdays line up; other periods by a calendar year."""
    if period in ("this_week", "last_week"):
        return start - dt.timedelta(weeks=52), end - dt.timedelta(weeks=52)
    return _shift_year(start, -1), _shift_year(end, -1)


@dataclass(frozen=True)
class Comparison:
    """What a period's figures are compared with, each its own filters (same unit, area, season)."""
    previous: Filters     # the same days of the period before (环比)
    last_year: Filters    # the same days of last year (同比)


def comparison(filters: Filters, period: str) -> Comparison:
    """The comparison periods of `filters` read as the preset `period` (custom: the span before)."""
    prev_start, prev_end = previous_period(period, filters.start, filters.end)
    last_start, last_end = same_period_last_year(period, filters.start, filters.end)
    return Comparison(replace(filters, start=prev_start, end=prev_end),
                      replace(filters, start=last_start, end=last_end))


def comparison_spans(filters: Filters, against: Comparison) -> tuple[Filters, Filters, Filters, Filters]:
    """A KPI's periods: now, the period before, last year, and the 12 calendar weeks of
    history that end with the period."""
    return filters, against.previous, against.last_year, trailing_weeks(filters)


def trailing_weeks(filters: Filters, weeks: int = 12) -> Filters:
    """The `weeks` calendar weeks (Monday to Sunday) that end with the week of the period's last
    day: a 12-week history whose only short week is the last one, when the period ends mid-week."""
    last_monday = filters.end - dt.timedelta(days=filters.end.weekday())
    return Filters(last_monday - dt.timedelta(weeks=weeks - 1), filters.end, filters.unit, filters.area,
                   filters.season)


def bucket_start(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def bucket_after(day: dt.date, grain: str) -> dt.date:
    """The first day of the bucket after the one that starts on `day`."""
    if grain == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day + dt.timedelta(days=7 if grain == "week" else 1)


def buckets(filters: Filters, grain: str) -> list[dt.date]:
    out, day = [], bucket_start(filters.start, grain)
    while day <= filters.end:
        out.append(day)
        day = bucket_after(day, grain)
    return out
