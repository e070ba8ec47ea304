"""The tourism calendar: the peak periods every time axis shades and the season filter uses.

Spring Festival (the eve and the following six days, by the lunar calendar),
May Day (1–5 May), the summer holidays (July and August) and the National Day
golden week (1–7 October). Days in these periods, or in a deployment recorded
as 旺季, are peak season; the rest are off-season.
"""
from __future__ import annotations

import datetime as dt

# First day of the lunar new year (正月初一).
SPRING_FESTIVAL = {
    2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05",
    2020: "01-25", 2021: "02-12", 2022: "02-01", 2023: "01-22", 2024: "02-10",
    2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26", 2029: "02-13",
    2030: "02-03", 2031: "01-23", 2032: "02-11", 2033: "01-31", 2034: "02-19",
    2035: "02-08",
}
FIRST_YEAR, LAST_YEAR = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)

PERIOD_LABELS = {
    "spring_festival": ("春节", "Spring Festival"),
    "may_day": ("五一", "May Day"),
    "summer": ("暑期", "Summer"),
    "national_day": ("国庆黄金周", "National Day"),
}


def peak_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, kind) of every peak period overlapping [start, end]."""
    out = []
    for year in range(max(start.year, FIRST_YEAR), min(end.year, LAST_YEAR) + 1):
        new_year = dt.date.fromisoformat(f"{year}-{SPRING_FESTIVAL[year]}")
        for first, last, kind in (
            (new_year - dt.timedelta(days=1), new_year + dt.timedelta(days=5), "spring_festival"),  # 除夕..初六
            (dt.date(year, 5, 1), dt.date(year, 5, 5), "may_day"),
            (dt.date(year, 7, 1), dt.date(year, 8, 31), "summer"),
            (dt.date(year, 10, 1), dt.date(year, 10, 7), "national_day"),
        ):
            if first <= end and last >= start:
                out.append((first, last, kind))
    return sorted(out)


def calendar_rows() -> list[tuple[dt.date, dt.date, str, str, str]]:
    """Rows of the `peak_periods` table: first, last, kind, Chinese and English label."""
    return [(f, l, k, *PERIOD_LABELS[k])
            for f, l, k in peak_periods(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))]
