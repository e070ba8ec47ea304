"""The Overview page: its queries agree with the catalog, its judgements are sound, its callbacks answer."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import analysis
from dashboard.queries.filters import Filters, Scope
from dashboard.queries.metrics import compute
from tests.dashboard_fixtures import demo_db  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

OCTOBER = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def page(demo_db):  # noqa: F811
    from dashboard.app import create_app

    create_app(demo_db)
    from dashboard.pages import overview

    return overview


def catalog(filters, *ids):
    from dashboard.queries import db

    return db.with_cursor(("test", filters, ids), lambda cur: compute(cur, filters, Scope.city(), list(ids)))


def test_lag_table_rows_add_up_to_the_city_incident_total(page):
    from dashboard.queries import overview as q

    df = q.lagging_units(OCTOBER, Scope.city())
    total = catalog(OCTOBER, "incidents.total")["incidents.total"].value
    assert pd.to_numeric(df["incidents.total"]).sum() == total


def test_lag_table_puts_the_parents_own_records_last(page):
    from dashboard.queries import overview as q

    df = q.lagging_units(OCTOBER, Scope.city())
    if (df["key"] == q.REST).any():
        assert df["key"].iloc[-1] == q.REST


def test_lag_table_ranks_units_below_target_first(page):
    from dashboard.queries import overview as q

    df = q.lagging_units(OCTOBER, Scope.city())
    ranked = df[df["key"] != q.REST]
    statuses = [analysis.rag("incidents.same_day_rate", v) for v in ranked["incidents.same_day_rate"]]
    order = {"red": 0, "amber": 1, "green": 2, None: 3}
    assert order[statuses[0]] <= order[statuses[-1]]


def test_area_lag_table_agrees_with_the_catalog_for_each_area(page):
    from dashboard.queries import overview as q

    df = q.lagging_areas(OCTOBER, Scope.city())
    code = df["key"].iloc[0]
    one = Filters(OCTOBER.start, OCTOBER.end, area=code)
    assert df["incidents.total"].iloc[0] == catalog(one, "incidents.total")["incidents.total"].value


def test_weekly_trend_covers_twelve_weeks_ending_with_the_period(page):
    from dashboard.queries import overview as q

    df = q.weekly_trend(OCTOBER, Scope.city())
    assert len(df) == 13 or len(df) == 12
    assert df["key"].max().date() <= OCTOBER.end


def test_unit_filter_narrows_the_trend(page):
    from dashboard.queries import overview as q
    from dashboard.queries import reference

    unit = reference.drill_children(None, Scope.city())[0]
    city = q.weekly_trend(OCTOBER, Scope.city())["incidents.total"].sum()
    narrowed = q.weekly_trend(Filters(OCTOBER.start, OCTOBER.end, unit=unit), Scope.city())["incidents.total"].sum()
    assert 0 < narrowed < city


def test_kpi_callback_gives_one_card_per_headline_metric(page):
    from dashboard.queries import overview as q

    cards = page.render_kpis("?period=custom&start=2026-10-01&end=2026-10-31")
    assert len(cards) == len(q.HEADLINE)


def test_trend_callback_draws_bars_and_the_closure_line(page):
    fig = page.render_trend("?period=custom&start=2026-10-01&end=2026-10-31")
    types = sorted(t.type for t in fig.data)
    assert types == ["bar", "scatter"]
    assert sum(fig.data[0].y) > 0


def test_an_empty_period_says_so_in_words(page):
    fig = page.render_trend("?period=custom&start=2010-01-01&end=2010-01-31")
    assert not fig.data
    assert "没有数据" in fig.layout.annotations[0].text


def _triggered_by(monkeypatch, component_id):
    import dash

    monkeypatch.setattr(dash, "ctx", type("Ctx", (), {"triggered_id": component_id})())


def test_clicking_a_unit_row_drills_the_page_into_it(page, monkeypatch):
    from dashboard.queries import reference

    unit = reference.drill_children(None, Scope.city())[0]
    _triggered_by(monkeypatch, page.UNITS)
    query = page.drill({"rowId": unit}, None, "?period=last_week")
    assert f"unit={unit}" in query


def test_clicking_the_own_records_row_does_not_drill(page, monkeypatch):
    from dash import no_update

    from dashboard.queries import overview as q

    _triggered_by(monkeypatch, page.UNITS)
    assert page.drill({"rowId": q.REST}, None, "?period=last_week") is no_update


def test_a_posted_unknown_unit_is_refused_not_obeyed(page):
    from dashboard.components.page import view_from_store
    from dashboard.refusals import InvalidInput

    with pytest.raises(InvalidInput, match="unit=NOT-A-UNIT") as refusal:
        view_from_store("?period=last_week&unit=NOT-A-UNIT", Scope.city())
    assert refusal.value.zh and refusal.value.en and refusal.value.status == 400
    with pytest.raises(InvalidInput):
        page.render_kpis("?period=last_week&unit=NOT-A-UNIT")


def test_a_jump_of_a_handful_of_incidents_is_not_notable():
    assert analysis.change("count", 9, 3).notable is False


def test_a_large_rise_in_counts_is_notable():
    assert analysis.change("count", 400, 250).notable is True


def test_a_rate_change_is_notable_only_when_intervals_do_not_overlap():
    assert analysis.change("rate", 0.95, 0.80, 400, 400).notable is True
    assert analysis.change("rate", 0.95, 0.90, 20, 20).notable is False


def test_a_week_far_from_its_baseline_raises_an_alert():
    history = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
    assert analysis.departs_from_baseline(history, 140) is not None
    assert analysis.departs_from_baseline(history, 101) is None


def test_red_amber_green_follow_the_targets_file():
    assert analysis.rag("incidents.same_day_rate", 0.96) == "green"
    assert analysis.rag("incidents.same_day_rate", 0.92) == "amber"
    assert analysis.rag("incidents.same_day_rate", 0.80) == "red"
    assert analysis.rag("incidents.response_median_min", 25) == "red"  # lower is better


def test_several_periods_at_once_give_the_same_values_as_one_compute_each(page):
    from dashboard.queries import db
    from dashboard.queries.kpis import metric_values_many

    ids = q_headline() + ["staff.tourism_police", "survey.satisfaction_mean"]
    periods = [OCTOBER, Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 30)), OCTOBER,
               Filters(dt.date(2025, 10, 1), dt.date(2025, 10, 31), unit=first_child())]
    db.clear_cache()
    together, extra = metric_values_many(periods, Scope.city(), ids, extra=[lambda: "weekly"])
    assert extra == ["weekly"]
    for period, values in zip(periods, together):
        db.clear_cache()
        assert values == catalog(period, *ids)


def test_every_units_weekly_frame_from_one_query_matches_one_frame_per_unit(page):
    from dashboard.queries import overview as q
    from dashboard.queries import reference
    from dashboard.queries.breakdown import metric_frame, unit_week_frames

    span = Filters(dt.date(2026, 8, 3), dt.date(2026, 10, 31))
    children = reference.drill_children(None, Scope.city())
    frames = unit_week_frames(q.ALERT_METRICS, span, Scope.city(), children)
    assert list(frames) == children
    for code in children:
        one = metric_frame(q.ALERT_METRICS, Filters(span.start, span.end, unit=code), Scope.city(), "week")
        pd.testing.assert_frame_equal(frames[code], one, check_dtype=False)


def test_concurrent_queries_come_back_in_order_and_nest_without_deadlock():
    from dashboard.queries.breakdown import concurrently

    inner = [lambda i=i: i * i for i in range(6)]
    assert concurrently([lambda j=j: concurrently(inner) + [j] for j in range(8)]) == \
        [[0, 1, 4, 9, 16, 25, j] for j in range(8)]


def q_headline():
    from dashboard.queries import overview as q

    return list(q.HEADLINE)


def first_child():
    from dashboard.queries import reference

    return reference.drill_children(None, Scope.city())[0]
