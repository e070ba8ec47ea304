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

import math

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html, no_update

from dashboard.components.bind import catalog_kpis
from dashboard.components.declare import Chart, Drill, Grid, Kpis
from dashboard.components.exports import table_menu
from dashboard.components.grid import number_format
from dashboard.components.page_kit import Page
from dashboard.exports.tables import Table
from dashboard.figures.base import text_px
from dashboard.figures.staffing import area_figure, deployments_figure, officers_by_unit_figure, person_times_figure
from dashboard.format import fmt_value
from dashboard.queries import reference
from dashboard.queries import staffing as q
from dashboard.queries.calendar import peak_bands
from dashboard.model.catalog import BY_ID
from dashboard.session import scope_label
from dashboard.text import t, value_label
from dashboard.text.common import GRID_LOCALE_ZH

dash.register_page(__name__, path="/staffing", name="nav.staffing", order=1, title="警力部署 · 旅游警务数据看板")

PAGE = "staffing"
KPIS, MORE, GRAIN = f"{PAGE}-kpis", f"{PAGE}-more-figures", f"{PAGE}-grain"
TREE = f"{PAGE}-tree"     # the officers-by-unit bars (the id other modules and tests know)
UNITS, DEPLOY, PERSON_TIMES = f"{PAGE}-units", f"{PAGE}-deploy", f"{PAGE}-person-times"
AREAS, POSTS, TEAMS = f"{PAGE}-areas", f"{PAGE}-posts", f"{PAGE}-teams"
GRAIN_ARG = ("grain",)

P = Page(__name__, PAGE, default_period="this_year", allowed={"grain": set(q.TIME_GRAINS)},
         choices=lambda view, scope: {"grain": view.get("grain") or q.default_grain(view.filters)})


def more_figures(figures: dict, ask) -> list:
    """The catalog figures without a card of their own, on one line: label, value and unit."""
    lang = ask.lang
    items = [html.Span(t("staffing.more_label", lang), className="tpd-staffing-more-label")]
    for mid in q.MORE_METRICS:
        m, value = BY_ID[mid], fmt_value(BY_ID[mid].fmt, figures[mid].now.value, lang)
        label, unit = (m.zh, m.unit_zh) if lang == "zh" else (m.en, m.unit_en)
        items.append(html.Span([html.Span(label + " "), html.B(value), html.Span(" " + unit if unit else "")],
                               className="tpd-staffing-more-item", id=f"{PAGE}-more-{mid.replace('.', '-')}"))
    return items


def _count_col(field: str, key: str, lang: str, width: int | None = None, **more) -> dict:
    return {"field": field, "headerName": t(key, lang), "type": "numericColumn",
            "minWidth": width or (64 if lang == "zh" else 86), "filter": False, "wrapHeaderText": True,
            "autoHeaderHeight": True, "valueFormatter": number_format(",d"), **more}


def unit_columns(lang: str) -> list[dict]:
    counts = [("staff.fulltime", "fulltime"), ("staff.parttime", "parttime"), ("staff.auxiliary", "auxiliary"),
              ("staff.officers", "officers"), ("posts.police_rooms_standardized", "rooms_std"),
              ("posts.service_points", "points"), ("teams.volunteer", "volunteer"),
              ("teams.prevention", "prevention")]
    return [
        {"field": "name", "headerName": t("staffing.col_unit", lang), "pinned": "left",
         "minWidth": 135 if lang == "zh" else 155, "cellClassRules": {"tpd-drill-cell": "params.data.kind == 'unit'"},
         "tooltipField": "name"},
        *[_count_col(field, f"staffing.col_{key}", lang, **({"cellStyle": {"fontWeight": 600}}
                                                              if key == "officers" else {})) for field, key in counts],
        _count_col("deploy.person_times", "staffing.col_person_times", lang, 80 if lang == "zh" else 110),
    ]


def named_rows(rows: list[dict], ask) -> list[dict]:
    """The units' rows, the page's own level named as such."""
    def own(row):
        return t("staffing.own_level", ask.lang, name=row["name"] or scope_label(ask.scope, ask.lang))
    return [{**row, "name": own(row)} if row["kind"] == "self" else row for row in rows]


def units_table(ask) -> Table:
    rows, total = q.unit_table(ask.filters, ask.scope)
    return Table(unit_columns(ask.lang), named_rows(rows, ask),
                 pinned_bottom=[{**total, "name": t("staffing.total_row", ask.lang)}])


def unit_options(table: Table, ask) -> dict:
    return {"localeText": GRID_LOCALE_ZH if ask.lang == "zh" else {}, "animateRows": False,
            "pinnedBottomRowData": table.pinned_bottom, "suppressFieldDotNotation": True,
            "getRowStyle": {"function": "params.node.rowPinned ? {fontWeight: 600} : null"}}


HEADER_CHROME_PX = 56     # a grid header's padding and filter icon, beside its name


def _list_col(field, key, width, lang, **more):
    """A list column at least as wide as its name on one line: narrower, a phone's grid (sized to
    fit) wrapped 规范化 one character a line."""
    name = t(f"staffing.col_{key}", lang)
    return {"field": field, "headerName": name, "minWidth": max(width, math.ceil(text_px(name, 14)) + HEADER_CHROME_PX),
            **more}


def posts_table(ask) -> Table:
    """Posts in use on the period's last day."""
    lang = ask.lang
    yes, no = t("staffing.yes", lang), t("staffing.no", lang)
    posts = [{**r, "post_type": value_label(r["post_type"], lang), "standardized": yes if r["standardized"] else no}
             for r in q.post_list(ask.filters, ask.scope)]
    cols = [_list_col("post_name", "post", 170, lang, tooltipField="post_name"),
            _list_col("post_type", "type", 95, lang), _list_col("standardized", "standardized", 70, lang),
            _list_col("area_name", "area", 100, lang,
                      valueFormatter={"function": "params.value == null ? '—' : params.value"}),
            _list_col("unit_name", "unit", 110, lang), _list_col("opened_on", "opened", 100, lang)]
    return Table(cols, posts)


def teams_table(ask) -> Table:
    """Teams active on the period's last day."""
    lang = ask.lang
    teams = [{**r, "team_type": value_label(r["team_type"], lang)} for r in q.team_list(ask.filters, ask.scope)]
    cols = [_list_col("team_name", "team", 160, lang, tooltipField="team_name"),
            _list_col("team_type", "type", 110, lang), _list_col("unit_name", "unit", 100, lang),
            _count_col("members", "staffing.col_members", lang, 80), _list_col("founded_on", "founded", 100, lang)]
    return Table(cols, teams)


TREE_CHART = Chart(TREE, "staffing.hierarchy", q.unit_table, height=440, fit=True,
                   figure=lambda d, ask: officers_by_unit_figure(named_rows(d[0], ask), ask.lang))
DEPLOY_CHART = Chart(DEPLOY, "staffing.deployments", lambda f, s, grain: (
    q.deployments_by_time(f, s, grain), q.deployments_by_mode(f, s)), args=GRAIN_ARG, height=360,
    figure=lambda d, ask: deployments_figure(*d, ask.filters.start, ask.filters.end, ask.get("grain"), ask.lang))
PERSON_TIMES_CHART = Chart(PERSON_TIMES, "staffing.person_times", q.person_times_trend, args=GRAIN_ARG, height=360,
                           figure=lambda df, ask: person_times_figure(
                               df, peak_bands(ask.filters, ask.scope), ask.get("grain"), ask.lang))
AREAS_CHART = Chart(AREAS, "staffing.areas", q.area_staffing, height=360, fit=True,   # grows with the areas
                    figure=lambda df, ask: area_figure(df, ask.lang))
UNITS_GRID = Grid(UNITS, "staffing.unit_table", units_table, options=unit_options, height=440, row_id="key")
POSTS_GRID = Grid(POSTS, "staffing.posts", posts_table, height=350)
TEAMS_GRID = Grid(TEAMS, "staffing.teams", teams_table, height=350)

render_kpis = P.render(Kpis(KPIS, catalog_kpis(q.KPI_METRICS + q.MORE_METRICS), q.KPI_METRICS,
                          width={"xs": 12, "md": 4, "lg": 2}, more=(MORE, more_figures)))
render_tree = P.render(TREE_CHART)
render_units = P.render(UNITS_GRID)
render_deployments = P.render(DEPLOY_CHART)
render_person_times = P.render(PERSON_TIMES_CHART)
render_areas = P.render(AREAS_CHART)
render_lists = P.render(POSTS_GRID, TEAMS_GRID)


def _tab(item: Grid, ask) -> dbc.Tab:
    menu = html.Div(table_menu(item.id, ask.view), className="d-flex justify-content-end mb-1")
    return dbc.Tab(html.Div([menu, P.grid(item, ask)]), label=t(item.title_key, ask.lang),
                   tab_id=item.id.removeprefix(f"{PAGE}-"), className="pt-2")


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    grain_radio = dbc.RadioItems(id=GRAIN, value=ask.get("grain"), inline=True, input_class_name="me-1",
                                 options=[{"label": t(f"staffing.grain_{g}", lang), "value": g} for g in q.TIME_GRAINS],
                                 className="small tpd-staffing-grain")
    return P.frame(
        ask,
        dcc.Loading(html.Div([dbc.Row(id=KPIS, className="g-2"), html.Div(id=MORE, className="tpd-staffing-more")],
                             className="mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(P.card(TREE_CHART, ask, hint=t("staffing.hierarchy_hint", lang)), lg=5),
            dbc.Col(P.card(UNITS_GRID, ask, hint=t("staffing.click_to_drill", lang)), lg=7),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(DEPLOY_CHART, ask, hint=t("staffing.deployments_hint", lang), tools=[grain_radio]), lg=7),
            dbc.Col(P.card(PERSON_TIMES_CHART, ask, hint=t("staffing.person_times_hint", lang)), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(AREAS_CHART, ask, hint=t("staffing.areas_hint", lang)), lg=5),
            dbc.Col(dbc.Card(dbc.CardBody(dbc.Tabs([_tab(POSTS_GRID, ask), _tab(TEAMS_GRID, ask)], active_tab="posts",
                                                   className="tpd-staffing-tabs")), className="h-100"), lg=7),
        ], className="g-2"),
    )


@P.to_url((GRAIN, "value"))
def choose_grain(grain, search):
    ask = P.ask_from(search)
    return no_update if grain not in q.TIME_GRAINS or grain == ask.get("grain") else ask.view.query(grain=grain)


def tree_unit(click) -> str | None:
    """A bar's unit: its customdata, or the first part of its id."""
    points = (click or {}).get("points") or []
    point = points[0] if points and isinstance(points[0], dict) else {}
    custom = point.get("customdata")
    return custom[0] if isinstance(custom, list) and custom else str(point.get("id") or "").split("|")[0] or None


def to_unit(code, ask):
    """Only down the tree from where the page is, and only within the user's scope."""
    path = reference.ancestors(code, ask.scope)
    if code != ask.view.unit and code in path and (not ask.view.unit or ask.view.unit in path):
        return ask.view.query(unit=code, area=None)


def to_area(code, ask):
    if code != ask.view.area and code in set(reference.areas(ask.scope, ask.view.unit).area_code):
        return ask.view.query(area=code)


drill = P.drill(Drill(TREE, to_unit, value=tree_unit), Drill(UNITS, to_unit, prop="cellClicked"), Drill(AREAS, to_area))
