"""纠纷调解 Mediation: how many disputes, of which kinds, how they ended, how fast, at what cost.

Defaults to this month. KPI cards (mediations, success rate, compensation,
fast-track share, median time to close) with their change against the
period before and last year; disputes by type and result; success rate by
unit and by scenic area and fast-track share by unit (groups with too few
cases grey and unranked); time to close; compensation by dispute type; a
weekly trend with peak periods shaded; the most recent records. Clicking a
dispute type narrows the whole page to it (`category=` in the URL, cleared
by clicking it again or by the chip on top); clicking a unit or an area
drills into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import URL
from dashboard.components.grid import grid
from dashboard.components.kpi import figure_card, kpi_card
from dashboard.components.page import page_frame, record_level_only, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import from_start_of, page_exports
from dashboard.exports.tables import Table, with_export_rows
from dashboard.figures import mediation as figs
from dashboard.model import judgements
from dashboard.model.values import KpiFigures
from dashboard.queries import mediation as q
from dashboard.queries import reference
from dashboard.queries.calendar import peak_bands
from dashboard.session import current_scope, record_level
from dashboard.state import View
from dashboard.text import t, value_label
from warehouse.record_types import DISPUTE_TYPES

dash.register_page(__name__, path="/mediation", name="nav.mediation", order=3,
                   title="纠纷调解 · 旅游警务数据看板")

PAGE = "mediation"
VIEW = f"{PAGE}-view"
KPIS = f"{PAGE}-kpis"
TYPES = f"{PAGE}-types"
COMPENSATION = f"{PAGE}-compensation"
UNIT_RATE = f"{PAGE}-unit-rate"
AREA_RATE = f"{PAGE}-area-rate"
UNIT_FAST = f"{PAGE}-unit-fast"
CLOSE = f"{PAGE}-close"
TREND = f"{PAGE}-trend"
RECORDS = f"{PAGE}-records"
RECORDS_COUNT = f"{PAGE}-records-count"
DEFAULT_PERIOD = "this_month"
EXTRA_ALLOWED = {"category": set(DISPUTE_TYPES)}


def _view(search):
    scope = current_scope()
    return view_from_store(search, scope, DEFAULT_PERIOD, EXTRA_ALLOWED), scope


def _describe(view, scope) -> list[str]:
    category = view.get("category")
    return [t("mediation.category_chip", view.lang, name=value_label(category, view.lang))] if category else []


EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD, EXTRA_ALLOWED),
                       describe=_describe)


def _card(title_key: str, graph_id: str, view, hint: str | None = None) -> dbc.Card:
    title = t(title_key, view.lang)
    return dbc.Card(dbc.CardBody([
        card_head(title, chart_menu(graph_id, view)),
        html.P(hint, className="tpd-hint") if hint else None,
        dcc.Graph(id=graph_id, config=chart_graph_config(title, view)),
    ]))


def _category_chip(view) -> html.Div | None:
    category = view.get("category")
    if not category:
        return None
    lang = view.lang
    return html.Div([
        html.Span(t("mediation.category_chip", lang, name=value_label(category, lang)),
                  className="badge rounded-pill text-bg-primary me-2 tpd-med-chip"),
        dcc.Link(t("mediation.category_clear", lang), href=view.query(category=None), className="small"),
    ], className="mb-2")


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD, EXTRA_ALLOWED)
    lang = view.lang
    small = t("mediation.small_note", lang, n=q.MIN_CASES)
    return page_frame(
        VIEW, view, scope, t("nav.mediation", lang),
        _category_chip(view),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(_card("mediation.by_type", TYPES, view, t("mediation.type_hint", lang)), lg=6),
            dbc.Col(_card("mediation.compensation", COMPENSATION, view, t("mediation.type_hint", lang)), lg=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("mediation.rate_by_unit", UNIT_RATE, view, small), lg=4),
            dbc.Col(_card("mediation.rate_by_area", AREA_RATE, view, small), lg=4),
            dbc.Col(_card("mediation.fast_by_unit", UNIT_FAST, view,
                          t("mediation.fast_small_note", lang, n=q.MIN_CASES)), lg=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("mediation.close_time", CLOSE, view), lg=6),
            dbc.Col(_card("mediation.trend", TREND, view, t("mediation.trend_note", lang)), lg=6),
        ], className="g-2 mb-2"),
        record_level_only(lang, dbc.Card(dbc.CardBody([
            card_head(html.Div([
                html.H2(t("mediation.records", lang), className="tpd-card-title mb-0"),
                html.Span(id=RECORDS_COUNT, className="text-muted small ms-3"),
            ], className="d-flex align-items-baseline"), table_menu(RECORDS, view)),
            grid(RECORDS, [], [], lang, height=420),
        ]))),
        pack=PAGE,
    )


def _page_card(metric_id: str, fig: KpiFigures, view: View, card_id: str) -> dbc.Card:
    """A KPI card for the page's own figures (fast-track share, median hours)."""
    m = q.PAGE_METRICS[metric_id]
    fmt = "rate" if m.fmt == "rate" else "minutes"
    unit = "" if fmt == "rate" else t("mediation.hours_unit", view.lang)
    return figure_card(t(metric_id, view.lang), fmt, unit, fig, view.lang, card_id, view=view)


@callback(Output(KPIS, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    view, scope = _view(search)
    figures = q.headline(view.filters, view.comparison, scope, view.get("category"))
    cards = []
    for i, mid in enumerate(q.HEADLINE):
        card_id = f"{PAGE}-kpi-{i}"
        card = (_page_card(mid, figures[mid], view, card_id) if mid in q.PAGE_METRICS
                else kpi_card(mid, figures[mid], view.lang, card_id, view=view))
        cards.append(dbc.Col(card, xs=6, md=4, xl=True))
    return cards


@EXPORTS.chart(TYPES, "mediation.by_type")
def types_chart(view, scope):
    """Types are always all shown (the chosen one stands out), so another can be clicked."""
    return figs.type_result_figure(q.type_result_counts(view.filters, scope), view.lang, view.get("category"))


@EXPORTS.chart(COMPENSATION, "mediation.compensation")
def compensation_chart(view, scope):
    return figs.compensation_figure(q.compensation_by_type(view.filters, scope, view.get("category")), view.lang)


def _no_units(view, units) -> str | None:
    return t("mediation.no_children", view.lang) if view.unit and units.empty else None


@EXPORTS.chart(UNIT_RATE, "mediation.rate_by_unit")
def unit_rate_chart(view, scope):
    units = q.by_unit(view.filters, scope, view.get("category"))
    rate = "mediation.success_rate"
    target = (judgements.target_of(rate) or {}).get("target")
    return figs.share_bars_figure(units, rate, view.lang, q.MIN_CASES, target=target, metric_id=rate,
                                  empty_text=_no_units(view, units))


@EXPORTS.chart(AREA_RATE, "mediation.rate_by_area")
def area_rate_chart(view, scope):
    areas = q.by_area(view.filters, scope, view.get("category"))
    rate = "mediation.success_rate"
    target = (judgements.target_of(rate) or {}).get("target")
    return figs.share_bars_figure(areas, rate, view.lang, q.MIN_CASES, target=target, metric_id=rate)


@EXPORTS.chart(UNIT_FAST, "mediation.fast_by_unit")
def unit_fast_chart(view, scope):
    units = q.by_unit(view.filters, scope, view.get("category"))
    return figs.share_bars_figure(units, q.FAST_TRACK.id, view.lang, q.MIN_CASES, small_col="fast_small",
                                  empty_text=_no_units(view, units))


@EXPORTS.chart(CLOSE, "mediation.close_time")
def close_chart(view, scope):
    bins, stats = q.close_time(view.filters, scope, view.get("category"))
    return figs.close_time_figure(bins, stats, view.lang)


@EXPORTS.chart(TREND, "mediation.trend", note=lambda view, scope: t("mediation.trend_note", view.lang),
                span=from_start_of(q.trend_span))
def trend_chart(view, scope):
    span = q.trend_span(view.filters)
    df = q.weekly_trend(view.filters, scope, view.get("category"))
    return figs.weekly_figure(df, peak_bands(span, scope), view.lang)


@callback(Output(TYPES, "figure"), Output(COMPENSATION, "figure"), Input(VIEW, "data"))
@cached_output
def render_types(search):
    view, scope = _view(search)
    return types_chart(view, scope), compensation_chart(view, scope)


@callback(Output(UNIT_RATE, "figure"), Output(AREA_RATE, "figure"), Output(UNIT_FAST, "figure"),
          Input(VIEW, "data"))
@cached_output
def render_groups(search):
    view, scope = _view(search)
    return unit_rate_chart(view, scope), area_rate_chart(view, scope), unit_fast_chart(view, scope)


@callback(Output(CLOSE, "figure"), Input(VIEW, "data"))
@cached_output
def render_close(search):
    return close_chart(*_view(search))


@callback(Output(TREND, "figure"), Input(VIEW, "data"))
@cached_output
def render_trend(search):
    return trend_chart(*_view(search))


def record_columns(lang: str) -> list[dict]:
    def num(field, key, fmt):
        return {"field": field, "headerName": t(key, lang), "type": "numericColumn", "minWidth": 130,
                "valueFormatter": {"function": f"params.value == null ? '—' : d3.format('{fmt}')(params.value)"}}
    return [
        {"field": "mediation_id", "headerName": t("mediation.col.id", lang), "minWidth": 110, "pinned": "left"},
        {"field": "opened_at", "headerName": t("mediation.col.opened", lang), "minWidth": 140, "sort": "desc"},
        {"field": "unit_name", "headerName": t("common.unit", lang), "minWidth": 130},
        {"field": "area_name", "headerName": t("common.area", lang), "minWidth": 120},
        {"field": "dispute_type", "headerName": t("mediation.col.type", lang), "minWidth": 100},
        {"field": "result", "headerName": t("mediation.col.result", lang), "minWidth": 100},
        num("hours_to_close", "mediation.col.hours", ",.1f"),
        num("compensation_yuan", "mediation.col.compensation", ",.2f") | {"minWidth": 150},
        {"field": "fast_track", "headerName": t("mediation.col.fast_track", lang), "minWidth": 100},
    ]


@EXPORTS.table(RECORDS, "mediation.records", capped=True)
def records_table(view, scope, limit: int = q.RECORD_LIMIT) -> Table:
    return _records(view, scope, limit)[0]


def _records(view, scope, limit: int = q.RECORD_LIMIT) -> tuple[Table, int]:
    lang = view.lang
    df, total = q.records(view.filters, scope, view.get("category"), limit=limit)
    yes, no, none = t("mediation.yes", lang), t("mediation.no", lang), "—"
    rows = []
    for rec in df.astype(object).where(df.notna(), None).to_dict("records"):
        rec["dispute_type"] = value_label(rec["dispute_type"], lang)
        rec["result"] = value_label(rec["result"], lang)
        rec["area_name"] = rec["area_name"] or none
        rec["fast_track"] = none if rec["fast_track"] is None else yes if rec["fast_track"] else no
        rows.append(rec)
    return Table(record_columns(lang), rows), total


@callback(Output(RECORDS, "columnDefs"), Output(RECORDS, "rowData"), Output(RECORDS_COUNT, "children"),
          Input(VIEW, "data"))
@record_level
@cached_output
def render_records(search):
    view, scope = _view(search)
    lang = view.lang
    table, total = _records(view, scope)
    rows = table.rows
    count = (with_export_rows(t("mediation.records_count", lang, total=f"{total:,}", shown=f"{len(rows):,}"),
                              lang, total) if total > len(rows)
             else t("mediation.records_all", lang, total=f"{total:,}"))
    return record_columns(lang), rows, count


def _clicked(click) -> str | None:
    points = (click or {}).get("points") or []
    data = points[0].get("customdata") if points and isinstance(points[0], dict) else None
    if isinstance(data, list) and data:
        data = data[0]
    return data if isinstance(data, str) else None


@callback(Output(URL, "search", allow_duplicate=True),
          Input(TYPES, "clickData"), Input(COMPENSATION, "clickData"), Input(UNIT_RATE, "clickData"),
          Input(AREA_RATE, "clickData"), Input(UNIT_FAST, "clickData"), State(VIEW, "data"),
          prevent_initial_call=True)
def drill(type_click, comp_click, unit_click, area_click, fast_click, search):
    """A click on a dispute type narrows the page to it (again: clears it); a unit or area drills in."""
    trigger = dash.ctx.triggered_id
    clicks = {TYPES: type_click, COMPENSATION: comp_click, UNIT_RATE: unit_click, AREA_RATE: area_click,
              UNIT_FAST: fast_click}
    value = _clicked(clicks.get(trigger))
    if not value:
        return no_update
    view, scope = _view(search)
    if trigger in (TYPES, COMPENSATION):
        if value not in DISPUTE_TYPES:
            return no_update
        return view.query(category=None if view.get("category") == value else value)
    if trigger in (UNIT_RATE, UNIT_FAST):
        if value not in reference.drill_children(view.unit, scope):
            return no_update
        return view.query(unit=value, area=None)
    if value not in reference.area_names(scope):
        return no_update
    return view.query(area=value)
