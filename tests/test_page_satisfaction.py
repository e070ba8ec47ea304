"""The Satisfaction page: survey queries agree with the catalog, figures show every rate's n and
interval, small samples stay unranked, comments are masked, and callbacks narrow or refuse safely."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.model.breakdowns import QUESTION_LABELS
from dashboard.model.filters import Filters, Scope
from dashboard.queries import satisfaction as q
from dashboard.queries.kpis import metric_values
from dashboard.refusals import InvalidInput
from dashboard.theme import GREY_OUT, LIKERT_COLORS

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

CITY = Scope.city()
QUARTER = Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 23))
YEAR = Filters(dt.date(2026, 1, 1), dt.date(2026, 11, 23))
EMPTY = Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31))


@pytest.fixture(scope="module")
def page(demo_db):
    from dashboard.app import create_app
    create_app(demo_db)
    from dashboard.pages import satisfaction as module
    return module


@pytest.fixture(scope="module")
def some_area(demo_db):
    df = q.survey_rates(YEAR, CITY, "area")
    return df.dropna(subset=["key"]).sort_values("survey.responses", ascending=False)["key"].iloc[0]


@pytest.fixture(scope="module")
def some_unit(demo_db):
    from dashboard.queries import reference
    return reference.drill_children(None, CITY)[0]


def trigger(component_id: str, prop: str, value) -> None:
    """Stand in for Dash's request context, so `ctx.triggered_id` names the clicked component."""
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{component_id}.{prop}", "value": value}]))


def click(key) -> dict:
    return {"points": [{"customdata": key, "x": 0.9, "y": "1. x"}]}


# ---- queries ----------------------------------------------------------------------------------

def test_whole_period_rates_equal_the_catalog(demo_db):
    row = q.survey_rates(YEAR, CITY).iloc[0]
    expected = metric_values(YEAR, CITY, q.KPI_METRICS)
    for mid in q.KPI_METRICS:
        assert row[mid] == pytest.approx(expected[mid].value)
    assert row["survey.satisfaction_rate#low"] == pytest.approx(expected["survey.satisfaction_rate"].low)
    assert int(row["survey.safety_rate#n"]) == expected["survey.safety_rate"].n


def test_channel_breakdown_adds_up_to_the_catalog_total(demo_db):
    df = q.survey_rates(YEAR, CITY, "channel")
    assert df["survey.responses"].sum() == metric_values(YEAR, CITY, ["survey.responses"])["survey.responses"].value


def test_area_segment_rate_equals_the_catalog_for_that_area(demo_db, some_area):
    seg = q.segments(YEAR, CITY, "area", "survey.satisfaction_rate").set_index("key").loc[some_area]
    expected = metric_values(Filters(YEAR.start, YEAR.end, area=some_area), CITY, ["survey.satisfaction_rate"])
    assert seg["survey.satisfaction_rate"] == pytest.approx(expected["survey.satisfaction_rate"].value)
    assert seg["n"] == expected["survey.satisfaction_rate"].n


def test_trend_has_every_bucket_and_adds_up_to_the_total(demo_db):
    df = q.trend(QUARTER, CITY, "week")
    weeks = (QUARTER.end - (QUARTER.start - dt.timedelta(days=QUARTER.start.weekday()))).days // 7 + 1
    assert len(df) == weeks
    total = metric_values(QUARTER, CITY, ["survey.responses"])["survey.responses"].value
    assert df["survey.responses"].sum() == total
    assert (df["survey.satisfaction_rate#low"].dropna() <= df["survey.satisfaction_rate"].dropna()).all()


def test_unit_filter_leaves_out_answers_without_a_unit(demo_db, some_unit):
    city = metric_values(YEAR, CITY, ["survey.responses"])["survey.responses"].value
    unitless = q.unitless_count(YEAR, CITY)
    from dashboard.queries import reference
    tops = reference.drill_children(None, CITY)
    in_units = sum(q.survey_rates(Filters(YEAR.start, YEAR.end, unit=u), CITY).iloc[0]["survey.responses"]
                   for u in tops)
    assert unitless > 0
    assert in_units + unitless == city


def test_small_segments_are_flagged_unranked_and_last(demo_db):
    df = q.segments(QUARTER, CITY, "origin", "survey.satisfaction_rate")
    minimum = __import__("dashboard.model.judgements", fromlist=["x"]).min_survey_answers()
    assert (df["small"] == (df["n"] < minimum)).all()
    assert df.loc[df["small"], "rank"].isna().all()
    ranked = df[df["rank"].notna()]
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["survey.satisfaction_rate"].is_monotonic_decreasing
    assert df["rank"].iloc[len(ranked):].isna().all()


@pytest.mark.parametrize("by", ["area", "origin", "respondent_type"])
def test_catch_all_groups_are_kept_last_and_never_numbered(demo_db, by):
    """未关联景区, 其他客源地 and 未填写 are no places: they keep their row, after every ranked one,
    and their label carries no rank number."""
    from dashboard.figures import satisfaction as figs
    df = q.segments(YEAR, CITY, by, "survey.satisfaction_rate")
    catch_all = (df["key"].isna() | (df["key"] == q.OTHER)).to_numpy()
    assert catch_all.any(), f"the demo has records without a {by} (or beyond the top origins)"
    first = int(catch_all.argmax())
    assert catch_all[first:].all() and df["rank"].iloc[first:].isna().all()
    labels = list(figs.segment_figure(df, by, "survey.satisfaction_rate", "zh").layout.yaxis.categoryarray)
    assert all(re.match(r"\d+\. ", label) for label in labels[:int(df["rank"].notna().sum())])
    assert not any(re.match(r"\d+\. ", label) for label in labels[first:]), labels[first:]


def test_origin_breakdown_pools_origins_beyond_the_top(demo_db):
    df = q.survey_rates(YEAR, CITY, "origin")
    named = [k for k in df["key"] if isinstance(k, str) and k != q.OTHER]
    assert len(named) <= q.TOP_ORIGINS
    assert df["survey.responses"].sum() == metric_values(YEAR, CITY, ["survey.responses"])["survey.responses"].value


def test_channel_narrows_every_query(demo_db):
    by_channel = q.survey_rates(QUARTER, CITY, "channel").set_index("key")
    channel = by_channel["survey.responses"].idxmax()
    narrowed = q.survey_rates(QUARTER, CITY, None, channel).iloc[0]
    assert narrowed["survey.responses"] == by_channel.loc[channel, "survey.responses"]
    likert = q.likert(QUARTER, CITY, channel)
    assert likert[likert.question == "q_satisfaction"]["count"].sum() == narrowed["survey.satisfaction_rate#n"]
    with pytest.raises(ValueError):
        q.survey_rates(QUARTER, CITY, None, "'; drop table surveys; --")


def test_likert_counts_are_the_answers_to_each_question(demo_db):
    df = q.likert(QUARTER, CITY)
    row = q.survey_rates(QUARTER, CITY).iloc[0]
    assert list(dict.fromkeys(df["question"])) == list(q.QUESTIONS)
    assert df[df.question == "q_safety"]["count"].sum() == row["survey.safety_rate#n"]
    shares = df.groupby("question")["share"].sum()
    assert shares.to_numpy() == pytest.approx([1.0] * len(q.QUESTIONS))
    assert q.likert(EMPTY, CITY).empty


def test_comments_are_masked_and_rows_are_suggestions_or_low_scores(demo_db):
    df = q.comments(YEAR, CITY, limit=5000)
    assert len(df)
    assert all(c is None or not __import__("re").search(r"1[3-9]\d{9}|\d{17}[\dXx]", c) for c in df["comment"])
    assert all(r["comment"] is not None or r["q_satisfaction"] <= q.LOW_SCORE for r in df.to_dict("records"))
    assert df["submitted_at"].is_monotonic_decreasing


def test_comments_total_counts_the_periods_suggestions_and_low_scores_in_the_records(demo_db):
    from dashboard.queries import db

    want = db.rows("select count(*) from surveys where submitted_at >= $start and submitted_at < $end_next "
                   "and (comment is not null or q_satisfaction <= $low)",
                   {"start": YEAR.start, "end_next": YEAR.end + dt.timedelta(days=1), "low": q.LOW_SCORE})[0][0]
    assert want and int(q.comments(YEAR, CITY)["total"].iloc[0]) == want


def test_comment_search_matches_masked_text_only_and_as_a_parameter(demo_db):
    df = q.comments(YEAR, CITY, limit=5000)
    masked = next(c for c in df["comment"] if c and "****" in c)
    word = masked[:4]
    found = q.comments(YEAR, CITY, search=word, limit=5000)
    assert len(found) and all(word in (r["comment"] or "") or word in (r["area_name"] or "") or
                              word in (r["origin"] or "") for r in found.to_dict("records"))
    assert q.comments(YEAR, CITY, search="' or 1=1 --").empty
    assert q.comments(YEAR, CITY, search="%").empty


def test_keywords_skip_stopwords_single_characters_and_numbers(demo_db):
    df = q.keywords(YEAR, CITY)
    assert 0 < len(df) <= 20
    assert all(len(w) > 1 and w not in q.STOPWORDS and not any(ch.isdigit() for ch in w) for w in df["word"])
    assert df["comments"].is_monotonic_decreasing
    assert (df["comments"] <= df["of"]).all()
    assert q.keywords(EMPTY, CITY).empty


def test_keywords_leave_out_words_used_once_when_enough_words_recur(demo_db):
    df = q.keywords(YEAR, CITY)
    assert (df["comments"] >= 2).sum() >= q.KEYWORD_MIN_REPEATED and (df["comments"] >= 2).all()


def test_keyword_chart_over_a_handful_of_comments_says_to_read_them(demo_db):
    from dashboard.figures.satisfaction import keywords_figure
    few = pd.DataFrame({"word": ["停车场", "码头"], "comments": [2, 1], "of": [6, 6]})
    fig = keywords_figure(few, "zh")
    assert not fig.data and "只有 6 条意见建议" in fig.layout.annotations[0].text
    assert keywords_figure(few.assign(of=40), "zh").data


def test_trend_span_reaches_back_twelve_buckets_from_a_short_period():
    week = Filters(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    span = q.trend_span(week, "week")
    assert span.start == dt.date(2026, 11, 16) - dt.timedelta(weeks=11) and span.end == week.end
    assert q.trend_span(week, "month").start == dt.date(2025, 12, 1)
    assert q.trend_span(YEAR, "week").start == dt.date(2025, 12, 29)        # a long period keeps its own start


def test_trend_callback_shows_twelve_weeks_around_last_week_with_it_tinted(page):
    fig = page.render_trend("?period=last_week")
    line = next(tr for tr in fig.data if tr.mode == "lines+markers")
    assert len(line.x) == 12
    tint = [s for s in fig.layout.shapes if s.fillcolor == "rgba(31,78,140,0.07)"]
    assert len(tint) == 1 and any(a.text == "所选时间" for a in fig.layout.annotations)


def test_blank_segments_read_not_given_and_origins_read_in_english():
    from dashboard.figures.satisfaction import origin_label, segment_label
    assert segment_label("respondent_type", None, None, "zh") == "未填写"
    assert segment_label("origin", None, None, "en") == "Not given"
    assert segment_label("area", None, None, "zh") == "未关联景区"
    assert origin_label("本市", "en") == "This city" and origin_label("本省其他市州", "en").startswith("Elsewhere")
    assert origin_label("本市", "zh") == "本市" and origin_label("火星", "en") == "火星"


def test_words_of_a_masked_comment_keep_no_number_fragments():
    words = q.words_of("建议在索道站设置失物招领处，联系电话159****5354")
    assert "索道站" in words and "失物招领处" in words
    assert not any("*" in w or any(ch.isdigit() for ch in w) for w in words)
    assert "建议" not in words and "电话" not in words


# ---- figures ----------------------------------------------------------------------------------

def test_empty_period_figures_say_so_in_words(demo_db):
    from dashboard.figures import satisfaction as figs
    for fig in (figs.trend_figure(q.trend(EMPTY, CITY, "week"), [], "week", "zh"),
                figs.segment_figure(q.segments(EMPTY, CITY, "area", "survey.satisfaction_rate"), "area",
                                    "survey.satisfaction_rate", "zh"),
                figs.likert_figure(q.likert(EMPTY, CITY), QUESTION_LABELS, "zh"),
                figs.keywords_figure(q.keywords(EMPTY, CITY), "en")):
        assert not fig.data
        assert fig.layout.annotations and fig.layout.annotations[0].text


def test_trend_figure_draws_bands_and_n_in_the_hover(demo_db):
    from dashboard.figures.satisfaction import trend_figure
    df = q.trend(QUARTER, CITY, "week")
    fig = trend_figure(df, [(dt.date(2026, 10, 1), dt.date(2026, 10, 8), "national_day")], "week", "zh")
    fills = [tr for tr in fig.data if tr.fill == "toself"]
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert len(fills) == 2 and len(lines) == 2
    assert all("n=" in h and "95%" in h for h in lines[0].hovertext if "—" not in h)
    assert any(s.type == "rect" for s in fig.layout.shapes)


def test_segment_figure_greys_small_samples_and_labels_n():
    from dashboard.figures.satisfaction import segment_figure
    df = pd.DataFrame({
        "key": ["扫码问卷", "电话回访", "网上评警"], "name": ["扫码问卷", "电话回访", "网上评警"],
        "survey.satisfaction_rate": [0.95, 0.9, 0.5], "survey.satisfaction_rate#low": [0.9, 0.85, 0.2],
        "survey.satisfaction_rate#high": [0.97, 0.93, 0.8], "n": [400, 300, 6],
        "small": [False, False, True], "rank": [1, 2, None],
    })
    fig = segment_figure(df, "channel", "survey.satisfaction_rate", "zh")
    ranked, small, labels = fig.data
    assert list(ranked.y) == ["1. 扫码问卷", "2. 电话回访"] and list(small.y) == ["网上评警"]
    assert set(small.marker.color) == {GREY_OUT}
    assert labels.text[-1] == "n=6 · 样本不足" and labels.text[0] == "n=400"
    assert list(fig.layout.yaxis.categoryarray) == ["1. 扫码问卷", "2. 电话回访", "网上评警"]
    assert list(ranked.customdata) == ["扫码问卷", "电话回访"]


def test_likert_figure_centres_neutral_and_puts_dissatisfied_left(demo_db):
    from dashboard.figures.satisfaction import likert_figure
    df = q.likert(QUARTER, CITY)
    fig = likert_figure(df, QUESTION_LABELS, "en")
    bars = {int(tr.name.split()[0]): tr for tr in fig.data}
    assert [bars[s].marker.color for s in range(1, 6)] == [LIKERT_COLORS[s] for s in range(1, 6)]
    for i in range(len(q.QUESTIONS)):
        assert bars[3].base[i] == pytest.approx(-bars[3].x[i] / 2)
        assert bars[1].base[i] + bars[1].x[i] == pytest.approx(bars[2].base[i])
        assert bars[2].base[i] + bars[2].x[i] == pytest.approx(bars[3].base[i])
        assert bars[4].base[i] == pytest.approx(bars[3].base[i] + bars[3].x[i])
    assert bars[5].name == "5 Very satisfied"
    assert bars[1].y[0].startswith("安全感 (n=")


def test_likert_shares_too_wide_for_their_segment_are_left_out_not_turned_and_shrunk(demo_db):
    from dashboard.figures.satisfaction import likert_figure
    fig = likert_figure(q.likert(QUARTER, CITY), QUESTION_LABELS, "zh")
    assert all(tr.textangle == 0 and tr.textfont.size == 12 for tr in fig.data)
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize == 12


# ---- callbacks --------------------------------------------------------------------------------

def test_kpi_callback_shows_four_cards_with_n_and_interval(page):
    cards, note = page.render_kpis("?period=this_quarter")
    assert len(cards) == 4
    text = str(cards[1])
    assert "n=" in text and "95%" in text
    assert note is None


def test_unit_drill_explains_answers_without_a_unit(page, some_unit):
    _, note = page.render_kpis(f"?unit={some_unit}")
    assert "未填写单位" in str(note)


def test_segments_callback_honours_the_channel_and_refuses_a_bogus_one(page):
    area, channel, respondent, origin = page.render_segments("?category=电话回访")
    assert [pt for tr in channel.data[:-1] for pt in tr.customdata] == ["电话回访"]
    _, channel_all, _, _ = page.render_segments("?")
    assert len([pt for tr in channel_all.data[:-1] for pt in tr.customdata]) == 4
    with pytest.raises(InvalidInput, match="category=bogus"):
        page.render_segments("?category=bogus")


def test_comments_callback_searches_and_never_interpolates(page):
    cols, rows, hint = page.render_comments("?period=this_year&q=%27%20or%201%3D1%20--")
    assert rows == [] and "0 / 0" in hint
    cols, rows, hint = page.render_comments("?period=this_year&lang=en")
    assert rows and {"time", "area", "channel", "comment", "q_satisfaction"} <= rows[0].keys()
    assert rows[0]["channel"].isascii()


def test_clicking_an_area_narrows_the_page(page, some_area):
    trigger(page.SEGMENT_IDS["area"], "clickData", click(some_area))
    assert page.drill(click(some_area), None, "?period=this_year") == f"?period=this_year&area={some_area}"


def test_clicking_a_channel_narrows_the_page_by_category(page):
    trigger(page.SEGMENT_IDS["channel"], "clickData", click("电话回访"))
    out = page.drill(None, click("电话回访"), "?period=this_quarter")
    assert out == "?period=this_quarter&category=%E7%94%B5%E8%AF%9D%E5%9B%9E%E8%AE%BF"


def test_clicks_on_unknown_values_are_refused(page):
    trigger(page.SEGMENT_IDS["area"], "clickData", click("NOPE"))
    assert page.drill(click("NOPE"), None, "?period=this_year") is no_update
    with pytest.raises(InvalidInput, match="unit=X"):  # a view the page never wrote
        page.drill(click("NOPE"), None, "?period=this_year&unit=X")
    trigger(page.SEGMENT_IDS["channel"], "clickData", click("'; drop table surveys"))
    assert page.drill(None, click("'; drop table surveys"), "?") is no_update
    trigger(page.SEGMENT_IDS["channel"], "clickData", {"points": [{"x": 1}]})
    assert page.drill(None, {"points": [{"x": 1}]}, "?") is no_update


def test_page_controls_write_grain_metric_and_search_to_the_url(page):
    trigger(page.GRAIN, "value", "month")
    assert page.controls_to_url("month", "satisfaction", "?period=this_quarter") == \
        "?period=this_quarter&grain=month"
    trigger(page.METRIC, "value", "safety")
    assert page.controls_to_url("week", "safety", "?period=this_quarter") == \
        "?period=this_quarter&metric=safety"
    assert page.search_to_url(" 索道 ", "?period=this_quarter") == "?period=this_quarter&q=%E7%B4%A2%E9%81%93"
    trigger(page.GRAIN, "value", "decade")
    assert page.controls_to_url("decade", "satisfaction", "?") is no_update


def test_comment_search_is_record_level(page):
    from dashboard.refusals import Forbidden
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    with acting_as(make_user("publicity")), pytest.raises(Forbidden):
        page.search_to_url("索道", "?period=this_quarter")


def _weekly_rates(weeks, n, rate, low, high) -> pd.DataFrame:
    """A weekly trend frame with the same figures for both survey rates."""
    df = pd.DataFrame({"key": pd.to_datetime(weeks), "survey.responses": n})
    for mid in ("survey.satisfaction_rate", "survey.safety_rate"):
        df[mid], df[f"{mid}#n"], df[f"{mid}#low"], df[f"{mid}#high"] = rate, n, low, high
    return df


def test_trend_keeps_small_samples_off_the_line():
    from dashboard.figures.satisfaction import trend_figure
    df = _weekly_rates(["2026-10-05", "2026-10-12", "2026-10-19"], [200, 5, 180], [0.9, 0.4, 0.88],
                       [0.85, 0.1, 0.83], [0.93, 0.8, 0.92])
    fig = trend_figure(df, [], "week", "zh")
    line = next(tr for tr in fig.data if tr.mode == "lines+markers")
    assert pd.isna(line.y[1]) and line.y[0] == 0.9
    hollow = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(hollow) == 2 and list(hollow[0].y) == [0.4] and hollow[0].marker.color == "white"
    assert "样本不足" in hollow[0].hovertext[0]


def test_a_part_week_is_a_hollow_point_with_its_interval_outside_the_band():
    from dashboard.figures.satisfaction import trend_figure
    from dashboard.queries.breakdown import with_coverage
    df = _weekly_rates(["2026-11-09", "2026-11-16", "2026-11-23"], [200, 180, 40], [0.9, 0.88, 0.8],
                       [0.85, 0.83, 0.65], [0.93, 0.92, 0.9])
    df = with_coverage(df, Filters(dt.date(2026, 11, 9), dt.date(2026, 11, 23)), "week")
    fig = trend_figure(df, [], "week", "zh")
    band = next(tr for tr in fig.data if tr.fill == "toself")
    assert pd.Timestamp("2026-11-23") not in list(band.x)          # the band stops at the last whole week
    hollow = next(tr for tr in fig.data if tr.mode == "markers" and tr.marker.color == "white")
    assert list(hollow.y) == [0.8] and hollow.error_y.arrayminus[0] == pytest.approx(0.15)
    assert fig.layout.yaxis.range[0] >= 0.75                     # its wide interval does not stretch the axis


def test_the_selected_period_box_takes_in_the_last_point(demo_db):
    """Points sit in the middle of their week: the 所选时间 box covers the weeks the period touches,
    so it does not stop short of the last point when the period ends early in a week."""
    from dashboard.figures import satisfaction as figs
    from dashboard.figures.base import HIGHLIGHT_FILL
    period = Filters(dt.date(2026, 11, 4), dt.date(2026, 11, 23))          # a Wednesday to a Monday
    span = q.trend_span(period, "week")
    df = q.trend(span, CITY, "week")
    fig = figs.trend_figure(df, [], "week", "zh", selected=(period.start, period.end))
    box = next(s for s in fig.layout.shapes if s.fillcolor == HIGHLIGHT_FILL)
    last_point = pd.Timestamp(max(df["key"])) + pd.Timedelta(days=3.5)
    assert pd.Timestamp(box.x1) > last_point
    assert pd.Timestamp(box.x0) == pd.Timestamp("2026-11-02")              # the Monday of the first week



def test_n_labels_start_clear_of_a_point_at_100_percent(demo_db):
    """The n labels sit right of each interval's end; at 100 % the point is drawn there too, so the
    label trace carries an invisible marker as wide as the point, which moves its text off it."""
    from dashboard.figures import satisfaction as figs
    df = q.segments(YEAR, CITY, "area", "survey.satisfaction_rate")
    fig = figs.segment_figure(df, "area", "survey.satisfaction_rate", "zh")
    labels = next(tr for tr in fig.data if tr.text is not None and str(tr.text[0]).startswith("n="))
    points = [tr for tr in fig.data if tr.error_x.array is not None]
    assert "markers" in labels.mode and labels.textposition == "middle right"
    assert labels.marker.size >= max(tr.marker.size for tr in points)
    assert labels.marker.color == "rgba(0,0,0,0)"


@pytest.mark.parametrize("by", q.SEGMENTS)
def test_a_segment_read_with_its_pair_gives_its_own_statements_rows(page, by):
    from dashboard.queries import db

    unit = db.rows("select unit_code from units where parent_code is not null order by 1 limit 1")[0][0]
    for filters, channel in ((YEAR, None), (QUARTER, "扫码问卷"), (Filters(YEAR.start, YEAR.end, unit=unit), None)):
        sql, params, columns = q._rates_sql(filters, CITY, by, channel, q.SEGMENT_METRICS)
        assert q._segment_rows(filters, CITY, by, channel) == (columns, db.rows(sql, params))
