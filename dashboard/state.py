"""The view a URL describes: period, unit, scenic area, season, language, drill.

Everything a person chooses lives in the query string, so a copied link
reproduces the view. `parse_view` turns the query arguments Dash passes to a
page's `layout(**kwargs)` into a `View`, dropping (and reporting) anything
invalid; `View.query()` writes it back. Callbacks read the view strictly
(`dashboard.components.page.view_from_store`): there anything invalid is
refused, because only a tampering client sends it. What a period preset means, and
what it is compared with, is the model's (`dashboard.model.periods`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from dashboard.model.filters import SEASONS, Filters
from dashboard.model.periods import PRESETS, Comparison, comparison, preset_range

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

    @property
    def comparison(self) -> Comparison:
        """The periods this view's figures are compared with (环比, 同比)."""
        return comparison(self.filters, self.period)

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
