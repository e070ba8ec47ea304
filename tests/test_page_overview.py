"""The Overview page: its queries agree with the catalog, its judgements are sound, its callbacks answer."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.model import judgements, ranking
from dashboard.model.filters import Filters, Scope
from dashboard.queries.metrics import compute
from tests.builders.components import find, texts
from tests.builders.statements import recorded_statements

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

OCTOBER = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def page(demo_db):
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

    df = ranking.worst_first(q.lagging_units(OCTOBER, Scope.city()), last_key=q.REST)
    if (df["key"] == q.REST).any():
        assert df["key"].iloc[-1] == q.REST


def test_lag_table_ranks_units_below_target_first(page):
    from dashboard.queries import overview as q

    df = ranking.worst_first(q.lagging_units(OCTOBER, Scope.city()), last_key=q.REST)
    ranked = df[df["key"] != q.REST]
    statuses = [judgements.rag("incidents.same_day_rate", v, n)
                for v, n in zip(ranked["incidents.same_day_rate"], ranked["incidents.same_day_rate#n"])]
    order = {"red": 0, "amber": 1, "green": 2, "few": 3, None: 3}
    assert order[statuses[0]] <= order[statuses[-1]]


def test_area_lag_table_agrees_with_the_catalog_for_each_area(page):
    from dashboard.queries import overview as q

    df = q.lagging_areas(OCTOBER, Scope.city())
    code = df["key"].iloc[0]
    one = Filters(OCTOBER.start, OCTOBER.end, area=code)
    assert df["incidents.total"].iloc[0] == catalog(one, "incidents.total")["incidents.total"].value


def test_an_area_filter_leaves_out_units_with_no_records_there(page):
    from dashboard.queries import overview as q
    from dashboard.queries import reference

    area = q.lagging_areas(OCTOBER, Scope.city())["key"].iloc[0]
    df = q.lagging_units(Filters(OCTOBER.start, OCTOBER.end, area=area), Scope.city())
    assert 0 < len(df) < len(reference.drill_children(None, Scope.city()))
    for _, row in df.iterrows():
        assert row["incidents.total"] > 0 or (row["survey.satisfaction_rate#n"] or 0) > 0 \
            or row["visitors.total"] > 0


def test_a_rate_on_too_few_records_neither_counts_as_lagging_nor_ranks_a_unit_first():
    few, enough = judgements.min_survey_answers() - 1, judgements.min_survey_answers() + 50
    df = pd.DataFrame([
        {"key": "SMALL", "incidents.same_day_rate": 0.50, "incidents.same_day_rate#n": few,
         "survey.satisfaction_rate": 0.40, "survey.satisfaction_rate#n": few,
         "incidents.response_median_min": 30.0, "incidents.response_median_min#n": few},
        {"key": "LAGS", "incidents.same_day_rate": 0.92, "incidents.same_day_rate#n": enough,
         "survey.satisfaction_rate": 0.95, "survey.satisfaction_rate#n": enough,
         "incidents.response_median_min": 10.0, "incidents.response_median_min#n": enough},
        {"key": "FINE", "incidents.same_day_rate": 0.97, "incidents.same_day_rate#n": enough,
         "survey.satisfaction_rate": 0.95, "survey.satisfaction_rate#n": enough,
         "incidents.response_median_min": 10.0, "incidents.response_median_min#n": enough},
    ])
    assert list(ranking.lag_order(df)["key"]) == ["LAGS", "FINE", "SMALL"]


def test_lag_table_headers_are_short_with_the_full_name_as_tooltip(page):
    for lang in ("zh", "en"):
        columns = {c["field"]: c for c in page.lag_columns(lang, "x")}
        same_day = columns["incidents.same_day_rate"]
        assert same_day["headerName"] == ("不过夜率" if lang == "zh" else "Same-day")
        assert same_day["headerTooltip"] == ("警情处置不过夜率" if lang == "zh" else "Closed the same day")
        assert columns["survey.satisfaction_rate#n"]["headerName"] == ("问卷数" if lang == "zh" else "Responses")
        for col in columns.values():
            assert len(col["headerName"]) <= 14 and col.get("wrapHeaderText") is not True


def test_a_downloaded_lag_table_keeps_the_full_names(page):
    from dashboard.components.page import view_from_store

    view = view_from_store("?period=custom&start=2026-10-01&end=2026-10-31&lang=en", Scope.city())
    headers = [c["headerName"] for c in page.units_table(view, Scope.city()).columns]
    assert "Closed the same day" in headers and "Incidents per 10,000 visitors" in headers


def test_a_rate_cell_on_too_few_records_is_grey_and_says_too_few(page):
    col = {c["field"]: c for c in page.lag_columns("zh", "x")}["survey.satisfaction_rate"]
    assert "样本不足" in col["valueFormatter"]["function"]
    conditions = [c["condition"] for c in col["cellStyle"]["styleConditions"]]
    few = next(i for i, c in enumerate(conditions) if "survey.satisfaction_rate#n" in c)
    red = next(i for i, c in enumerate(conditions) if "params.value <" in c)
    assert few < red, "a small sample is greyed before it could be coloured red"
    rows = page.lag_rows(pd.DataFrame([{"key": "A", "name": "A", "survey.satisfaction_rate": 0.5,
                                         "survey.satisfaction_rate#n": 14}]))
    assert rows[0]["survey.satisfaction_rate#n"] == 14


def test_an_alert_says_whether_the_departure_is_for_the_better_or_the_worse(page):
    def words(metric, z):
        item = page.alert_item({"metric": metric, "unit_name": "某局", "week": dt.date(2026, 11, 16),
                                "value": 7.1, "baseline": 10.8, "z": z}, "zh")
        return " ".join(str(c.children) for c in item.children)

    faster = words("incidents.response_median_min", -3.7)     # lower is better
    assert "向好" in faster and "⚠" not in faster
    slower = words("incidents.response_median_min", 3.7)
    assert "变差" in slower and "⚠" in slower
    assert "向好" not in words("incidents.total", 4.0) and "变差" not in words("incidents.total", 4.0)


def test_alerts_for_the_worse_come_first(page):
    found = [{"metric": "incidents.response_median_min", "z": -5.0},
             {"metric": "incidents.same_day_rate", "z": -3.2},
             {"metric": "incidents.total", "z": 4.0}]
    assert [a["z"] for a in sorted(found, key=page.alert_order)] == [-3.2, 4.0, -5.0]


def test_this_years_cards_compare_with_last_year_only(page):
    words = " ".join(texts(page.render_kpis("?period=this_year")))
    assert "同比" in words and "环比" not in words


def test_overview_kpi_cards_draw_no_plotly_graphs(page):
    cards = page.render_kpis("?period=custom&start=2026-10-01&end=2026-10-31")
    assert not find(cards, lambda c: type(c).__name__ == "Graph")
    assert len(find(cards, lambda c: type(c).__name__ == "Img")) == len(cards)


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
    # The figure may split a trace (part weeks drawn apart); bars of incidents and a rate line there must be.
    bars = [t for t in fig.data if t.type == "bar"]
    lines = [t for t in fig.data if t.type == "scatter" and t.yaxis == "y2"]
    assert bars and lines
    assert sum(v for t in bars for v in (t.y or ()) if v == v and v is not None) > 0


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
    assert judgements.change("count", 9, 3).notable is False


def test_one_to_seven_is_not_notable_though_its_poisson_z_exceeds_three():
    assert abs(judgements.poisson_z(7, 1)) > judgements.POISSON_Z
    assert judgements.change("count", 7, 1).notable is False      # exact test: p = 0.07


def test_a_fall_from_a_dozen_to_none_is_notable_by_the_exact_test():
    assert judgements.change("count", 0, 12).notable is True       # p = 0.0005


def test_a_change_on_a_small_base_has_no_percentage():
    assert judgements.change("count", 7, 1).relative is None
    assert judgements.change("count", 20, 10).relative == 1.0


def test_a_rate_on_too_few_records_is_not_judged_against_its_target():
    few = judgements.min_survey_answers() - 1
    assert judgements.rag("survey.satisfaction_rate", 0.57, few) == "few"
    assert judgements.rag("survey.satisfaction_rate", 0.57, few + 1) == "red"


def test_a_change_is_good_or_bad_by_the_figures_direction():
    assert judgements.verdict(False, -3.0) == "good" and judgements.verdict(False, 3.0) == "bad"
    assert judgements.verdict(True, -0.1) == "bad" and judgements.verdict(None, 5) is None


def test_a_large_rise_in_counts_is_notable():
    assert judgements.change("count", 400, 250).notable is True


def test_a_rate_change_is_notable_only_when_intervals_do_not_overlap():
    assert judgements.change("rate", 0.95, 0.80, 400, 400).notable is True
    assert judgements.change("rate", 0.95, 0.90, 20, 20).notable is False


def test_a_week_far_from_its_baseline_raises_an_alert():
    history = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
    assert judgements.departs_from_baseline(history, 140) is not None
    assert judgements.departs_from_baseline(history, 101) is None


def test_red_amber_green_follow_the_targets_file():
    assert judgements.rag("incidents.same_day_rate", 0.96) == "green"
    assert judgements.rag("incidents.same_day_rate", 0.92) == "amber"
    assert judgements.rag("incidents.same_day_rate", 0.80) == "red"
    assert judgements.rag("incidents.response_median_min", 25) == "red"  # lower is better


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


def test_the_kpi_cards_read_each_source_once_for_their_periods_and_their_weeks(page, monkeypatch):
    from dashboard.queries import overview as q
    from dashboard.queries.breakdown import metric_plan
    from dashboard.queries.kpis import kpi_figures

    ask = page.P.ask_from("?period=custom&start=2026-10-01&end=2026-10-31")
    ran = recorded_statements(monkeypatch)
    kpi_figures(ask.filters, ask.against, ask.scope, q.HEADLINE)
    assert len(ran) == len(metric_plan(q.HEADLINE)[2])   # visitors, incidents, mediations, surveys


@pytest.mark.parametrize("query", ["?period=last_week", "?period=custom&start=2026-10-01&end=2026-10-31",
                                   "?period=custom&start=2026-07-03&end=2026-09-17&season=旺季",
                                   "?period=this_month&unit=FIRST_CHILD"])
def test_kpi_cards_read_at_once_give_each_periods_figures_and_the_weeks_history_as_apart(page, query):
    from dashboard.model.catalog import METRICS
    from dashboard.model.periods import comparison_spans
    from dashboard.queries import db
    from dashboard.queries.breakdown import metric_frame
    from dashboard.queries.kpis import kpi_figures, weekly_series

    ask = page.P.ask_from(query.replace("FIRST_CHILD", first_child()))
    ids = [m.id for m in METRICS]   # every source, stock ones (read apart) among them
    db.clear_cache()
    cards = kpi_figures(ask.filters, ask.against, ask.scope, ids)
    now, previous, last_year, weeks = comparison_spans(ask.filters, ask.against)
    db.clear_cache()
    weekly = metric_frame(ids, weeks, ask.scope, "week")
    for mid in ids:
        assert (cards[mid].now, cards[mid].previous, cards[mid].last_year) == (
            catalog(now, mid)[mid], catalog(previous, mid)[mid], catalog(last_year, mid)[mid]), mid
        pd.testing.assert_frame_equal(cards[mid].weekly, weekly_series(weekly, mid), check_exact=True)


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


def test_the_phone_block_lists_the_headlines_the_alerts_and_what_is_below_target(page):
    from dashboard.model.catalog import BY_ID
    from dashboard.queries import overview as q
    search = "?period=this_year"
    block = page.render_phone(search)
    words = " ".join(texts(block))
    assert "本期要点" in words and "异常提醒" in words and "未达目标的单位和景区" in words
    assert all(BY_ID[m].zh in words for m in q.HEADLINE)
    # Every unit listed below target is one the grid judges red or amber on a figure with enough records.
    units = page.lag_tables(page.P.ask_from(search))[0].rows
    listed = [row["key"] for row, _ in page.below_target(units, "zh")]
    below = set(listed)
    judged = {row["key"] for row in units if row["key"] != q.REST and any(
        judgements.rag(f, row.get(f), row.get(f + "#n")) in ("red", "amber") for f, *_ in page.LAG_COLUMNS)}
    assert below == judged
    links = [c.href for c in find(block, lambda c: type(c).__name__ == "Link")]
    assert "/incidents?period=this_year" in links and "/satisfaction?period=this_year" in links
    assert below, "the demo city has units below target this year"
    assert [f"?period=this_year&unit={k}" for k in listed[:page.PHONE_BELOW_SHOWN]] == \
        [h for h in links if h.startswith("?period=this_year&unit=")][:page.PHONE_BELOW_SHOWN]


def test_the_phone_block_links_only_to_pages_the_role_may_open(page):
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    with acting_as(make_user("opinion")):
        links = [c.href for c in find(page.render_phone("?period=this_year"), lambda c: type(c).__name__ == "Link")]
    assert "/satisfaction?period=this_year" in links
    assert not any(h.startswith(("/incidents", "/mediation")) for h in links)


@pytest.mark.parametrize("span", [Filters(dt.date(2026, 8, 3), dt.date(2026, 10, 31)),
                                  Filters(dt.date(2026, 8, 6), dt.date(2026, 10, 28), season="旺季")])
def test_the_views_weekly_frame_and_each_units_from_one_scan_equal_their_own_queries(page, span):
    from dashboard.queries import overview as q
    from dashboard.queries import reference
    from dashboard.queries.breakdown import (
        concurrently,
        metric_frame,
        unit_week_frames,
        week_and_unit_week_frames_parts,
    )

    children = reference.drill_children(None, Scope.city())
    queries, finish = week_and_unit_week_frames_parts(q.ALERT_METRICS, span, Scope.city(), children)
    whole, per_unit = finish(concurrently(queries))
    pd.testing.assert_frame_equal(whole, metric_frame(q.ALERT_METRICS, span, Scope.city(), "week"))
    separate = unit_week_frames(q.ALERT_METRICS, span, Scope.city(), children)
    assert list(per_unit) == list(separate) == children
    for code in children:
        pd.testing.assert_frame_equal(per_unit[code], separate[code])


def test_the_alerts_read_each_source_once_for_the_view_and_its_units(page, monkeypatch):
    from dashboard.queries import overview as q
    from dashboard.queries import reference
    from dashboard.queries.breakdown import metric_plan

    ran = recorded_statements(monkeypatch)
    reference.drill_children(None, Scope.city()), reference.unit_names(Scope.city())
    ran.clear()  # the unit tree, which every view shares
    series = q.alert_series(OCTOBER, Scope.city())
    assert len(series) > 1 and len(ran) == len(metric_plan(q.ALERT_METRICS)[2])


def test_the_phone_runs_the_desktop_answers_statements_and_no_other(page, monkeypatch):
    from dashboard.queries import db, reference
    from dashboard.queries import overview as q
    from dashboard.queries.kpis import kpi_figures

    ask = page.P.ask_from("?period=last_week")
    ran = recorded_statements(monkeypatch)
    reference.drill_children(None, ask.scope), reference.unit_names(ask.scope), reference.area_names(ask.scope)
    ran.clear()  # the unit tree and the areas, which every view shares
    (now, previous, last_year), series, (units, areas) = q.phone_figures(ask.filters, ask.against, ask.scope)
    phone = set(ran)
    db.clear_cache()
    ran.clear()
    reference.drill_children(None, ask.scope), reference.unit_names(ask.scope), reference.area_names(ask.scope)
    ran.clear()
    cards = kpi_figures(ask.filters, ask.against, ask.scope, q.HEADLINE)
    desktop_series, (desktop_units, desktop_areas) = q.alert_series(ask.filters, ask.scope), q.lagging(ask.filters,
                                                                                                     ask.scope)
    assert phone == set(ran)   # the cards' statements read their weeks too: the phone shares them
    for mid in q.HEADLINE:
        assert (now[mid], previous[mid], last_year[mid]) == (cards[mid].now, cards[mid].previous,
                                                             cards[mid].last_year)
    for (code, name, frame), (d_code, d_name, d_frame) in zip(series, desktop_series, strict=True):
        assert (code, name) == (d_code, d_name)
        pd.testing.assert_frame_equal(frame, d_frame)
    pd.testing.assert_frame_equal(units, desktop_units)
    pd.testing.assert_frame_equal(areas, desktop_areas)


def test_each_lag_grid_ranks_only_its_own_table(page, monkeypatch):
    ranked = []
    original = ranking.worst_first
    monkeypatch.setattr(ranking, "worst_first", lambda df, **kw: ranked.append(len(df)) or original(df, **kw))
    from dashboard.queries import db

    db.clear_cache()
    units, areas = page.render_lagging("?period=custom&start=2026-10-01&end=2026-10-31")[1::2]
    assert units and areas and len(ranked) == 2


def test_the_lag_grids_asked_after_the_phone_block_find_its_lag_frames_kept_whole(page, monkeypatch):
    from dashboard.queries import overview as q

    ask = page.P.ask_from("?period=last_week")
    ran = recorded_statements(monkeypatch)
    _, _, (units, areas) = q.phone_figures(ask.filters, ask.against, ask.scope)
    ran.clear()
    again_units, again_areas = q.lagging(ask.filters, ask.scope)
    assert ran == []
    pd.testing.assert_frame_equal(again_units, units)
    pd.testing.assert_frame_equal(again_areas, areas)
