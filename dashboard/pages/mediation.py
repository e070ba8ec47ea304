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
from dash import dcc, html

from dashboard.model import judgements
from dashboard.components.bind import kpis_of
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.grid import number_format, records
from dashboard.components.kpi import figure_card
from dashboard.components.page_kit import Page, rows_line
from dashboard.exports.registry import from_start_of
from dashboard.exports.tables import Table
from dashboard.figures import mediation as figs
from dashboard.queries import mediation as q
from dashboard.queries import reference
from dashboard.queries.calendar import peak_bands
from dashboard.text import t, value_label
from warehouse.record_types import DISPUTE_TYPES

dash.register_page(__name__, path="/mediation", name="nav.mediation", order=3,
                   title="纠纷调解 · 旅游警务数据看板")

PAGE = "mediation"
KPIS, TYPES, COMPENSATION = f"{PAGE}-kpis", f"{PAGE}-types", f"{PAGE}-compensation"
UNIT_RATE, AREA_RATE, UNIT_FAST = f"{PAGE}-unit-rate", f"{PAGE}-area-rate", f"{PAGE}-unit-fast"
CLOSE, TREND, RECORDS, RECORDS_COUNT = f"{PAGE}-close", f"{PAGE}-trend", f"{PAGE}-records", f"{PAGE}-records-count"
CAT = ("category",)
RATE = "mediation.success_rate"


def _describe(view, scope) -> list[str]:
    category = view.get("category")
    return [t("mediation.category_chip", view.lang, name=value_label(category, view.lang))] if category else []


P = Page(__name__, PAGE, default_period="this_month", allowed={"category": set(DISPUTE_TYPES)}, describe=_describe)


def page_card(metric_id, figures, ask, card_id) -> dbc.Card | None:
    """A KPI card for the page's own figures (fast-track share, median hours); None for the catalog's."""
    m = q.PAGE_METRICS.get(metric_id)
    if m is None:
        return None
    fmt = "rate" if m.fmt == "rate" else "minutes"
    unit = "" if fmt == "rate" else t("mediation.hours_unit", ask.lang)
    return figure_card(t(metric_id, ask.lang), fmt, unit, figures[metric_id], ask.lang, card_id, view=ask.view,
                       metric_id=metric_id)


def _no_units(ask, units) -> str | None:
    return t("mediation.no_children", ask.lang) if ask.view.unit and units.empty else None


def _target() -> float | None:
    return (judgements.target_of(RATE) or {}).get("target")


TYPES_CHART = Chart(TYPES, "mediation.by_type", q.type_result_counts,   # every type shown, the chosen one stands out
                    figure=lambda df, ask: figs.type_result_figure(df, ask.lang, ask.get("category")))
COMPENSATION_CHART = Chart(COMPENSATION, "mediation.compensation", q.compensation_by_type, args=CAT,
                           figure=lambda df, ask: figs.compensation_figure(df, ask.lang))
UNIT_RATE_CHART = Chart(UNIT_RATE, "mediation.rate_by_unit", q.by_unit, args=CAT, figure=lambda df, ask: (
    figs.share_bars_figure(df, RATE, ask.lang, q.MIN_CASES, target=_target(), metric_id=RATE,
                           empty_text=_no_units(ask, df))))
AREA_RATE_CHART = Chart(AREA_RATE, "mediation.rate_by_area", q.by_area, args=CAT, figure=lambda df, ask: (
    figs.share_bars_figure(df, RATE, ask.lang, q.MIN_CASES, target=_target(), metric_id=RATE)))
UNIT_FAST_CHART = Chart(UNIT_FAST, "mediation.fast_by_unit", q.by_unit, args=CAT, figure=lambda df, ask: (
    figs.share_bars_figure(df, q.FAST_TRACK.id, ask.lang, q.MIN_CASES, small_col="fast_small",
                           empty_text=_no_units(ask, df))))
CLOSE_CHART = Chart(CLOSE, "mediation.close_time", q.close_time, args=CAT,
                    figure=lambda d, ask: figs.close_time_figure(*d, ask.lang))
TREND_CHART = Chart(TREND, "mediation.trend", q.weekly_trend, args=CAT, span=from_start_of(q.trend_span),
                    note=lambda ask: t("mediation.trend_note", ask.lang), figure=lambda df, ask: figs.weekly_figure(
                        df, peak_bands(q.trend_span(ask.filters), ask.scope), ask.lang))


def record_columns(lang: str) -> list[dict]:
    def col(field, key, **more):
        return {"field": field, "headerName": t(key, lang), **more}

    def num(field, key, fmt, width=130):
        return col(field, key, type="numericColumn", minWidth=width, valueFormatter=number_format(fmt))
    return [
        col("mediation_id", "mediation.col.id", minWidth=110, pinned="left"),
        col("opened_at", "mediation.col.opened", minWidth=140, sort="desc"),
        col("unit_name", "common.unit", minWidth=130),
        col("area_name", "common.area", minWidth=120),
        col("dispute_type", "mediation.col.type", minWidth=100),
        col("result", "mediation.col.result", minWidth=100),
        num("hours_to_close", "mediation.col.hours", ",.1f"),
        num("compensation_yuan", "mediation.col.compensation", ",.2f", 150),
        col("fast_track", "mediation.col.fast_track", minWidth=100),
    ]


def records_table(ask, limit: int = q.RECORD_LIMIT) -> Table:
    lang = ask.lang
    df, _ = q.records(ask.filters, ask.scope, ask.get("category"), limit=limit)
    yes, no, none = t("mediation.yes", lang), t("mediation.no", lang), "—"
    rows = records(df)
    for rec in rows:
        rec["dispute_type"] = value_label(rec["dispute_type"], lang)
        rec["result"] = value_label(rec["result"], lang)
        rec["area_name"] = rec["area_name"] or none
        rec["fast_track"] = none if rec["fast_track"] is None else yes if rec["fast_track"] else no
    return Table(record_columns(lang), rows)


def records_count(ask) -> str:
    df, total = q.records(ask.filters, ask.scope, ask.get("category"))
    return rows_line(ask, total, len(df), "mediation.records_count", "mediation.records_all")


RECORDS_GRID = Grid(RECORDS, "mediation.records", records_table, height=420, records=True, capped=True)

render_kpis = P.render(Kpis(KPIS, kpis_of(q.headline), q.HEADLINE, args=CAT, card=page_card))
render_types = P.render(TYPES_CHART, COMPENSATION_CHART)
render_groups = P.render(UNIT_RATE_CHART, AREA_RATE_CHART, UNIT_FAST_CHART)
render_close = P.render(CLOSE_CHART)
render_trend = P.render(TREND_CHART)
render_records = P.render(RECORDS_GRID, Text(RECORDS_COUNT, records_count))


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    small, types = t("mediation.small_note", lang, n=q.MIN_CASES), t("mediation.type_hint", lang)
    records_title = html.Div([html.H2(t("mediation.records", lang), className="tpd-card-title mb-0"),
                              html.Span(id=RECORDS_COUNT, className="text-muted small ms-3")],
                             className="d-flex align-items-baseline")
    return P.frame(
        ask, P.chip(ask, "category", _describe(ask.view, ask.scope)[0] if ask.get("category") else "",
                    t("mediation.category_clear", lang)),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        dbc.Row([dbc.Col(P.card(TYPES_CHART, ask, hint=types, cls=""), lg=6),
                 dbc.Col(P.card(COMPENSATION_CHART, ask, hint=types, cls=""), lg=6)], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(UNIT_RATE_CHART, ask, hint=small, cls=""), lg=4),
            dbc.Col(P.card(AREA_RATE_CHART, ask, hint=small, cls=""), lg=4),
            dbc.Col(P.card(UNIT_FAST_CHART, ask, hint=t("mediation.fast_small_note", lang, n=q.MIN_CASES), cls=""),
                    lg=4),
        ], className="g-2 mb-2"),
        dbc.Row([dbc.Col(P.card(CLOSE_CHART, ask, cls=""), lg=6),
                 dbc.Col(P.card(TREND_CHART, ask, hint=t("mediation.trend_note", lang), cls=""), lg=6)],
                className="g-2 mb-2"),
        P.card(RECORDS_GRID, ask, title=records_title, cls=""),
    )


def to_category(value, ask):
    if value in DISPUTE_TYPES:
        return ask.view.query(category=None if ask.get("category") == value else value)


def to_unit(value, ask):
    if value in reference.drill_children(ask.view.unit, ask.scope):
        return ask.view.query(unit=value, area=None)


drill = P.drill(
    Drill(TYPES, to_category), Drill(COMPENSATION, to_category), Drill(UNIT_RATE, to_unit),
    Drill(AREA_RATE, lambda value, ask: ask.view.query(area=value) if value in reference.area_names(ask.scope)
          else None),
    Drill(UNIT_FAST, to_unit),
)
