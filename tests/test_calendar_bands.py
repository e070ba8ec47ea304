"""Peak bands on time axes: the calendar's holidays and the city's 旺季 deployments, merged."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.queries.calendar import PEAK_DEPLOYMENT
from tests.metrics_fixtures import build, deployment


@pytest.fixture(scope="module")
def bands(tmp_path_factory):
    db = build(tmp_path_factory.mktemp("bands"), deployments=[
        deployment("D1", "2021-03-01", "2021-03-10", season="旺季"),
        deployment("D2", "2021-03-11", "2021-03-15", season="旺季"),   # touches D1: one band
        deployment("D3", "2021-03-05", "2021-03-08", season="旺季"),   # inside D1, twice
        deployment("D4", "2021-03-05", "2021-03-08", season="旺季"),
        deployment("D5", "2021-03-17", "2021-03-25", season="旺季"),   # a day's gap: a band of its own
        deployment("D6", "2021-03-16", "2021-03-16", season="淡季"),   # off season: not a band
        deployment("D7", "2021-04-10", "2021-04-12", season="旺季", unit="FJ2"),
    ])
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries import db as qdb
    from dashboard.queries.calendar import peak_bands
    before = qdb._state["warehouse"]
    qdb.configure(db)
    march_april = Filters(dt.date(2021, 3, 1), dt.date(2021, 4, 30))
    try:
        return {"city": peak_bands(march_april, Scope.city()),
                "FJ1": peak_bands(march_april, Scope("FJ1"))}
    finally:
        qdb._state["warehouse"] = before
        qdb.clear_cache()


def test_overlapping_touching_and_repeated_deployments_make_one_band(bands):
    assert (dt.date(2021, 3, 1), dt.date(2021, 3, 15), PEAK_DEPLOYMENT) in bands["city"]


def test_a_gap_of_a_day_between_deployments_keeps_two_bands(bands):
    assert (dt.date(2021, 3, 17), dt.date(2021, 3, 25), PEAK_DEPLOYMENT) in bands["city"]


def test_off_season_deployments_are_not_shaded(bands):
    assert all(not (first <= dt.date(2021, 3, 16) <= last) for first, last, _ in bands["city"])


def test_a_unit_sees_only_the_deployments_of_its_subtree(bands):
    assert (dt.date(2021, 4, 10), dt.date(2021, 4, 12), PEAK_DEPLOYMENT) in bands["city"]
    assert all(first != dt.date(2021, 4, 10) for first, _, _ in bands["FJ1"])


@pytest.mark.parametrize("lang, caption", [("zh", "国庆黄金周"), ("en", "National Day")])
def test_a_band_is_captioned_by_its_kind_in_the_page_language(lang, caption):
    from dashboard.figures.base import top_strip
    strip = top_strip([(dt.date(2021, 10, 1), dt.date(2021, 10, 7), "national_day")],
                      dt.date(2021, 9, 1), dt.date(2021, 11, 1), lang)
    assert [a["text"] for a in strip.annotations] == [caption]
