"""The Staffing page: its queries agree with the metrics catalog, its figures and callbacks behave."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.builders.demo import TODAY

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

@pytest.fixture(scope="module")
def page(demo_db):
    from dashboard.app import create_app
    create_app(demo_db)
    from dashboard.pages import staffing
    return staffing


@pytest.fixture(scope="module")
def year(page):
    from dashboard.model.filters import Filters
    return Filters(dt.date(TODAY.year, 1, 1), TODAY)


@pytest.fixture(scope="module")
def city():
    from dashboard.model.filters import Scope
    return Scope.city()


def _catalog(filters, scope, ids):
    from dashboard.queries.kpis import metric_values
    return {k: v.value for k, v in metric_values(filters, scope, ids).items()}


def _a_branch(scope):
    from dashboard.queries import reference
    return reference.drill_children(None, scope)[0]


def test_unit_table_total_and_rows_add_up_to_the_catalog(page, year, city):
    from dashboard.queries import staffing as q
    rows, total = q.unit_table(year, city)
    values = _catalog(year, city, q.UNIT_METRICS)
    for mid in q.UNIT_METRICS:
        assert total[mid] == values[mid]
        assert sum(r[mid] for r in rows) == values[mid]
    assert total["staff.officers"] == sum(values[m] for m in q.OFFICER_TYPES)


def test_unit_table_rows_are_each_child_units_catalog_figure(page, year, city):
    from dashboard.model.filters import Filters
    from dashboard.queries import staffing as q
    rows, _ = q.unit_table(year, city)
    child = next(r for r in rows if r["kind"] == "unit")
    values = _catalog(Filters(year.start, year.end, unit=child["key"]), city, ["staff.fulltime", "posts.service_points"])
    assert child["staff.fulltime"] == values["staff.fulltime"]
    assert child["posts.service_points"] == values["posts.service_points"]


def test_unit_scope_narrows_every_query(page, year, city):
    from dashboard.model.filters import Scope
    from dashboard.queries import staffing as q
    scope = Scope(_a_branch(city))
    rows, total = q.unit_table(year, scope)
    _, city_total = q.unit_table(year, city)
    assert 0 < total["staff.officers"] < city_total["staff.officers"]
    assert total["deploy.person_times"] == _catalog(year, scope, ["deploy.person_times"])["deploy.person_times"]
    assert len(q.post_list(year, scope)) < len(q.post_list(year, city))
    assert q.deployments_by_mode(year, scope).deployments.sum() < q.deployments_by_mode(year, city).deployments.sum()


def test_deployments_by_time_and_mode_agree_with_the_catalog(page, year, city):
    from dashboard.queries import staffing as q
    by_time = q.deployments_by_time(year, city, "month")
    by_mode = q.deployments_by_mode(year, city)
    values = _catalog(year, city, ["deploy.person_times", "deploy.dynamic", "deploy.security_events"])
    assert by_time.person_times.sum() == values["deploy.person_times"]
    assert by_mode.person_times.sum() == values["deploy.person_times"]
    assert by_mode[by_mode["mode"] == "动态布警"].deployments.sum() == values["deploy.dynamic"]
    assert by_mode[by_mode["mode"] == "专项安保"].deployments.sum() == values["deploy.security_events"]
    assert set(by_time.season) <= {"淡季", "旺季"}


def test_person_times_trend_covers_every_week_and_adds_up(page, year, city):
    from dashboard.queries import staffing as q
    df = q.person_times_trend(year, city, "week")
    assert df["key"].is_monotonic_increasing and df["key"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    assert df["deploy.person_times"].sum() == _catalog(year, city, ["deploy.person_times"])["deploy.person_times"]
    assert (df.police + df.auxiliary == df["deploy.person_times"]).all()


def test_area_staffing_counts_the_responsible_units_subtree(page, year, city):
    from dashboard.model.filters import Filters
    from dashboard.queries import reference
    from dashboard.queries import staffing as q
    df = q.area_staffing(year, city)
    assert set(df.area_code) == set(reference.areas(city).area_code)
    row = df.iloc[0]
    unit_values = _catalog(Filters(year.start, year.end, unit=row.unit_code), city, q.OFFICER_TYPES)
    assert row.officers == sum(unit_values.values())
    visitors = _catalog(Filters(year.start, year.end, area=row.area_code), city, ["visitors.total"])
    assert row.visitors == visitors["visitors.total"]
    assert row.per_10k_daily == pytest.approx(row.officers * 10000 / (row.visitors / row.visitor_days))


def test_post_and_team_lists_hold_the_stock_on_the_last_day(page, year, city):
    from dashboard.queries import staffing as q
    posts, teams = q.post_list(year, city), q.team_list(year, city)
    values = _catalog(year, city, ["posts.police_rooms", "posts.service_points", "teams.volunteer", "teams.prevention"])
    assert len(posts) == values["posts.police_rooms"] + values["posts.service_points"]
    assert len(teams) == values["teams.volunteer"] + values["teams.prevention"]
    assert all(isinstance(p["opened_on"], str) for p in posts)
    assert "phone" not in posts[0]


def test_officer_bars_stack_each_unit_by_person_type_largest_first(page, year, city):
    from dashboard.figures.staffing import officers_by_unit_figure
    from dashboard.theme import color_of
    rows, total = page.q.unit_table(year, city)
    fig = officers_by_unit_figure(rows, "zh")
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert fig.layout.barmode == "stack" and [b.name for b in bars] == ["专职旅游警察", "兼职旅游警察", "辅警"]
    assert [b.marker.color for b in bars] == [color_of(p) for p in ("专职旅游警察", "兼职旅游警察", "辅警")]
    sums = [sum(b.x[i] for b in bars) for i in range(len(bars[0].x))]
    units = [r for r in rows if r["kind"] == "unit" and r["staff.officers"]]
    assert sums[:len(units)] == sorted(sums[:len(units)], reverse=True)
    assert sum(sums) == total["staff.fulltime"] + total["staff.parttime"] + total["staff.auxiliary"]
    codes = [c[0] for c in bars[0].customdata]
    assert set(codes[:len(units)]) == {r["key"] for r in units} and set(codes[len(units):]) <= {""}


def test_figures_speak_english_and_empty_data_says_so(page, year, city):
    from dashboard.figures import staffing as F
    from dashboard.queries import staffing as q
    fig = F.officers_by_unit_figure(q.unit_table(year, city)[0], "en")
    assert "Auxiliary" in [tr.name for tr in fig.data]
    empty = F.deployments_figure(q.deployments_by_time(year, city, "month").iloc[0:0],
                                 q.deployments_by_mode(year, city).iloc[0:0], year.start, year.end, "month", "en")
    assert not empty.data and empty.layout.annotations[0].text.startswith("No records")


def test_deployments_figure_stacks_seasons_in_their_theme_colours(page, year, city):
    from dashboard.figures.staffing import deployments_figure
    from dashboard.queries import staffing as q
    from dashboard.theme import color_of
    fig = deployments_figure(q.deployments_by_time(year, city, "month"), q.deployments_by_mode(year, city),
                             year.start, year.end, "month", "zh")
    assert fig.layout.barmode == "stack"
    by_mode = {tr.name: tr.marker.color for tr in fig.data if tr.orientation == "h"}
    by_time = {tr.name: tr.marker.color for tr in fig.data if tr.orientation is None}
    assert by_mode["旺季"] == by_time["旺季"] == color_of("旺季") and by_time["淡季"] == color_of("淡季")
    part = [tr for tr in fig.data if tr.orientation is None and tr.showlegend is False]
    assert part and all(tr.marker.pattern.shape == "/" for tr in part)          # November is not over


def test_deployment_modes_are_named_right_of_their_panel_clear_of_the_time_panel(page, year, city):
    from dashboard.figures.staffing import deployments_figure
    from dashboard.queries import staffing as q
    fig = deployments_figure(q.deployments_by_time(year, city, "month"), q.deployments_by_mode(year, city),
                             year.start, year.end, "month", "zh")
    assert fig.layout.yaxis2.side == "right" and fig.layout.yaxis2.automargin is True
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_post_and_team_columns_hold_their_names_on_one_line(page, year, city, lang):
    from dashboard.components.declare import Ask
    from dashboard.figures.base import text_px
    from dashboard.state import View
    ask = Ask(View("custom", year.start, year.end, unit=None, area=None, season=None, lang=lang), city)
    for table in (page.posts_table(ask), page.teams_table(ask)):
        for col in table.columns:
            if "minWidth" in col and "type" not in col:
                assert col["minWidth"] >= text_px(col["headerName"], 14) + page.HEADER_CHROME_PX, col["headerName"]


def test_deployments_of_a_single_week_are_drawn_a_week_wide(page, city):
    from dashboard.figures.staffing import deployments_figure
    from dashboard.model.filters import Filters
    from dashboard.queries import staffing as q
    by_time = q.deployments_by_time(Filters(dt.date(TODAY.year, 1, 1), TODAY), city, "week")
    week = by_time.key.max().date()
    one = Filters(week, week + dt.timedelta(days=6))
    fig = deployments_figure(by_time[by_time.key == by_time.key.max()], q.deployments_by_mode(one, city),
                             one.start, one.end, "week", "zh")
    assert all(tr.width == 0.7 * 7 * 24 * 3600 * 1000 for tr in fig.data if tr.orientation is None)


def test_person_times_figure_shades_peaks_without_overprinting_captions(page, year, city):
    from dashboard.figures.base import text_px
    from dashboard.figures.staffing import person_times_figure
    from dashboard.queries import staffing as q
    from dashboard.queries.calendar import peak_bands
    bands = peak_bands(year, city)
    fig = person_times_figure(q.person_times_trend(year, city, "month"), bands, "month", "zh")
    assert fig.layout.shapes, "peak periods are shaded"
    first, after = (dt.date.fromisoformat(d) for d in fig.layout.xaxis.range)
    rows: dict = {}
    for a in fig.layout.annotations:
        x = (dt.date.fromisoformat(a.x) - first).days / (after - first).days * 430
        left = x - text_px(a.text) if a.xanchor == "right" else x
        rows.setdefault(a.yshift, []).append((left, left + text_px(a.text)))
    for spans in rows.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "captions in one row never overprint"


def test_person_times_of_a_month_not_over_is_hollow_on_a_dotted_segment(page, year, city):
    from dashboard.figures.staffing import person_times_figure
    from dashboard.queries import staffing as q
    fig = person_times_figure(q.person_times_trend(year, city, "month"), [], "month", "zh")
    solid, dotted, hollow = fig.data
    assert solid.y[-1] is None and dotted.line.dash == "dot" and hollow.marker.color == "white"
    assert any(a.text == "不完整月" for a in fig.layout.annotations)


def test_area_figure_shows_the_ratio_with_its_officers(page, year, city):
    from dashboard.figures.staffing import area_figure
    from dashboard.queries import staffing as q
    df = q.area_staffing(year, city)
    fig = area_figure(df, "zh")
    assert list(fig.data[0].x) == pytest.approx(df.per_10k_daily.tolist())
    assert f"（{df.officers.iloc[0]}人）" in fig.data[0].text[0]


def test_callbacks_render_for_a_query_string(page):
    query = "?period=this_year&lang=en"
    kpis, more = page.render_kpis(query)
    assert len(kpis) == len(page.q.KPI_METRICS) == 6
    assert len(more) == 1 + len(page.q.MORE_METRICS) and "Volunteer" in str(more)
    cols, rows, options = page.render_units(query)
    assert options["pinnedBottomRowData"][0]["name"] == "Total" and options["suppressFieldDotNotation"]
    assert page.render_deployments(query + "&grain=week").data
    assert page.render_person_times(query + "&grain=week").layout.shapes
    fig, style = page.render_areas(query)
    assert style["height"] == f"{fig.layout.height}px"
    post_cols, posts, team_cols, teams = page.render_lists(query)
    assert posts and teams and {c["field"] for c in post_cols} <= set(posts[0])


def test_clicking_a_unit_row_drills_into_it(page, city):
    import dash
    branch = _a_branch(city)
    with _triggered(dash, page.UNITS):
        out = page.drill(None, {"rowId": branch}, None, "?period=this_year")
    assert out == f"?period=this_year&unit={branch}"


def test_clicking_a_units_bar_drills_into_it(page, city):
    import dash
    branch = _a_branch(city)
    with _triggered(dash, page.TREE):
        out = page.drill({"points": [{"y": "x", "customdata": [branch, 60]}]}, None, None,
                         "?period=this_year&area=YLA001")
    assert out == f"?period=this_year&unit={branch}"
    with _triggered(dash, page.TREE):   # the own-staff bar is no drill target
        assert page.drill({"points": [{"customdata": ["", 60]}]}, None, None, "?period=this_year") is dash.no_update


def test_clicking_an_area_bar_drills_into_the_area(page, city):
    import dash
    from dashboard.queries import reference
    area = reference.areas(city).area_code.iloc[0]
    with _triggered(dash, page.AREAS):
        out = page.drill(None, None, {"points": [{"customdata": [area, 1]}]}, "?period=this_year")
    assert out == f"?period=this_year&area={area}"


def test_a_posted_unit_outside_the_view_or_unknown_is_refused(page, city):
    import dash
    from dashboard.queries import reference
    branches = reference.drill_children(None, city)
    with _triggered(dash, page.UNITS):
        assert page.drill(None, {"rowId": "NOPE"}, None, "?") is dash.no_update
        assert page.drill(None, {"rowId": "__total__"}, None, "?") is dash.no_update
        # up or sideways from a drilled unit is not a drill: the breadcrumb is the way back
        assert page.drill(None, {"rowId": branches[1]}, None, f"?unit={branches[0]}") is dash.no_update
    with _triggered(dash, page.AREAS):
        assert page.drill(None, None, {"points": [{"customdata": ["'; drop table x"]}]}, "?") is dash.no_update
        assert page.drill(None, None, {"points": "junk"}, "?") is dash.no_update


def test_grain_choice_goes_to_the_url_and_bad_values_are_dropped(page):
    import dash
    assert page.choose_grain("week", "?period=this_year") == "?period=this_year&grain=week"
    assert page.choose_grain("month", "?period=this_year") is dash.no_update  # already the default
    assert page.choose_grain("hour", "?period=this_year") is dash.no_update
    from dashboard.refusals import InvalidInput
    with pytest.raises(InvalidInput, match="grain=hour"):  # refused, never the whole city
        page.render_units("?grain=hour&unit=NOPE")


class _triggered:
    """Run a callback as if `component_id` had fired (dash.ctx outside a request)."""

    def __init__(self, dash_module, component_id):
        from dash._callback_context import context_value
        from dash._utils import AttributeDict
        self.context_value = context_value
        self.value = AttributeDict(triggered_inputs=[{"prop_id": f"{component_id}.n_clicks", "value": 1}])

    def __enter__(self):
        self.token = self.context_value.set(self.value)

    def __exit__(self, *exc):
        self.context_value.reset(self.token)
