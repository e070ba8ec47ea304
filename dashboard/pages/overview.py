"""总览 Overview: the weekly leadership page.

Defaults to the last complete week. Headline KPI cards with their change
against the week before and the same week last year; alerts where a week
departs from its own 12-week baseline, worded as for the better or the
worse; a 12-week trend with peak periods shaded beside the units and scenic
areas that lag most, all on the first screen of a 1440×900 display for the
weekly meeting. Clicking a unit or an area drills the whole page into it.
"""
from __future__ import annotations

import json

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
from dashboard.components.grid import few_condition, grid, rate_cell_style
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports, weeks_to_end
from dashboard.exports.tables import Table
from dashboard.figures.overview import weekly_trend_figure
from dashboard.format import fmt_value
from dashboard.model import judgements, ranking
from dashboard.model.catalog import BY_ID
from dashboard.model.periods import trailing_weeks
from dashboard.queries import overview as q
from dashboard.queries import reference
from dashboard.queries.calendar import peak_bands
from dashboard.queries.kpis import kpi_figures
from dashboard.session import current_scope, scope_label
from dashboard.text import t

dash.register_page(__name__, path="/", name="nav.overview", order=0, title="总览 · 旅游警务数据看板")

PAGE = "overview"
VIEW = f"{PAGE}-view"
KPIS = f"{PAGE}-kpis"
TREND = f"{PAGE}-trend"
ALERTS = f"{PAGE}-alerts"
UNITS = f"{PAGE}-units"
AREAS = f"{PAGE}-areas"
DEFAULT_PERIOD = "last_week"
# The header and four rows on a 900 px high window, more on a taller one: both tables and
# everything above them fit the first screen.
LAG_GRID_HEIGHT = "max(150px, calc(50vh - 290px))"
ALERTS_SHOWN = 3           # alerts on the page's line; the rest behind "另有 n 条"

EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD))


def _lag_card(grid_id: str, title_key: str, view) -> dbc.Card:
    lang = view.lang
    title = html.Div([html.H2(t(title_key, lang), className="tpd-card-title mb-0"),
                      html.Span(t("overview.click_to_drill", lang), className="tpd-hint mb-0")],
                     className="tpd-lag-title")
    return dbc.Card(dbc.CardBody([
        card_head(title, table_menu(grid_id, view)),
        grid(grid_id, [], [], lang, height=LAG_GRID_HEIGHT, row_id="key", rowHeight=30, headerHeight=32),
    ]), className="tpd-lag-card")


def layout(**kwargs):
    """KPI cards, one line of alerts, then the trend beside the lag tables: one screen at 1440×900."""
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD)
    lang = view.lang
    return page_frame(
        VIEW, view, scope, t("nav.overview", lang),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.Div(id=ALERTS, className="tpd-alert-strip mb-2", role="status"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("overview.trend", lang), chart_menu(TREND, view)),
                # As tall as the two lag tables beside it (the graph is responsive).
                dcc.Graph(id=TREND, config=chart_graph_config(t("overview.trend", lang), view),
                          style={"flex": "1 1 0", "minHeight": "300px"}),
            ], className="d-flex flex-column"), className="h-100"), lg=4),
            dbc.Col([_lag_card(UNITS, "overview.lagging_units", view),
                     _lag_card(AREAS, "overview.lagging_areas", view)], lg=8, className="tpd-lag-stack"),
        ], className="g-2"),
        pack=PAGE,
    )


@callback(Output(KPIS, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    figures = kpi_figures(view.filters, view.comparison, scope, q.HEADLINE)
    return [dbc.Col(kpi_card(mid, figures[mid], view.lang, f"{PAGE}-kpi-{i}", view=view), xs=6, md=3)
            for i, mid in enumerate(q.HEADLINE)]


@EXPORTS.chart(TREND, "overview.trend", span=weeks_to_end(q.TREND_WEEKS))
def trend_chart(view, scope):
    df = q.weekly_trend(view.filters, scope)
    return weekly_trend_figure(df, peak_bands(trailing_weeks(view.filters, q.TREND_WEEKS), scope),
                               view.lang)


@callback(Output(TREND, "figure"), Input(VIEW, "data"))
@cached_output
def render_trend(search):
    scope = current_scope()
    return trend_chart(view_from_store(search, scope, DEFAULT_PERIOD), scope)


# The figures of the lag tables: (field, short header key, d3 format, field of its n, min width).
LAG_COLUMNS = (
    ("incidents.same_day_rate", "overview.col.same_day", ".1%", "incidents.same_day_rate#n", 128),
    ("incidents.response_median_min", "overview.col.response", ".1f", "incidents.response_median_min#n", 128),
    ("survey.satisfaction_rate", "overview.col.satisfaction", ".1%", "survey.satisfaction_rate#n", 128),
    ("survey.satisfaction_rate#n", "overview.col.responses", ",", None, 84),
    ("incidents.total", "overview.col.incidents", ",d", None, 72),
    ("incidents.per_10k_visitors", "overview.col.per_10k", ".2f", None, 80),
)


def lag_columns(lang: str, name_header: str, full_headers: bool = False) -> list[dict]:
    """The lag tables' columns: short headers with the full name as tooltip (a file export gets
    the full names); a rate on fewer than the minimum records is grey and says 样本不足."""
    min_n = judgements.min_survey_answers()
    few = json.dumps("\u2002" + t("overview.too_few", lang), ensure_ascii=False)

    def col(field, short_key, fmt, n_field, width):
        full = (BY_ID[field].zh if lang == "zh" else BY_ID[field].en) if field in BY_ID \
            else t("overview.col.responses_full", lang)
        shown = f"d3.format('{fmt}')(params.value)"
        if n_field:
            shown += f" + ({few_condition(n_field, min_n)} ? {few} : '')"
        spec = {"field": field, "headerName": full if full_headers else t(short_key, lang), "headerTooltip": full,
                "type": "numericColumn", "minWidth": width, "width": width, "filter": False,
                "wrapHeaderText": False, "autoHeaderHeight": False,
                "valueFormatter": {"function": f"params.value == null ? '—' : {shown}"}}
        target = judgements.target_of(field)
        if target:
            spec["cellStyle"] = rate_cell_style(field, target["target"], target.get("amber", target["target"]),
                                                target.get("lower_is_better", False), n_field, min_n)
        return spec
    return [{"field": "name", "headerName": name_header, "pinned": "left", "minWidth": 150, "width": 160, "filter": False,
             "cellClass": "tpd-drill-cell", "tooltipField": "name"}] + [col(*c) for c in LAG_COLUMNS]


def lag_rows(df) -> list[dict]:
    """Rows with the figures shown and the n behind each judged rate (the grid greys a rate on few)."""
    if df.empty:
        return []
    keep = ["key", "name"] + [c[0] for c in LAG_COLUMNS] + [c[3] for c in LAG_COLUMNS if c[3]]
    keep = list(dict.fromkeys(k for k in keep if k in df))
    out = df[keep].astype(object).where(df[keep].notna(), None)
    return out.to_dict("records")


def _name_rest(rows: list[dict], lang: str) -> list[dict]:
    for row in rows:
        if row["key"] == q.REST:
            row["name"] = t("overview.own_level", lang)
    return rows


def lag_tables(view, scope, full_headers: bool = False) -> tuple[Table, Table]:
    """Lagging units and lagging areas, from one set of queries."""
    units, areas = q.lagging(view.filters, scope)
    units, areas = ranking.worst_first(units, last_key=q.REST), ranking.worst_first(areas)
    lang = view.lang
    return (Table(lag_columns(lang, t("common.unit", lang), full_headers), _name_rest(lag_rows(units), lang)),
            Table(lag_columns(lang, t("common.area", lang), full_headers), lag_rows(areas)))


@EXPORTS.table(UNITS, "overview.lagging_units")
def units_table(view, scope) -> Table:
    return lag_tables(view, scope, full_headers=True)[0]


@EXPORTS.table(AREAS, "overview.lagging_areas")
def areas_table(view, scope) -> Table:
    return lag_tables(view, scope, full_headers=True)[1]


@callback(
    Output(UNITS, "columnDefs"), Output(UNITS, "rowData"),
    Output(AREAS, "columnDefs"), Output(AREAS, "rowData"),
    Input(VIEW, "data"),
)
@cached_output
def render_lagging(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    units, areas = lag_tables(view, scope)
    return units.columns, units.rows, areas.columns, areas.rows


def alert_item(alert: dict, lang: str) -> html.Li:
    """One departure, worded with whether it is for the better or the worse."""
    m = BY_ID[alert["metric"]]
    tone = judgements.verdict(m.higher_is_better, alert["z"]) or "neutral"
    where = alert["unit_name"] or scope_label(current_scope(), lang)
    direction = t("overview.up" if alert["z"] > 0 else "overview.down", lang)
    icon = {"bad": "⚠", "good": "✔", "neutral": "●"}[tone]
    return html.Li([
        html.Span(icon + " ", className=f"tpd-alert-icon tpd-alert-{tone}"),
        html.Strong(f"{where} · {m.zh if lang == 'zh' else m.en}"),
        html.Span(" " + t("overview.alert_text", lang, week=alert["week"].isoformat(),
                            value=fmt_value(m.fmt, alert["value"]), baseline=fmt_value(m.fmt, alert["baseline"]),
                            direction=direction, z=f"{abs(alert['z']):.1f}") + " "),
        html.Span(t(f"overview.alert.{tone}", lang), className=f"tpd-alert-tag tpd-alert-{tone}"),
    ], title=t(f"overview.alert.{tone}_title", lang), className=f"tpd-alert tpd-alert-item-{tone}")


def alert_order(alert: dict) -> tuple:
    """For the worse first, then neutral, then for the better; the largest departure first."""
    tone = judgements.verdict(BY_ID[alert["metric"]].higher_is_better, alert["z"])
    return {"bad": 0, None: 1, "good": 2}[tone], -abs(alert["z"])


@callback(Output(ALERTS, "children"), Input(VIEW, "data"))
@cached_output
def render_alerts(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    lang = view.lang
    title = html.Span(t("overview.alerts", lang), className="tpd-alert-title")
    found = sorted(ranking.departures(q.alert_series(view.filters, scope), q.ALERT_METRICS), key=alert_order)
    if not found:
        return [title, html.Span(t("overview.no_alerts", lang), className="text-muted")]
    items = [alert_item(a, lang) for a in found[:8]]
    shown = html.Ul(items[:ALERTS_SHOWN], className="tpd-alert-list")
    if len(items) <= ALERTS_SHOWN:
        return [title, shown]
    more = html.Details([html.Summary(t("overview.alerts_more", lang, n=len(items) - ALERTS_SHOWN)),
                         html.Ul(items[ALERTS_SHOWN:], className="tpd-alert-list")], className="tpd-alert-more")
    return [title, shown, more]


@callback(Output(URL, "search", allow_duplicate=True), Input(UNITS, "cellClicked"),
          Input(AREAS, "cellClicked"), State(VIEW, "data"), prevent_initial_call=True)
def drill(unit_click, area_click, search):
    """A click on a unit or area row narrows the whole page to it."""
    trigger = dash.ctx.triggered_id
    click = unit_click if trigger == UNITS else area_click if trigger == AREAS else None
    row_key = (click or {}).get("rowId")
    if not isinstance(row_key, str) or row_key == q.REST:
        return no_update
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    # The row id is client input: only a unit or area this user may see is followed.
    if trigger == UNITS:
        if row_key not in set(reference.units(scope).unit_code):
            return no_update
        return view.query(unit=row_key, area=None)
    if row_key not in reference.area_names(scope):
        return no_update
    return view.query(area=row_key)
