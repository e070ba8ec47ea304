"""Peak periods of the tourist calendar (used by the demo generator and the dashboard's bands)."""
from __future__ import annotations

import datetime as dt

# --- holidays --------------------------------------------------------------

SPRING_FESTIVAL = {2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
                   2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
                   2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8)}


def all_periods(start: dt.date, end: dt.date):
    """(first, last, label, unclipped first) of the peak periods overlapping [start, end]."""
    out = []
    for y in range(start.year - 1, end.year + 2):
        m, d = SPRING_FESTIVAL.get(y, (2, 1))
        sf = dt.date(y, m, d)
        for a, b, label in ((sf - dt.timedelta(days=1), sf + dt.timedelta(days=6), "春节"),
                            (dt.date(y, 5, 1), dt.date(y, 5, 5), "劳动节"),
                            (dt.date(y, 7, 1), dt.date(y, 8, 31), "暑期"),
                            (dt.date(y, 10, 1), dt.date(y, 10, 7), "国庆节")):
            if b >= start and a <= end:
                out.append((max(a, start), min(b, end), label, a))
    out.sort()
    return out


def holiday_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """The peak periods (春节, 劳动节, 暑期, 国庆节) overlapping [start, end], clipped to it,
    as (first day, last day, Chinese label), in date order. Spring Festival runs from
    New Year's Eve for eight days (real lunar dates)."""
    return [(a, b, label) for a, b, label, _ in all_periods(start, end)]
