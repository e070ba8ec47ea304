"""The Mediation page: its queries agree with the metrics catalog, its figures and its callbacks."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pandas as pd
import pytest
from dash import no_update

from dashboard.figures import mediation as figs
from dashboard.model.filters import Filters, Scope
from dashboard.queries import db, reference
from dashboard.queries import mediation as q
from dashboard.queries.breakdown import with_coverage
from dashboard.queries.kpis import metric_values
from dashboard.state import View
from dashboard.text import t
from dashboard.theme import RAG, color_of
from warehouse.record_types import DISPUTE_TYPES, MEDIATION_RESULTS
from tests.builders.demo import TODAY
from tests.builders.statements import recorded_statements

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

CITY = Scope.city()
MONTH = Filters(dt.date(2026, 11, 1), TODAY)
YEAR = Filters(dt.date(2026, 1, 1), TODAY)
EMPTY = Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
CATALOG = ["mediation.total", "mediation.success_rate", "mediation.compensation_yuan"]


@pytest.fixture(scope="module")
def page(demo_db):
    from dashboard.app import create_app
    create_app(demo_db)
    from dashboard.pages import mediation
    return mediation


def _catalog(filters, scope=CITY):
    return metric_values(filters, scope, CATALOG)


def _count(sql, params=None):
    return db.rows(sql, params or {})[0][0]


def _in_year(extra=""):
    return _count(f"select count(*) from mediations where opened_at >= $s and opened_at < $e {extra}",
                  {"s": YEAR.start, "e": YEAR.end + dt.timedelta(days=1)})


# ---------------------------------------------------------------- queries


def test_page_composed_catalog_metrics_equal_the_catalog_engine(demo_db):
    mine, theirs = q.values(YEAR, CITY, CATALOG), _catalog(YEAR)
    for mid in CATALOG:
        assert mine[mid].value == pytest.approx(theirs[mid].value)
        assert mine[mid].n == theirs[mid].n


def test_fast_track_share_is_fast_track_over_known(demo_db):
    v = q.values(YEAR, CITY, [q.FAST_TRACK.id])[q.FAST_TRACK.id]
    known = _in_year("and fast_track is not null")
    assert v.n == known
    assert v.value == pytest.approx(_in_year("and fast_track") / known)


@pytest.mark.parametrize("group", [q.by_unit, q.by_area])
@pytest.mark.parametrize("filters", [YEAR, Filters(MONTH.start, MONTH.end, unit="YL0003"),
                                     Filters(YEAR.start, YEAR.end, season="旺季")])
def test_group_rates_read_the_daily_rollup_and_equal_the_records(demo_db, monkeypatch, group, filters):
    ran = recorded_statements(monkeypatch)
    rolled = group(filters, CITY)
    sql = next(sql for sql in ran if "from mediations" in sql)
    assert "mediation_daily" in sql and "r.result" not in sql   # the records: fast track and hours only
    monkeypatch.setattr(q, "_rollup_where", lambda *args: None)   # the records alone, as a chosen type reads
    db.clear_cache()
    pd.testing.assert_frame_equal(rolled, group(filters, CITY))


@pytest.mark.parametrize("filters", [YEAR, Filters(MONTH.start, MONTH.end, area="YLA002"),
                                     Filters(YEAR.start, YEAR.end, unit="YL0003", season="淡季")])
def test_weekly_trend_reads_the_daily_rollup_and_equals_the_records(demo_db, monkeypatch, filters):
    ran = recorded_statements(monkeypatch)
    rolled = q.weekly_trend(filters, CITY)
    assert any("mediation_daily" in sql for sql in ran) and not any("from mediations" in sql for sql in ran)
    monkeypatch.setattr(q, "_rollup_where", lambda *args: None)   # the records alone, as a chosen type reads
    db.clear_cache()
    pd.testing.assert_frame_equal(rolled, q.weekly_trend(filters, CITY))


def test_records_count_reads_the_daily_rollup_and_equals_the_records(demo_db, monkeypatch):
    ran = recorded_statements(monkeypatch)
    _, total = q.records(YEAR, CITY)
    assert total == _in_year() and any("from mediation_daily" in sql for sql in ran)
    _, typed = q.records(YEAR, CITY, "消费纠纷")          # a dispute type: counted on the records
    assert typed == _in_year("and dispute_type = '消费纠纷'")


def test_close_median_hours_is_over_closed_mediations(demo_db):
    v = q.values(YEAR, CITY, [q.CLOSE_MEDIAN.id])[q.CLOSE_MEDIAN.id]
    assert v.n == _in_year("and closed_at is not null")
    _, stats = q.close_time(YEAR, CITY)
    assert v.value == pytest.approx(stats["median_hours"])


def test_headline_without_category_comes_from_catalog(demo_db):
    view = View("this_year", YEAR.start, YEAR.end)
    figures = q.headline(view.filters, view.comparison, CITY)
    assert list(figures) == q.HEADLINE
    theirs = _catalog(YEAR)
    for mid in CATALOG:
        assert figures[mid].now.value == pytest.approx(theirs[mid].value)
    assert len(figures[q.FAST_TRACK.id].weekly) == len(figures["mediation.total"].weekly)


def test_headline_with_category_counts_only_that_type(demo_db):
    view = View("this_year", YEAR.start, YEAR.end)
    figures = q.headline(view.filters, view.comparison, CITY, "消费纠纷")
    counts = q.type_result_counts(YEAR, CITY)
    mine = counts[counts.dispute_type == "消费纠纷"]
    assert figures["mediation.total"].now.value == mine["count"].sum()
    resolved = mine[mine.result != "调解中"]["count"].sum()
    assert figures["mediation.success_rate"].now.n == resolved
    assert figures["mediation.success_rate"].now.value == pytest.approx(
        mine[mine.result == "调解成功"]["count"].sum() / resolved)


def test_type_result_counts_cover_every_pair_and_sum_to_total(demo_db):
    df = q.type_result_counts(YEAR, CITY)
    assert len(df) == len(DISPUTE_TYPES) * len(MEDIATION_RESULTS)
    assert df["count"].sum() == _catalog(YEAR)["mediation.total"].value


def test_compensation_by_type_sums_to_catalog_compensation(demo_db):
    df = q.compensation_by_type(YEAR, CITY)
    assert df["total_yuan"].sum() == pytest.approx(_catalog(YEAR)["mediation.compensation_yuan"].value)
    assert list(df["dispute_type"]) == [d for d in DISPUTE_TYPES if d in set(df["dispute_type"])]
    paid = df[df.paid > 0]
    assert (paid.q1_yuan <= paid.median_yuan).all() and (paid.median_yuan <= paid.q3_yuan).all()


def test_by_unit_rates_equal_catalog_for_each_unit_and_small_ones_come_last(demo_db):
    df = q.by_unit(MONTH, CITY)
    assert set(df["key"]) == set(reference.drill_children(None, CITY))
    for _, row in df.iterrows():
        theirs = _catalog(Filters(MONTH.start, MONTH.end, unit=row["key"]))
        assert row["mediation.total"] == theirs["mediation.total"].value
        assert row["mediation.success_rate#n"] == (theirs["mediation.success_rate"].n or 0)
        assert row["small"] == (row["mediation.success_rate#n"] < q.MIN_CASES)
    assert df["small"].tolist() == sorted(df["small"].tolist())
    ranked = df[~df["small"]]["mediation.success_rate"].tolist()
    assert ranked == sorted(ranked, reverse=True)


def test_by_area_rates_equal_catalog_for_each_area(demo_db):
    df = q.by_area(YEAR, CITY)
    assert not df.empty
    for _, row in df.head(3).iterrows():
        theirs = _catalog(Filters(YEAR.start, YEAR.end, area=row["key"]))
        assert row["mediation.success_rate"] == pytest.approx(theirs["mediation.success_rate"].value)
        assert row["mediation.success_rate#hits"] == round(
            theirs["mediation.success_rate"].value * theirs["mediation.success_rate"].n)


def test_unit_filter_narrows_groups_and_records(branch):
    narrowed = Filters(YEAR.start, YEAR.end, unit=branch)
    df = q.by_unit(narrowed, CITY)
    assert set(df["key"]) == set(reference.drill_children(branch, CITY))
    records, total = q.records(narrowed, CITY)
    assert 0 < total == _catalog(narrowed)["mediation.total"].value < _catalog(YEAR)["mediation.total"].value
    subtree = {row[0] for row in db.rows("select unit_code from unit_closure where ancestor_code = $u",
                                         {"u": branch})}
    names = reference.unit_names(CITY)
    assert set(records["unit_name"]) <= {names[c] for c in subtree}


def test_scope_limits_what_a_unit_user_sees(branch):
    scoped = Scope(branch)
    assert q.values(YEAR, scoped, ["mediation.total"])["mediation.total"].value == \
        _catalog(Filters(YEAR.start, YEAR.end, unit=branch))["mediation.total"].value
    assert set(q.by_unit(YEAR, scoped)["key"]) <= set(reference.units(scoped).unit_code)


def test_close_time_bins_hold_every_closed_mediation(demo_db):
    bins, stats = q.close_time(YEAR, CITY)
    assert list(bins["bin"]) == list(range(len(q.CLOSE_BIN_EDGES) + 1))
    assert bins["count"].sum() == stats["closed"] == _in_year("and closed_at is not null")
    assert stats["still_open"] == _in_year("and closed_at is null")
    assert stats["median_hours"] <= stats["p90_hours"]


def test_weekly_trend_spans_whole_weeks_and_sums_to_catalog(demo_db):
    df = q.weekly_trend(MONTH, CITY)
    span = q.trend_span(MONTH)
    assert span.start.weekday() == 0 and len(df) >= 12
    assert df["mediation.total"].sum() == _catalog(span)["mediation.total"].value


def test_records_are_newest_first_capped_with_total(demo_db):
    df, total = q.records(YEAR, CITY, limit=50)
    assert len(df) == 50 and total == _catalog(YEAR)["mediation.total"].value
    assert df["opened_at"].tolist() == sorted(df["opened_at"].tolist(), reverse=True)
    assert "phone" not in df.columns and "incident_id" not in df.columns


def test_empty_period_gives_empty_frames_and_null_rates(demo_db):
    assert q.type_result_counts(EMPTY, CITY)["count"].sum() == 0
    assert q.by_area(EMPTY, CITY).empty
    assert q.values(EMPTY, CITY, [q.FAST_TRACK.id])[q.FAST_TRACK.id].value is None


# ---------------------------------------------------------------- figures

def _counts():
    return pd.DataFrame([("消费纠纷", "调解成功", 5), ("消费纠纷", "调解失败", 2), ("住宿纠纷", "调解成功", 3)],
                        columns=["dispute_type", "result", "count"])


def test_type_figure_uses_result_colours_and_dims_unselected_types():
    fig = figs.type_result_figure(_counts(), "zh", selected="住宿纠纷")
    bars = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    assert bars["调解成功"].marker.color == color_of("调解成功") == RAG["green"]
    assert bars["调解失败"].marker.color == RAG["red"]
    assert list(bars["调解成功"].y) == ["消费纠纷", "住宿纠纷"]
    assert list(bars["调解成功"].marker.opacity) == [figs.DIMMED, 1.0]
    assert bars["调解成功"].customdata[1][0] == "住宿纠纷"


def test_type_figure_in_english_shows_glossed_values():
    fig = figs.type_result_figure(_counts(), "en")
    names = {tr.name for tr in fig.data if tr.type == "bar"}
    assert names == {"Settled", "Failed"}
    assert "Consumer" in fig.data[0].y


def test_figures_say_so_in_words_when_empty():
    empty = t("empty.no_data", "zh")
    zero = _counts().assign(count=0)
    bins = pd.DataFrame({"bin": range(8), "count": [0] * 8})
    for fig in (figs.type_result_figure(zero, "zh"), figs.close_time_figure(bins, {}, "zh"),
                figs.compensation_figure(pd.DataFrame(columns=["dispute_type", "cases"]), "zh"),
                figs.weekly_figure(pd.DataFrame(columns=["key", "mediation.total"]), [], "zh"),
                figs.share_bars_figure(pd.DataFrame(columns=["key", "name", "small", "r#n"]), "r", "zh", 10)):
        assert fig.layout.annotations[0].text == empty
        assert not fig.data


def _rates():
    return pd.DataFrame({"key": ["U1", "U2", "U3"], "name": ["甲", "乙", "丙"], "r": [0.5, 1.0, 0.9],
                         "r#n": [20, 3, 30], "r#hits": [10, 3, 27], "small": [False, True, False]})


def test_share_bars_rank_big_groups_as_bars_coloured_against_the_target():
    fig = figs.share_bars_figure(_rates(), "r", "zh", 10, target=0.85, metric_id="mediation.success_rate")
    bar = fig.data[0]
    assert bar.type == "bar" and list(bar.y) == ["丙", "甲"]
    assert "(27/30)" in bar.text[0]
    assert bar.marker.color[0] == RAG["green"] and bar.marker.color[1] == RAG["red"]
    assert bar.customdata[0][0] == "U3"
    assert any(s.x0 == 0.85 for s in fig.layout.shapes)


def test_share_bars_draw_small_groups_as_a_mark_at_the_axis_after_the_ranked():
    fig = figs.share_bars_figure(_rates(), "r", "zh", 10, target=0.85, metric_id="mediation.success_rate")
    mark = fig.data[1]
    assert mark.type == "scatter" and list(mark.x) == [0] and list(mark.y) == ["乙"]   # no 100 % bar
    assert "3/3" in mark.text[0] and "不足10起，不排名" in mark.text[0]
    assert list(fig.layout.yaxis.categoryarray) == ["丙", "甲", "乙"]
    assert mark.customdata[0][0] == "U2"                       # still a drill target
    assert any(s.yref == "y" and s.y0 == 1.5 for s in fig.layout.shapes)   # the line under the ranked


def test_close_time_figure_marks_median_and_p90():
    bins = pd.DataFrame({"bin": range(8), "count": [5, 9, 4, 2, 1, 0, 0, 0]})
    fig = figs.close_time_figure(bins, {"closed": 21, "still_open": 1, "median_hours": 0.8, "p90_hours": 3.1}, "zh")
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "中位数 0.8 小时" in texts and "P90 3.1 小时" in texts and "调解中 1 起" in texts


def test_close_time_marks_stand_over_the_tallest_bar_and_apart_from_each_other():
    # The median over the tallest bar, P90 over a low one beside it: lifted over its own bar, the
    # P90 label stood among the taller bars' numbers and over the median's (a phone's narrow bars).
    bins = pd.DataFrame({"bin": range(8), "count": [900, 950, 1000, 300, 80, 20, 2, 0]})
    fig = figs.close_time_figure(bins, {"closed": 3252, "still_open": 0, "median_hours": 1.5,
                                        "p90_hours": 3.6}, "zh")
    median, p90 = (a for a in fig.layout.annotations if a.showarrow)
    assert median.ayref == p90.ayref == "y" and median.yanchor == p90.yanchor == "bottom"
    assert min(median.ay, p90.ay) >= 1.15 * 1000                 # clear of every bar's number
    assert median.ay > p90.ay and p90.xanchor == "left"          # near each other: two rows, P90 to the right


def _weeks(partial_last: bool):
    keys = pd.to_datetime([dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 11, 23)])
    df = pd.DataFrame({"key": keys, "mediation.total": [10, 12, 1], "mediation.success_rate": [0.9, 0.8, 0.5],
                       "mediation.success_rate#n": [10, 10, 2]})
    return with_coverage(df, Filters(dt.date(2026, 11, 9), TODAY if partial_last else dt.date(2026, 11, 29)),
                         "week")


def test_weekly_figure_shades_peaks_and_hatches_the_partial_week():
    bands = [(dt.date(2026, 11, 10), dt.date(2026, 11, 12), "peak_deployment")]
    fig = figs.weekly_figure(_weeks(partial_last=True), bands, "zh")
    assert len(fig.layout.shapes) == 1
    whole, part = (tr for tr in fig.data if tr.type == "bar")
    assert len(whole.x) == 2 and len(part.x) == 1 and part.marker.pattern.shape == "/"
    assert part.marker.opacity < whole.marker.opacity
    assert "11-23 至 11-23" in part.hovertext[0] and "1 天" in part.hovertext[0]


def test_weekly_rate_of_a_partial_week_is_hollow_on_a_dotted_segment_not_a_fall():
    fig = figs.weekly_figure(_weeks(partial_last=True), [], "zh")
    lines = [tr for tr in fig.data if tr.type == "scatter"]
    solid, dotted, hollow = lines
    assert list(solid.y) == [0.9, 0.8, None]
    assert dotted.line.dash == "dot" and hollow.marker.color == "white" and list(hollow.y) == [0.5]
    assert "n=2" in hollow.hovertext[0]
    assert len([tr for tr in figs.weekly_figure(_weeks(partial_last=False), [], "zh").data
                if tr.type == "scatter"]) == 1


def test_compensation_axis_reads_in_yuan_not_k():
    df = pd.DataFrame({"dispute_type": ["消费纠纷", "住宿纠纷"], "total_yuan": [8061.0, 12000.0], "cases": [3, 4],
                       "paid": [2, 3], "q1_yuan": [100, 200], "median_yuan": [300, 400], "q3_yuan": [500, 600],
                       "min_yuan": [50, 60], "max_yuan": [3000, 4000], "p90_yuan": [2000, 3000]})
    zh, en = figs.compensation_figure(df, "zh").layout, figs.compensation_figure(df, "en").layout
    assert zh.xaxis.tickformat == ",d" and zh.xaxis2.tickformat == ",d" and not zh.xaxis.tickprefix
    assert en.xaxis.tickprefix == "¥" and "~s" not in (en.xaxis.tickformat or "")
    big = df.assign(total_yuan=[380000.0, 120000.0])
    assert figs.compensation_figure(big, "zh").layout.xaxis.ticktext[1].endswith("万")


def test_compensation_sums_go_inside_their_bars_where_they_fit_not_all_under_the_box_panel():
    df = pd.DataFrame({"dispute_type": ["消费纠纷", "住宿纠纷"], "total_yuan": [376121.0, 8000.0], "cases": [3, 4],
                       "paid": [2, 3], "q1_yuan": [100, 200], "median_yuan": [300, 400], "q3_yuan": [500, 600],
                       "min_yuan": [50, 60], "max_yuan": [3000, 4000], "p90_yuan": [2000, 3000]})
    bars = figs.compensation_figure(df, "zh").data[0]
    assert bars.type == "bar" and bars.textposition == "auto" and bars.text[0] == "¥376,121"


# ---------------------------------------------------------------- callbacks

def test_kpi_callback_renders_five_cards(page):
    cols = page.render_kpis("?period=this_month")
    assert len(cols) == 5
    assert cols[3].children.id == "mediation-kpi-3"


def test_records_callback_narrows_to_category_and_counts(page):
    cols, rows, count = page.render_records("?period=this_year&category=住宿纠纷")
    assert rows and {r["dispute_type"] for r in rows} == {"住宿纠纷"}
    assert [c["field"] for c in cols][0] == "mediation_id"
    total = q.values(YEAR, CITY, ["mediation.total"], "住宿纠纷")["mediation.total"].value
    assert f"{total:,}" in count


def test_posted_invalid_category_is_refused_not_widened(page):
    from dashboard.refusals import InvalidInput
    with pytest.raises(InvalidInput, match="category=DROP TABLE"):
        page.render_records("?period=this_year&category=DROP TABLE")


def test_clicking_a_dispute_type_narrows_and_clicking_again_clears(page, monkeypatch):
    monkeypatch.setattr(page.dash, "ctx", type("C", (), {"triggered_id": page.TYPES})())
    click = {"points": [{"customdata": ["餐饮纠纷", 0.5, 10]}]}
    out = page.drill(click, None, None, None, None, "?period=this_month")
    assert parse_qs(out.lstrip("?"))["category"] == ["餐饮纠纷"]
    cleared = page.drill(click, None, None, None, None, out)
    assert "category" not in parse_qs(cleared.lstrip("?"))


def test_clicking_an_unknown_type_is_refused(page, monkeypatch):
    monkeypatch.setattr(page.dash, "ctx", type("C", (), {"triggered_id": page.TYPES})())
    assert page.drill({"points": [{"customdata": ["赌博纠纷"]}]}, None, None, None, None, "?") is no_update


def test_clicking_a_unit_bar_drills_into_it(page, branch, monkeypatch):
    monkeypatch.setattr(page.dash, "ctx", type("C", (), {"triggered_id": page.UNIT_RATE})())
    out = page.drill(None, None, {"points": [{"customdata": [branch, 1, 2]}]}, None, None,
                     "?period=this_month&area=YLA001")
    args = parse_qs(out.lstrip("?"))
    assert args["unit"] == [branch] and "area" not in args


def test_clicking_a_unit_outside_the_children_is_refused(page, monkeypatch):
    monkeypatch.setattr(page.dash, "ctx", type("C", (), {"triggered_id": page.UNIT_FAST})())
    assert page.drill(None, None, None, None, {"points": [{"customdata": ["NOPE"]}]}, "?") is no_update


def test_clicking_an_area_bar_drills_into_it(page, monkeypatch):
    area = next(iter(reference.area_names(CITY)))
    monkeypatch.setattr(page.dash, "ctx", type("C", (), {"triggered_id": page.AREA_RATE})())
    out = page.drill(None, None, None, {"points": [{"customdata": [area]}]}, None, "?period=this_year")
    assert parse_qs(out.lstrip("?"))["area"] == [area]


def test_layout_shows_a_clear_link_for_the_chosen_category(page):
    tree = str(page.layout(period="this_month", category="住宿纠纷"))
    assert "纠纷类型：住宿纠纷" in tree and "显示全部类型" in tree


def test_compensation_figure_says_none_was_paid_instead_of_an_empty_axis():
    df = pd.DataFrame({"dispute_type": ["消费纠纷"], "total_yuan": [0.0], "cases": [3], "paid": [0]})
    fig = figs.compensation_figure(df, "zh")
    assert not fig.data and "3 起纠纷均无赔付" in fig.layout.annotations[0].text
