"""The Incidents page: its queries agree with the metrics catalog, its figures and its callbacks."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pandas as pd
import pytest

from dashboard.model.filters import Filters, Scope
from dashboard.queries import incidents as q
from dashboard.queries.kpis import metric_values
from dashboard.text import t
from dashboard.theme import GREY_OUT, color_of
from tests.builders.demo import TODAY
from tests.builders.statements import recorded_statements

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

CITY = Scope.city()
MONTH = Filters(dt.date(2026, 11, 1), TODAY)
YEAR = Filters(dt.date(2026, 1, 1), TODAY)
EMPTY = Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31))


@pytest.fixture(scope="module")
def page(demo_db):
    from dashboard.app import create_app
    create_app(demo_db)
    from dashboard.pages import incidents
    return incidents


def _total(filters, scope=CITY):
    return metric_values(filters, scope, ["incidents.total"])["incidents.total"].value


def _figure_json(fig):
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig


# ---------------------------------------------------------------- queries

def test_by_category_sums_to_catalog_total(demo_db):
    df = q.by_category(YEAR, CITY)
    assert set(df["category"]) <= set(q.CATEGORIES)
    assert df["incidents"].sum() == _total(YEAR)


def test_by_source_sums_to_catalog_total_with_unrecorded_sources(demo_db):
    df = q.by_source(YEAR, CITY)
    assert df["incidents"].sum() == _total(YEAR)
    assert set(s for s in df["source"] if pd.notna(s)) <= set(q.SOURCES_ORDER)


def test_sources_run_from_most_incidents_with_the_unrecorded_last(demo_db):
    df = q.by_source(YEAR, CITY)
    recorded = df[df["source"].notna()]
    assert list(recorded["incidents"]) == sorted(recorded["incidents"], reverse=True)
    assert df["source"].isna().any() and pd.isna(df["source"].iloc[-1])


def test_source_figure_names_an_unrecorded_source_not_given(demo_db):
    from dashboard.figures.incidents import source_figure
    labels = list(source_figure(q.by_source(YEAR, CITY), "zh").data[0].y)
    assert labels[0] == "未填写" and "（空）" not in labels   # drawn bottom-up: the last row first
    assert "Not given" in source_figure(q.by_source(YEAR, CITY), "en").data[0].y


def test_weekly_frames_mark_the_week_the_period_ends_in_as_partial(demo_db):
    df = q.weekly(MONTH, CITY)
    assert list(df["partial"]) == [False] * (len(df) - 1) + [True]   # 2026-11-23 is a Monday
    assert df["counted_to"].iloc[-1].date() == TODAY and df["counted_from"].iloc[-1].date() == TODAY


def test_category_values_equal_the_category_count(demo_db):
    counts = q.by_category(YEAR, CITY).set_index("category")["incidents"]
    category = counts.index[0]
    values = q.category_values(YEAR, CITY, q.KPIS, category)
    assert values["incidents.total"].value == counts[category]
    assert values["incidents.same_day_rate"].n == counts[category]


def test_category_values_without_category_are_the_catalog(demo_db):
    assert q.category_values(MONTH, CITY, q.KPIS) == metric_values(MONTH, CITY, q.KPIS)


def test_categories_partition_the_cases(demo_db):
    whole = metric_values(YEAR, CITY, ["cases.administrative", "cases.criminal"])
    parts = [q.category_values(YEAR, CITY, ["cases.administrative", "cases.criminal"], c) for c in q.CATEGORIES]
    for mid in ("cases.administrative", "cases.criminal"):
        assert sum(p[mid].value or 0 for p in parts) == whole[mid].value


def test_category_per_10k_keeps_all_visitors_as_denominator(demo_db):
    category = q.by_category(YEAR, CITY)["category"].iloc[0]
    whole = metric_values(YEAR, CITY, ["incidents.per_10k_visitors"])["incidents.per_10k_visitors"]
    part = q.category_values(YEAR, CITY, ["incidents.total", "incidents.per_10k_visitors"], category)
    assert part["incidents.per_10k_visitors"].n == whole.n
    assert part["incidents.per_10k_visitors"].value == pytest.approx(
        part["incidents.total"].value * 10000 / whole.n)


def test_area_totals_plus_unplaced_equal_catalog_total(demo_db):
    df = q.by_area(YEAR, CITY)
    assert df["incidents.total"].sum() + q.without_area(YEAR, CITY) == _total(YEAR)


def test_area_rows_are_sorted_by_rate_per_10k_visitors(demo_db):
    rates = q.by_area(YEAR, CITY)["incidents.per_10k_visitors"].dropna().tolist()
    assert rates == sorted(rates, reverse=True)


def test_area_chart_ignores_the_area_filter_so_areas_compare(demo_db):
    areas = q.by_area(YEAR, CITY)
    one = Filters(YEAR.start, YEAR.end, area=areas["key"].iloc[0])
    assert len(q.by_area(one, CITY)) == len(areas)


def test_area_totals_for_a_category_match_its_records_with_an_area(demo_db):
    category = q.by_category(YEAR, CITY)["category"].iloc[0]
    by_area = q.by_area(YEAR, CITY, category)
    records = q.records(YEAR, CITY, category, limit=10**7)
    assert by_area["incidents.total"].sum() == records["area_name"].notna().sum()


def test_unit_filter_narrows_every_breakdown(demo_db, branch):
    f = Filters(YEAR.start, YEAR.end, unit=branch)
    assert 0 < q.by_category(f, CITY)["incidents"].sum() == _total(f) < _total(YEAR)
    assert q.hour_weekday(f, CITY)["incidents"].sum() == _total(f)
    assert len(q.records(f, CITY, limit=10**7)) == _total(f)


def test_scope_narrows_like_the_unit_filter(demo_db, branch):
    scoped = Scope(branch)
    assert q.by_category(YEAR, scoped)["incidents"].sum() == _total(YEAR, scoped) == _total(
        Filters(YEAR.start, YEAR.end, unit=branch))


def test_heatmap_cells_cover_monday_to_sunday_and_24_hours(demo_db):
    df = q.hour_weekday(YEAR, CITY)
    assert df["incidents"].sum() == _total(YEAR)
    assert df["weekday"].between(1, 7).all() and df["hour"].between(0, 23).all()


def test_response_histogram_counts_incidents_with_arrival_and_caps_last_bin(demo_db):
    df = q.response_histogram(YEAR, CITY)
    median = metric_values(YEAR, CITY, ["incidents.response_median_min"])["incidents.response_median_min"]
    assert df["incidents"].sum() == median.n
    assert df["bin_min"].max() <= q.RESPONSE_CAP_MIN
    assert (df["bin_min"] % q.RESPONSE_BIN_MIN == 0).all()


def test_response_stats_median_is_the_catalog_median_and_p90_above_it(demo_db):
    stats = q.response_stats(YEAR, CITY)
    median = metric_values(YEAR, CITY, ["incidents.response_median_min"])["incidents.response_median_min"]
    assert stats["median"] == median.value and stats["n"] == median.n
    assert stats["p90"] >= stats["median"]


@pytest.mark.parametrize("filters, scope", [(YEAR, CITY), (MONTH, CITY), (YEAR, None)])
def test_response_histogram_and_stats_from_the_banded_marts_equal_those_of_every_second(demo_db, monkeypatch,
                                                                                       filters, scope):
    from dashboard.queries import db, reference

    scope = scope or Scope(reference.units(CITY).unit_code.iloc[1])
    db.clear_cache()
    banded = q.response_histogram(filters, scope), q.response_stats(filters, scope)
    monkeypatch.setattr(q, "_response_distribution", lambda f, s, c=None: q.response_seconds(f, s, c))
    exact = q.response_histogram(filters, scope), q.response_stats(filters, scope)
    assert banded[0].equals(exact[0]) and banded[1] == exact[1] and exact[1]["n"] > 0


def test_response_figures_without_a_category_do_not_read_every_second(demo_db, monkeypatch):
    ran = recorded_statements(monkeypatch)
    q.response_histogram(YEAR, CITY), q.response_stats(YEAR, CITY)
    assert ran and not any("incident_response" in sql for sql in ran)


def test_weekly_covers_at_least_twelve_whole_weeks_to_the_end(demo_db):
    df = q.weekly(MONTH, CITY)
    assert len(df) >= q.TREND_WEEKS
    assert all(k.weekday() == 0 for k in df["key"])
    span = q.trend_span(MONTH)
    assert df["cases.criminal"].sum() == metric_values(span, CITY, ["cases.criminal"])["cases.criminal"].value


def test_weekly_same_day_n_sums_to_incidents_of_the_span(demo_db):
    category = q.by_category(YEAR, CITY)["category"].iloc[0]
    df = q.weekly(MONTH, CITY, category)
    span = q.trend_span(MONTH)
    assert df["incidents.same_day_rate#n"].fillna(0).sum() == q.category_values(
        span, CITY, ["incidents.total"], category)["incidents.total"].value


def test_enforcement_total_is_the_catalog(demo_db):
    values = metric_values(YEAR, CITY, q.ENFORCE)
    assert q.enforcement_total(YEAR, CITY) == {m: values[m].value for m in q.ENFORCE}


def test_enforcement_by_unit_has_one_column_per_metric(demo_db):
    df = q.enforcement_by_unit(YEAR, CITY)
    assert list(df.columns) == ["key", "name", *q.ENFORCE] and len(df) > 0


def test_records_are_newest_first_limited_and_masked(demo_db):
    df = q.records(YEAR, CITY, limit=50)
    assert len(df) == 50
    assert list(df["received_at"]) == sorted(df["received_at"], reverse=True)
    assert not df["summary"].fillna("").str.contains(r"1[3-9]\d{9}").any()
    assert "phone" not in df.columns and "tourist_origin" not in df.columns


def test_empty_period_gives_empty_frames(demo_db):
    assert q.by_category(EMPTY, CITY).empty and q.hour_weekday(EMPTY, CITY).empty
    assert q.response_stats(EMPTY, CITY)["n"] == 0
    assert q.category_values(EMPTY, CITY, ["incidents.total"], "盗窃")["incidents.total"].value == 0


# ---------------------------------------------------------------- figures

def test_category_figure_colours_greys_others_and_carries_recorded_values(demo_db):
    from dashboard.figures.incidents import category_figure
    df = q.by_category(YEAR, CITY)
    chosen = df["category"].iloc[1]
    bar = category_figure(df, chosen, "en").data[0]
    colours = dict(zip(bar.customdata, bar.marker.color))
    assert colours[chosen] == color_of(chosen)
    assert all(c == GREY_OUT for v, c in colours.items() if v != chosen)
    assert "Theft" in bar.y or "Lost item" in bar.y  # English labels, Chinese customdata
    assert set(bar.customdata) <= set(q.CATEGORIES)


def test_area_figure_sets_rate_beside_count(demo_db):
    from dashboard.figures.incidents import area_figure
    fig = area_figure(q.by_area(YEAR, CITY), None, "zh")
    assert len(fig.data) == 2
    assert fig.data[0].xaxis == "x" and fig.data[1].xaxis == "x2"
    assert "游客" in fig.data[0].hovertext[0]


def test_heatmap_rows_run_monday_first(demo_db):
    from dashboard.figures.incidents import heatmap_figure
    fig = heatmap_figure(q.hour_weekday(YEAR, CITY), "en")
    assert list(fig.data[0].y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert list(fig.data[0].x) == list(range(24))
    assert fig.layout.yaxis.autorange == "reversed"


def test_response_figure_marks_median_and_p90(demo_db):
    from dashboard.figures.incidents import response_figure
    stats = q.response_stats(YEAR, CITY)
    fig = response_figure(q.response_histogram(YEAR, CITY), stats, q.RESPONSE_BIN_MIN, q.RESPONSE_CAP_MIN, "zh")
    texts = [a.text for a in fig.layout.annotations]
    assert any(s.startswith("中位数") for s in texts) and any(s.startswith("P90") for s in texts)
    assert fig.layout.xaxis.ticktext[-1] == f"≥{q.RESPONSE_CAP_MIN}"


def test_same_day_figure_shows_n_target_and_hollow_part_week(demo_db):
    from dashboard.figures.incidents import same_day_figure
    df = q.weekly(MONTH, CITY)
    fig = same_day_figure(df, [], {"target": 0.95}, "zh")
    line, dotted, hollow = fig.data
    assert all("n=" in h for h in line.hovertext)
    assert any(getattr(s, "y0", None) == 0.95 for s in fig.layout.shapes)
    assert pd.isna(line.y[-1]) and pd.notna(line.y[-2])        # 2026-11-23 is a Monday: off the solid line
    assert dotted.line.dash == "dot" and hollow.marker.color == "white" and len(hollow.y) == 1
    assert "不完整周" in hollow.hovertext[0]
    assert any(a.text == "不完整周" for a in fig.layout.annotations)


def test_weekly_points_and_bars_span_their_monday_to_sunday(demo_db):
    from dashboard.figures.incidents import cases_figure, same_day_figure
    df = q.weekly(MONTH, CITY)
    for fig in (same_day_figure(df, [], None, "zh"), cases_figure(df, [], "zh")):
        for trace in fig.data:
            assert trace.xperiodalignment == "middle" and trace.xperiod == 7 * 24 * 3600 * 1000
            assert trace.xperiod0 == "2000-01-03"                           # a Monday
        assert fig.layout.xaxis.range[0] == df["key"].iloc[0].date().isoformat()


def test_same_day_rate_axis_ticks_round_points_with_room_above_100(demo_db):
    from dashboard.figures.incidents import same_day_figure
    axis = same_day_figure(q.weekly(MONTH, CITY), [], None, "zh").layout.yaxis
    ticks = list(axis.tickvals)
    assert ticks[-1] == 1.0 and axis.range[1] > 1.0 and axis.tickformat == ".0%"
    steps = {round(b - a, 4) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and steps <= {0.05, 0.1, 0.2}


def test_cases_figure_uses_case_type_colours_and_hatches_the_part_week(demo_db):
    from dashboard.figures.incidents import cases_figure
    fig = cases_figure(q.weekly(MONTH, CITY), [], "zh")
    whole = [tr for tr in fig.data if tr.showlegend is not False]
    part = [tr for tr in fig.data if tr.showlegend is False]
    assert [tr.marker.color for tr in whole] == [color_of("行政案件"), color_of("刑事案件")]
    assert all(tr.marker.pattern.shape == "/" and len(tr.x) == 1 for tr in part)
    assert [tr.offsetgroup for tr in part] == [tr.offsetgroup for tr in whole]   # same slot as its series


def test_a_hatched_part_week_gets_its_colour_as_one_colour_not_a_list(demo_db):
    # plotly.js's pattern code takes a list whole and logs "Invalid color specifier: Array(1)"
    from dashboard.figures.incidents import cases_figure
    part = [tr for tr in cases_figure(q.weekly(MONTH, CITY), [], "zh").data if tr.showlegend is False]
    assert part and [tr.marker.color for tr in part] == [color_of("行政案件"), color_of("刑事案件")]


@pytest.mark.parametrize("build, query", [("category_figure", "by_category"), ("source_figure", "by_source")])
def test_bar_labels_past_the_longest_bar_fit_in_the_right_margin(demo_db, build, query):
    from dashboard.figures import incidents as figs
    from dashboard.figures.base import text_px
    long_span = Filters(dt.date(2024, 1, 1), TODAY)           # five-digit counts: "9,551 (24%)"
    df = getattr(q, query)(long_span, CITY)
    args = (None, "zh") if build == "category_figure" else ("zh",)
    fig = getattr(figs, build)(df, *args)
    widest = max(text_px(s, 14) for s in fig.data[0].text)
    assert fig.layout.margin.r >= widest


def test_figures_say_no_data_on_an_empty_period(demo_db):
    from dashboard.figures import incidents as figs
    message = t("empty.no_data", "zh")
    built = [figs.category_figure(q.by_category(EMPTY, CITY), None, "zh"),
             figs.source_figure(q.by_source(EMPTY, CITY), "zh"),
             figs.area_figure(q.by_area(EMPTY, CITY), None, "zh"),
             figs.heatmap_figure(q.hour_weekday(EMPTY, CITY), "zh"),
             figs.response_figure(q.response_histogram(EMPTY, CITY), q.response_stats(EMPTY, CITY), 5, 90, "zh"),
             figs.same_day_figure(q.weekly(EMPTY, CITY), [], None, "zh"),
             figs.cases_figure(q.weekly(EMPTY, CITY), [], "zh")]
    for fig in built:
        assert not fig.data and fig.layout.annotations[0].text == message


# ---------------------------------------------------------------- callbacks

def test_kpi_callback_renders_six_cards(page):
    cols = page.render_kpis("?period=this_month")
    assert len(cols) == 6


def test_category_in_url_narrows_records_count(page):
    category = q.by_category(MONTH, CITY)["category"].iloc[0]
    n = q.category_values(MONTH, CITY, ["incidents.total"], category)["incidents.total"].value
    rows, count = page.render_records(f"?period=this_month&category={category}")
    assert len(rows) == min(n, q.RECORD_LIMIT) and f"{n:,}" in count
    assert {r["category"] for r in rows} == {category}


def test_records_callback_says_how_many_in_all(page):
    rows, count = page.render_records("?period=this_year&lang=en")
    total = _total(YEAR)
    assert len(rows) == q.RECORD_LIMIT < total
    assert f"{total:,}" in count and "500" in count
    assert rows[0]["same_day"] in ("yes", "no")


def test_invalid_category_in_store_is_refused_not_widened(page):
    from dashboard.refusals import InvalidInput
    with pytest.raises(InvalidInput, match="category=DROP TABLE"):
        page.render_records("?period=this_month&category=DROP TABLE")


def test_breakdowns_callback_highlights_chosen_category(page):
    category = q.by_category(MONTH, CITY)["category"].iloc[0]
    cat_fig, _, _, _ = page.render_breakdowns(f"?period=this_month&category={category}")
    bar = _figure_json(cat_fig)["data"][0]
    colours = dict(zip(bar["customdata"], bar["marker"]["color"]))
    assert colours[category] != GREY_OUT and list(colours.values()).count(GREY_OUT) == len(colours) - 1


def test_enforcement_callback_pins_the_catalog_total(page):
    rows, options = page.render_enforcement("?period=this_year")
    pinned = options.to_plotly_json() if hasattr(options, "to_plotly_json") else options
    assert "pinnedTopRowData" in str(pinned)
    assert all(r["key"] != page.TOTAL_KEY for r in rows)


def test_trends_callback_states_the_span(page):
    _, _, hint, _ = page.render_trends("?period=this_month")
    assert q.trend_span(MONTH).start.isoformat() in hint


def _drill(page, monkeypatch, trigger, category=None, area=None, unit=None, search="?period=this_month"):
    import dash
    monkeypatch.setattr(dash, "ctx", type("Ctx", (), {"triggered_id": trigger})())
    return page.drill(category, area, unit, search)


def test_category_click_sets_category_in_url(page, monkeypatch):
    out = _drill(page, monkeypatch, page.CATEGORY, category={"points": [{"customdata": "盗窃", "y": "Theft"}]})
    assert parse_qs(out.lstrip("?")) == {"period": ["this_month"], "category": ["盗窃"]}


def test_clicking_the_chosen_category_again_clears_it(page, monkeypatch):
    out = _drill(page, monkeypatch, page.CATEGORY, category={"points": [{"customdata": "盗窃"}]},
                 search="?period=this_month&category=盗窃")
    assert "category" not in parse_qs(out.lstrip("?"))


def test_area_click_drills_into_the_area(page, monkeypatch):
    code = q.by_area(MONTH, CITY)["key"].iloc[0]
    out = _drill(page, monkeypatch, page.AREA, area={"points": [{"customdata": code}]},
                 search="?period=this_month&category=盗窃")
    assert parse_qs(out.lstrip("?")) == {"period": ["this_month"], "area": [code], "category": ["盗窃"]}


def test_unit_row_click_drills_into_the_unit(page, monkeypatch, branch):
    out = _drill(page, monkeypatch, page.ENFORCE, unit={"rowId": branch, "colId": "name"})
    assert parse_qs(out.lstrip("?")) == {"period": ["this_month"], "unit": [branch]}


@pytest.mark.parametrize("trigger,kwargs", [
    ("incidents-category", {"category": {"points": [{"customdata": "<script>"}]}}),
    ("incidents-category", {"category": {"points": []}}),
    ("incidents-area", {"area": {"points": [{"customdata": "NOPE"}]}}),
    ("incidents-area", {"area": None}),
    ("incidents-enforcement", {"unit": {"rowId": "__total__"}}),
    ("incidents-enforcement", {"unit": {"rowId": {"$ne": 1}}}),
])
def test_invalid_click_is_refused(page, monkeypatch, trigger, kwargs):
    import dash
    assert _drill(page, monkeypatch, trigger, **kwargs) is dash.no_update
