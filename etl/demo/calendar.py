"""Peak periods for the demo generator, from the one tourism calendar (warehouse.calendar)."""
from __future__ import annotations

import datetime as dt

from warehouse.calendar import PERIOD_LABELS, peak_periods


def all_periods(start: dt.date, end: dt.date):
    """(first, last, label, unclipped first) of the peak periods overlapping [start, end]."""
    return [(max(a, start), min(b, end), PERIOD_LABELS[kind][0], a) for a, b, kind in peak_periods(start, end)]


def holiday_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """The peak periods (春节, 五一, 暑期, 国庆黄金周) overlapping [start, end], clipped to it,
    as (first day, last day, Chinese label), in date order."""
    return [(a, b, label) for a, b, label, _ in all_periods(start, end)]
