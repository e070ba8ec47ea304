"""警力部署 Staffing: police by type across the unit hierarchy, posts, teams, deployments.

Defaults to this year. Stock figures (officers, police rooms, service points,
teams) are read on the period's last day; deployments count by their start
date. Six headline cards and a line of the other catalog figures fit one
row; a bar per unit one level down stacks its officers by person type, and a
table gives every such unit its police, posts and teams; deployments are
shown by season and mode, person-times over time with peak periods shaded,
and each scenic area's officers against its visitors. Clicking a unit (bar
or table row) or an area drills the page into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.exports import (
    card_head,
    chart_graph_config,
    chart_menu,
    table_menu,
)
from dashboard.components.filter_bar import URL
from dashboard.components.grid import grid
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.tables import Table
from dashboard.figures.staffing import (
    area_figure,
    deployments_figure,
    officers_by_unit_figure,
    officers_height,
    person_times_figure,
)
from dashboard.format import fmt_value
from dashboard.model.catalog import BY_ID
from dashboard.model.filters import Scope
from dashboard.queries import reference
from dashboard.queries import staffing as q
from dashboard.queries.calendar import peak_bands
from dashboard.queries.kpis import kpi_figures
from dashboard.session import current_scope, scope_label
from dashboard.state import View
from dashboard.text import t, value_label
from dashboard.text.common import GRID_LOCALE_ZH

dash.register_page(__name__, path="/staffing", name="nav.staffing", order=1, title="警力部署 · 旅游警务数据看板")

PAGE = "staffing"
VIEW = f"{PAGE}-view"
KPIS = f"{PAGE}-kpis"
MORE = f"{PAGE}-more-figures"
TREE = f"{PAGE}-tree"     # the officers-by-unit bars (the id other modules and tests know)
UNITS = f"{PAGE}-units"
GRAIN = f"{PAGE}-grain"
DEPLOY = f"{PAGE}-deploy"
PERSON_TIMES = f"{PAGE}-person-times"
AREAS = f"{PAGE}-areas"
POSTS = f"{PAGE}-posts"
TEAMS = f"{PAGE}-teams"
DEFAULT_PERIOD = "this_year"
EXTRA = {"grain": set(q.TIME_GRAINS)}


def _view(search) -> tuple[View, Scope]:
    scope = current_scope()
    return view_from_store(search, scope, DEFAULT_PERIOD, EXTRA), scope


EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD, EXTRA))


def _grain(view: View) -> str:
    return view.get("grain") or q.default_grain(view.filters)


def _card(title_key: str, view: View, *body, hint_key: str | None = None, header_extra=None,
          export: str | None = None, table: str | None = None) -> dbc.Card:
    lang = view.lang
    tools = [header_extra, chart_menu(export, view) if export else None, table_menu(table, view) if table else None]
    head = card_head(t(title_key, lang), *tools)
    hint = [html.P(t(hint_key, lang), className="tpd-hint")] if hint_key else []
    return dbc.Card(dbc.CardBody([head, *hint, *body]), className="h-100")


def _graph(graph_id: str, title_key: str, view: View, height: int) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=chart_graph_config(t(title_key, view.lang), view),
                     style={"height": f"{height}px"})


def _tab_grid(grid_id: str, view: View) -> html.Div:
    return html.Div([html.Div(table_menu(grid_id, view), className="d-flex justify-content-end mb-1"),
                     grid(grid_id, [], [], view.lang, height=350)])


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD, EXTRA)
    lang = view.lang
    grain_options = [{"label": t(f"staffing.grain_{g}", lang), "value": g} for g in q.TIME_GRAINS]
    grain_radio = dbc.RadioItems(id=GRAIN, options=grain_options, value=_grain(view), inline=True,
                                 className="small tpd-staffing-grain", input_class_name="me-1")
    return page_frame(
        VIEW, view, scope, t("nav.staffing", lang),
        dcc.Loading(html.Div([dbc.Row(id=KPIS, className="g-2"), html.Div(id=MORE, className="tpd-staffing-more")],
                             className="mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(_card("staffing.hierarchy", view, _graph(TREE, "staffing.hierarchy", view, 440),
                          hint_key="staffing.hierarchy_hint", export=TREE), lg=5),
            dbc.Col(_card("staffing.unit_table", view,
                          grid(UNITS, [], [], lang, height=440, row_id="key"),
                          hint_key="staffing.click_to_drill", table=UNITS), lg=7),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("staffing.deployments", view, _graph(DEPLOY, "staffing.deployments", view, 360),
                          hint_key="staffing.deployments_hint", header_extra=grain_radio, export=DEPLOY), lg=7),
            dbc.Col(_card("staffing.person_times", view, _graph(PERSON_TIMES, "staffing.person_times", view, 360),
                          hint_key="staffing.person_times_hint", export=PERSON_TIMES), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("staffing.areas", view, _graph(AREAS, "staffing.areas", view, 360),
                          hint_key="staffing.areas_hint", export=AREAS), lg=5),
            dbc.Col(dbc.Card(dbc.CardBody(dbc.Tabs([
                dbc.Tab(_tab_grid(POSTS, view), label=t("staffing.posts", lang), tab_id="posts", className="pt-2"),
                dbc.Tab(_tab_grid(TEAMS, view), label=t("staffing.teams", lang), tab_id="teams", className="pt-2"),
            ], active_tab="posts", className="tpd-staffing-tabs")), className="h-100"), lg=7),
        ], className="g-2"),
        pack=PAGE,
    )


@callback(Output(KPIS, "children"), Output(MORE, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    view, scope = _view(search)
    lang = view.lang
    figures = kpi_figures(view.filters, view.comparison, scope, q.KPI_METRICS + q.MORE_METRICS)
    cards = [dbc.Col(kpi_card(mid, figures[mid], lang, f"{PAGE}-kpi-{i}", view=view), xs=6, md=4, lg=2)
             for i, mid in enumerate(q.KPI_METRICS)]
    return cards, more_figures(figures, lang)


def more_figures(figures: dict, lang: str) -> list:
    """The catalog figures without a card of their own, on one line: label, value and unit."""
    items = [html.Span(t("staffing.more_label", lang), className="tpd-staffing-more-label")]
    for mid in q.MORE_METRICS:
        m = BY_ID[mid]
        value = fmt_value(m.fmt, figures[mid].now.value, lang)
        unit = m.unit_zh if lang == "zh" else m.unit_en
        label = m.zh if lang == "zh" else m.en
        items.append(html.Span([html.Span(label + " "), html.B(value), html.Span(" " + unit if unit else "")],
                               className="tpd-staffing-more-item", id=f"{PAGE}-more-{mid.replace('.', '-')}"))
    return items


@EXPORTS.chart(TREE, "staffing.hierarchy")
def tree_chart(view: View, scope: Scope):
    return officers_by_unit_figure(units_table(view, scope).rows, view.lang)


@callback(Output(TREE, "figure"), Output(TREE, "style"), Input(VIEW, "data"))
@cached_output
def render_tree(search):
    fig = tree_chart(*_view(search))
    return fig, {"height": f"{fig.layout.height or officers_height(0)}px"}


def _count_col(field: str, key: str, lang: str, width: int | None = None) -> dict:
    width = width or (64 if lang == "zh" else 86)
    return {"field": field, "headerName": t(key, lang), "type": "numericColumn", "minWidth": width,
            "filter": False, "wrapHeaderText": True, "autoHeaderHeight": True,
            "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',d')(params.value)"}}


def unit_columns(lang: str) -> list[dict]:
    return [
        {"field": "name", "headerName": t("staffing.col_unit", lang), "pinned": "left", "minWidth": 135 if lang == "zh" else 155,
         "cellClassRules": {"tpd-drill-cell": "params.data.kind == 'unit'"}, "tooltipField": "name"},
        _count_col("staff.fulltime", "staffing.col_fulltime", lang),
        _count_col("staff.parttime", "staffing.col_parttime", lang),
        _count_col("staff.auxiliary", "staffing.col_auxiliary", lang),
        {**_count_col("staff.officers", "staffing.col_officers", lang), "cellStyle": {"fontWeight": 600}},
        _count_col("posts.police_rooms_standardized", "staffing.col_rooms_std", lang),
        _count_col("posts.service_points", "staffing.col_points", lang),
        _count_col("teams.volunteer", "staffing.col_volunteer", lang),
        _count_col("teams.prevention", "staffing.col_prevention", lang),
        _count_col("deploy.person_times", "staffing.col_person_times", lang, 80 if lang == "zh" else 110),
    ]


@EXPORTS.table(UNITS, "staffing.unit_table")
def units_table(view: View, scope: Scope) -> Table:
    lang = view.lang
    rows, total = q.unit_table(view.filters, scope)
    for row in rows:
        if row["kind"] == "self":
            row["name"] = t("staffing.own_level", lang, name=row["name"] or scope_label(scope, lang))
    return Table(unit_columns(lang), rows, pinned_bottom=[{**total, "name": t("staffing.total_row", lang)}])


@callback(Output(UNITS, "columnDefs"), Output(UNITS, "rowData"), Output(UNITS, "dashGridOptions"),
          Input(VIEW, "data"))
@cached_output
def render_units(search):
    view, scope = _view(search)
    lang = view.lang
    table = units_table(view, scope)
    options = {"localeText": GRID_LOCALE_ZH if lang == "zh" else {}, "animateRows": False,
               "pinnedBottomRowData": table.pinned_bottom, "suppressFieldDotNotation": True,
               "getRowStyle": {"function": "params.node.rowPinned ? {fontWeight: 600} : null"}}
    return table.columns, table.rows, options


@EXPORTS.chart(DEPLOY, "staffing.deployments")
def deployments_chart(view: View, scope: Scope):
    f, grain = view.filters, _grain(view)
    return deployments_figure(q.deployments_by_time(f, scope, grain), q.deployments_by_mode(f, scope),
                              f.start, f.end, grain, view.lang)


@EXPORTS.chart(PERSON_TIMES, "staffing.person_times")
def person_times_chart(view: View, scope: Scope):
    f, grain = view.filters, _grain(view)
    return person_times_figure(q.person_times_trend(f, scope, grain), peak_bands(f, scope),
                               grain, view.lang)


@EXPORTS.chart(AREAS, "staffing.areas")
def areas_chart(view: View, scope: Scope):
    return area_figure(q.area_staffing(view.filters, scope), view.lang)


@callback(Output(DEPLOY, "figure"), Input(VIEW, "data"))
@cached_output
def render_deployments(search):
    return deployments_chart(*_view(search))


@callback(Output(PERSON_TIMES, "figure"), Input(VIEW, "data"))
@cached_output
def render_person_times(search):
    return person_times_chart(*_view(search))


@callback(Output(AREAS, "figure"), Output(AREAS, "style"), Input(VIEW, "data"))
@cached_output
def render_areas(search):
    fig = areas_chart(*_view(search))
    # The graph box follows the figure, which grows with the number of areas.
    return fig, {"height": f"{fig.layout.height or 360}px"}


@EXPORTS.table(POSTS, "staffing.posts")
def posts_table(view: View, scope: Scope) -> Table:
    return lists_tables(view, scope)[0]


@EXPORTS.table(TEAMS, "staffing.teams")
def teams_table(view: View, scope: Scope) -> Table:
    return lists_tables(view, scope)[1]


@callback(Output(POSTS, "columnDefs"), Output(POSTS, "rowData"),
          Output(TEAMS, "columnDefs"), Output(TEAMS, "rowData"), Input(VIEW, "data"))
@cached_output
def render_lists(search):
    posts, teams = lists_tables(*_view(search))
    return posts.columns, posts.rows, teams.columns, teams.rows


def lists_tables(view: View, scope: Scope) -> tuple[Table, Table]:
    """Posts and teams in use on the period's last day."""
    lang = view.lang
    yes, no = t("staffing.yes", lang), t("staffing.no", lang)
    posts = [{**r, "post_type": value_label(r["post_type"], lang), "standardized": yes if r["standardized"] else no}
             for r in q.post_list(view.filters, scope)]
    teams = [{**r, "team_type": value_label(r["team_type"], lang)} for r in q.team_list(view.filters, scope)]
    post_cols = [
        {"field": "post_name", "headerName": t("staffing.col_post", lang), "minWidth": 170, "tooltipField": "post_name"},
        {"field": "post_type", "headerName": t("staffing.col_type", lang), "minWidth": 95},
        {"field": "standardized", "headerName": t("staffing.col_standardized", lang), "minWidth": 70},
        {"field": "area_name", "headerName": t("staffing.col_area", lang), "minWidth": 100,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value"}},
        {"field": "unit_name", "headerName": t("staffing.col_unit", lang), "minWidth": 110},
        {"field": "opened_on", "headerName": t("staffing.col_opened", lang), "minWidth": 100},
    ]
    team_cols = [
        {"field": "team_name", "headerName": t("staffing.col_team", lang), "minWidth": 160, "tooltipField": "team_name"},
        {"field": "team_type", "headerName": t("staffing.col_type", lang), "minWidth": 110},
        {"field": "unit_name", "headerName": t("staffing.col_unit", lang), "minWidth": 100},
        _count_col("members", "staffing.col_members", lang, 80),
        {"field": "founded_on", "headerName": t("staffing.col_founded", lang), "minWidth": 100},
    ]
    return Table(post_cols, posts), Table(team_cols, teams)


@callback(Output(URL, "search", allow_duplicate=True), Input(GRAIN, "value"), State(VIEW, "data"),
          prevent_initial_call=True)
def choose_grain(grain, search):
    view, _ = _view(search)
    if grain not in q.TIME_GRAINS or grain == _grain(view):
        return no_update
    return view.query(grain=grain)


def _clicked_point(click) -> dict:
    points = (click or {}).get("points") or []
    return points[0] if points and isinstance(points[0], dict) else {}


@callback(Output(URL, "search", allow_duplicate=True), Input(TREE, "clickData"), Input(UNITS, "cellClicked"),
          Input(AREAS, "clickData"), State(VIEW, "data"), prevent_initial_call=True)
def drill(tree_click, unit_click, area_click, search):
    """A click on a unit (its bar or table row) or a scenic area narrows the page to it."""
    trigger = dash.ctx.triggered_id
    view, scope = _view(search)
    if trigger == AREAS:
        custom = _clicked_point(area_click).get("customdata")
        code = custom[0] if isinstance(custom, list) and custom else None
        allowed = set(reference.areas(scope, view.unit).area_code)
        if not isinstance(code, str) or code not in allowed or code == view.area:
            return no_update
        return view.query(area=code)
    if trigger == TREE:
        point = _clicked_point(tree_click)
        custom = point.get("customdata")
        code = custom[0] if isinstance(custom, list) and custom else str(point.get("id") or "").split("|")[0]
    elif trigger == UNITS:
        code = (unit_click or {}).get("rowId")
    else:
        return no_update
    if not isinstance(code, str) or code == view.unit:
        return no_update
    # Only down the tree from where the page is, and only within the user's scope.
    path = reference.ancestors(code, scope)
    if code not in path or (view.unit and view.unit not in path):
        return no_update
    return view.query(unit=code, area=None)
