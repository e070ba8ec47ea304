"""总览 Overview: the weekly leadership page.

Defaults to the last complete week. Headline KPI cards with their change
against the week before and the same week last year; a 12-week trend with
peak periods shaded; the units and scenic areas that lag most; alerts where
a week departs from its own 12-week baseline. Clicking a unit or an area
drills the whole page into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import analysis
from dashboard.components.cached import cached_output
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import URL
from dashboard.components.grid import grid, rate_cell_style
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.tables import Table
from dashboard.figures.overview import weekly_trend_figure
from dashboard.format import fmt_value
from dashboard.queries import overview as q
from dashboard.queries import reference
from dashboard.queries.calendar import peak_bands
from dashboard.queries.catalog import BY_ID
from dashboard.queries.kpis import kpi_figures
from dashboard.session import current_scope
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

EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD))


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD)
    lang = view.lang
    return page_frame(
        VIEW, view, scope, t("nav.overview", lang),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("overview.trend", lang), chart_menu(TREND, view)),
                dcc.Graph(id=TREND, config=chart_graph_config(t("overview.trend", lang), view)),
            ])), lg=7),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("overview.alerts", lang), className="tpd-card-title"),
                html.Div(id=ALERTS, className="tpd-alerts"),
            ])), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("overview.lagging_units", lang), table_menu(UNITS, view)),
                html.P(t("overview.click_to_drill", lang), className="tpd-hint"),
                grid(UNITS, [], [], lang, height=300, row_id="key"),
            ])), lg=6),
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("overview.lagging_areas", lang), table_menu(AREAS, view)),
                html.P(t("overview.click_to_drill", lang), className="tpd-hint"),
                grid(AREAS, [], [], lang, height=300, row_id="key"),
            ])), lg=6),
        ], className="g-2"),
        pack=PAGE,
    )


@callback(Output(KPIS, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    figures = kpi_figures(view, scope, q.HEADLINE)
    return [dbc.Col(kpi_card(mid, figures[mid], view.lang, f"{PAGE}-kpi-{i}"), xs=6, md=3)
            for i, mid in enumerate(q.HEADLINE)]


@EXPORTS.chart(TREND, "overview.trend")
def trend_chart(view, scope):
    df = q.weekly_trend(view.filters, scope)
    span = view.filters
    bands = peak_bands(span.__class__(df["key"].min().date(), span.end), scope, view.lang) if not df.empty else []
    return weekly_trend_figure(df, bands, view.lang)


@callback(Output(TREND, "figure"), Input(VIEW, "data"))
@cached_output
def render_trend(search):
    scope = current_scope()
    return trend_chart(view_from_store(search, scope, DEFAULT_PERIOD), scope)


def lag_columns(lang: str, name_header: str) -> list[dict]:
    def col(mid, fmt):
        m = BY_ID[mid]
        spec = {"field": mid, "headerName": m.zh if lang == "zh" else m.en, "type": "numericColumn",
                "valueFormatter": {"function": f"params.value == null ? '—' : d3.format('{fmt}')(params.value)"}}
        target = analysis.target_of(mid)
        if target:
            spec["cellStyle"] = rate_cell_style(mid, target["target"], target.get("amber", target["target"]),
                                                target.get("lower_is_better", False))
        return spec
    return [
        {"field": "name", "headerName": name_header, "pinned": "left", "minWidth": 130,
         "cellClass": "tpd-drill-cell"},
        col("incidents.same_day_rate", ".1%"),
        col("incidents.response_median_min", ".1f"),
        col("survey.satisfaction_rate", ".1%"),
        {"field": "survey.satisfaction_rate#n", "headerName": "n",
         "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',')(params.value)"}},
        col("incidents.total", ",d"),
        col("incidents.per_10k_visitors", ".2f"),
    ]


def lag_rows(df) -> list[dict]:
    if df.empty:
        return []
    keep = ["key", "name", "incidents.same_day_rate", "incidents.response_median_min",
            "survey.satisfaction_rate", "survey.satisfaction_rate#n", "incidents.total",
            "incidents.per_10k_visitors"]
    out = df[keep].astype(object).where(df[keep].notna(), None)
    return out.to_dict("records")


def _name_rest(rows: list[dict], lang: str) -> list[dict]:
    for row in rows:
        if row["key"] == q.REST:
            row["name"] = t("overview.own_level", lang)
    return rows


def lag_tables(view, scope) -> tuple[Table, Table]:
    """Lagging units and lagging areas, from one set of queries."""
    units, areas = q.lagging(view.filters, scope)
    return (Table(lag_columns(view.lang, t("common.unit", view.lang)), _name_rest(lag_rows(units), view.lang)),
            Table(lag_columns(view.lang, t("common.area", view.lang)), lag_rows(areas)))


@EXPORTS.table(UNITS, "overview.lagging_units")
def units_table(view, scope) -> Table:
    return lag_tables(view, scope)[0]


@EXPORTS.table(AREAS, "overview.lagging_areas")
def areas_table(view, scope) -> Table:
    return lag_tables(view, scope)[1]


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


@callback(Output(ALERTS, "children"), Input(VIEW, "data"))
@cached_output
def render_alerts(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    lang = view.lang
    found = q.alerts(view.filters, scope)
    if not found:
        return html.P(t("overview.no_alerts", lang), className="text-muted small mb-0")
    items = []
    for a in found[:8]:
        m = BY_ID[a["metric"]]
        where = a["unit_name"] or t("crumb.city", lang)
        direction = t("overview.up" if a["z"] > 0 else "overview.down", lang)
        items.append(html.Li([
            html.Span("⚠ ", className="tpd-alert-icon"),
            html.Strong(f"{where} · {m.zh if lang == 'zh' else m.en}"),
            html.Span(" " + t("overview.alert_text", lang, week=a["week"].isoformat(),
                                value=fmt_value(m.fmt, a["value"]), baseline=fmt_value(m.fmt, a["baseline"]),
                                direction=direction, z=f"{abs(a['z']):.1f}")),
        ]))
    return html.Ul(items, className="list-unstyled small mb-0")


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
