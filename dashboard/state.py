"""The view a URL describes: period, unit, scenic area, season, language, drill.

Everything a person chooses lives in the query string, so a copied link
reproduces the view. `parse_view` turns the query arguments Dash passes to a
page's `layout(**kwargs)` into a `View`, dropping (and reporting) anything
invalid; `View.query()` writes it back. Callbacks read the view strictly
(`dashboard.components.page.view_from_store`): there anything invalid is
refused, because only a tampering client sends it. Periods: weeks run Monday to Sunday;
a period that has not ended yet (本周, 本月 …) runs to today, and is compared
with the same number of days of the period before and of last year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from dashboard.queries.filters import SEASONS, Filters

PRESETS = ("this_week", "last_week", "this_month", "this_quarter", "this_year", "custom")
EXTRA_KEYS = ("category", "campaign", "grain", "q")   # page-level choices kept in the URL
SHARED_KEYS = ("period", "start", "end", "unit", "area", "season", "lang")
LANGS = ("zh", "en")
# Custom periods stay within these days (and ten years long at most).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
MAX_EXTRA_LENGTH = 100


@dataclass(frozen=True)
class View:
    period: str
    start: dt.date
    end: dt.date
    unit: str | None = None
    area: str | None = None
    season: str | None = None
    lang: str = "zh"
    extra: tuple[tuple[str, str], ...] = ()
    invalid: tuple[str, ...] = field(default=(), compare=False)

    @property
    def filters(self) -> Filters:
        return Filters(self.start, self.end, unit=self.unit, area=self.area, season=self.season)

    def get(self, key: str, default: str | None = None) -> str | None:
        return dict(self.extra).get(key, default)

    def query(self, **changes) -> str:
        """The query string of this view with `changes` applied (None removes a key)."""
        args = {"period": self.period, "unit": self.unit, "area": self.area, "season": self.season,
                "lang": None if self.lang == "zh" else self.lang, **dict(self.extra)}
        if self.period == "custom":
            args.update(start=self.start.isoformat(), end=self.end.isoformat())
        args.update(changes)
        if args.get("period") != "custom":
            args.pop("start", None), args.pop("end", None)
        return "?" + urlencode({k: v for k, v in args.items() if v not in (None, "")})

    def with_(self, **changes) -> "View":
        return replace(self, **changes)


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


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def parse_view(args: dict, *, today: dt.date, default_period: str = "last_week",
               units: set[str] | frozenset = frozenset(), areas: set[str] | frozenset = frozenset(),
               extra_allowed: dict[str, set[str] | None] | None = None) -> View:
    """A valid View from untrusted query arguments; what was dropped is in `invalid`."""
    invalid = [f"{key}=…" for key, value in args.items() if not isinstance(value, str)]  # e.g. a repeated key
    args = {key: value for key, value in args.items() if isinstance(value, str)}
    period = args.get("period") or default_period
    if period not in PRESETS:
        invalid.append(f"period={period}")
        period = default_period
    if period == "custom":
        start, end = _date(args.get("start")), _date(args.get("end"))
        if (not start or not end or end < start or (end - start).days > 3660
                or start < FIRST_DAY or end > LAST_DAY):
            invalid.append(f"start={args.get('start')}&end={args.get('end')}")
            period = default_period
    if period != "custom":
        start, end = preset_range(period, today)
    unit = args.get("unit") or None
    if unit and unit not in units:
        invalid.append(f"unit={unit}")
        unit = None
    area = args.get("area") or None
    if area and area not in areas:
        invalid.append(f"area={area}")
        area = None
    season = args.get("season") or None
    if season and season not in SEASONS:
        invalid.append(f"season={season}")
        season = None
    lang = args.get("lang") or "zh"
    if lang not in LANGS:
        invalid.append(f"lang={lang}")
        lang = "zh"
    extra = []
    for key, allowed in (extra_allowed or {}).items():
        value = args.get(key)
        if value in (None, ""):
            continue
        if (allowed is not None and value not in allowed) or len(str(value)) > MAX_EXTRA_LENGTH:
            invalid.append(f"{key}={str(value)[:MAX_EXTRA_LENGTH]}")
            continue
        extra.append((key, str(value)))
    return View(period, start, end, unit, area, season, lang, tuple(extra), tuple(invalid))
