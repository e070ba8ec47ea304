"""The dashboard's vocabulary (dashboard.model): each enumerated value spelled once, and the
comparison periods a view's figures are set against."""
from __future__ import annotations

import datetime as dt
import re

from dashboard.model.catalog import BY_ID, ENFORCEMENT
from dashboard.model.filters import SEASONS, Filters
from dashboard.model.periods import comparison
from dashboard.state import parse_view
from warehouse import record_types as rt


def test_each_contract_action_type_is_summed_by_exactly_one_enforcement_metric():
    summed = [re.search(r"r\.action_type = '([^']+)'", BY_ID[mid].expr).group(1) for mid in ENFORCEMENT]
    assert sorted(summed) == sorted(rt.ACTION_TYPES)


def test_the_season_filter_offers_the_contracts_seasons_peak_first():
    assert SEASONS == (rt.PEAK, rt.OFF_PEAK) and set(SEASONS) == set(rt.SEASONS)


def test_last_week_is_compared_with_the_week_before_and_the_same_weekdays_a_year_back():
    week = Filters(dt.date(2026, 11, 23), dt.date(2026, 11, 29), unit="U1", area="A1", season=rt.PEAK)
    against = comparison(week, "last_week")
    assert against.previous == Filters(dt.date(2026, 11, 16), dt.date(2026, 11, 22), "U1", "A1", rt.PEAK)
    assert against.last_year == Filters(dt.date(2025, 11, 24), dt.date(2025, 11, 30), "U1", "A1", rt.PEAK)


def test_a_custom_period_is_compared_with_the_span_just_before_it():
    span = Filters(dt.date(2026, 3, 10), dt.date(2026, 3, 19))
    assert comparison(span, "custom").previous == Filters(dt.date(2026, 2, 28), dt.date(2026, 3, 9))


def test_a_views_comparison_is_that_of_its_filters_and_preset():
    view = parse_view({"period": "this_month", "unit": "U1"}, today=dt.date(2026, 3, 31), units={"U1"})
    assert view.comparison == comparison(view.filters, "this_month")
    assert view.comparison.previous == Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 28), "U1")
