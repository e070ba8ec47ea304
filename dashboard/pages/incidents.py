"""警情处置 Incidents: how many incidents, of what kind, where, when, and how they were handled.

Defaults to this month. Headline cards (incidents, per 10,000 visitors,
same-day closure, median response, administrative and criminal cases);
incidents by category, source and scenic area (areas compared per 10,000
visitors beside their raw counts); an hour × weekday heatmap; the response
time distribution with its median and P90; weekly same-day closure against
its target and weekly cases, with peak periods shaded; enforcement actions
by unit; and the most recent records behind it all, summaries masked.
Clicking a category narrows the whole page to it (`category=` in the URL);
clicking an area or a unit drills into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.model import judgements
from dashboard.components.bind import kpis_of
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.grid import number_format, pinned_rows, records
from dashboard.components.page_kit import Page, rows_line
from dashboard.exports.registry import from_start_of
from dashboard.exports.tables import Table
from dashboard.figures import incidents as figs
from dashboard.format import fmt_value
from dashboard.queries import incidents as q
from dashboard.queries.calendar import peak_bands
from dashboard.model.catalog import BY_ID
from dashboard.text import t, value_label

dash.register_page(__name__, path="/incidents", name="nav.incidents", order=2,
                   title="警情处置 · 旅游警务数据看板")

PAGE = "incidents"
KPIS, CATEGORY, SOURCE, AREA, AREA_NOTE = (f"{PAGE}-{x}" for x in ("kpis", "category", "source", "area", "area-note"))
HEATMAP, RESPONSE, RESPONSE_STATS = f"{PAGE}-heatmap", f"{PAGE}-response", f"{PAGE}-response-stats"
SAME_DAY, CASES, TREND_HINT, CASES_HINT = (f"{PAGE}-{x}" for x in ("same-day", "cases", "trend-hint", "cases-hint"))
ENFORCE, RECORDS, RECORDS_COUNT = f"{PAGE}-enforcement", f"{PAGE}-records", f"{PAGE}-records-count"
TOTAL_KEY = "__total__"
CAT = ("category",)


def _describe(view, scope) -> list[str]:
    category = view.get("category")
    return [t("incidents.category_filter", view.lang, category=value_label(category, view.lang))] if category else []


DEFAULT_PERIOD, EXTRA = "this_month", {"category": set(q.CATEGORIES)}
P = Page(__name__, PAGE, default_period=DEFAULT_PERIOD, allowed=EXTRA, describe=_describe)


def area_note(ask) -> str:
    missing = q.without_area(ask.filters, ask.scope, ask.get("category"))
    return t("incidents.no_area", ask.lang, n=f"{missing:,}") if missing else ""


def response_note(ask) -> str:
    stats = q.response_stats(ask.filters, ask.scope, ask.get("category"))
    return t("incidents.response_stats", ask.lang, median=fmt_value("minutes", stats["median"]),
             p90=fmt_value("minutes", stats["p90"]), n=f"{stats['n']:,}") if stats["n"] else ""


def trend_note(ask) -> str:
    return t("incidents.trend_hint", ask.lang, start=q.trend_span(ask.filters).start.isoformat())


def response_data(filters, scope, category):
    return q.response_histogram(filters, scope, category), q.response_stats(filters, scope, category)


def _bands(ask):
    return peak_bands(q.trend_span(ask.filters), ask.scope)


TREND_SPAN = from_start_of(q.trend_span)
CATEGORY_CHART = Chart(CATEGORY, "incidents.by_category", q.by_category, args=CAT, height=figs.BAR_HEIGHT,
                       figure=lambda df, ask: figs.category_figure(df, ask.get("category"), ask.lang))
SOURCE_CHART = Chart(SOURCE, "incidents.by_source", q.by_source, args=CAT, height=figs.BAR_HEIGHT,
                     figure=lambda df, ask: figs.source_figure(df, ask.lang))
AREA_CHART = Chart(AREA, "incidents.by_area", q.by_area, args=CAT, height=figs.BAR_HEIGHT, note=area_note,
                   figure=lambda df, ask: figs.area_figure(df, ask.view.area, ask.lang))
HEATMAP_CHART = Chart(HEATMAP, "incidents.heatmap", q.hour_weekday, args=CAT, height=300,
                      figure=lambda df, ask: figs.heatmap_figure(df, ask.lang))
RESPONSE_CHART = Chart(RESPONSE, "incidents.response", response_data, args=CAT, height=300,
                       note=response_note,
                       figure=lambda d, ask: figs.response_figure(*d, q.RESPONSE_BIN_MIN, q.RESPONSE_CAP_MIN, ask.lang))
SAME_DAY_CHART = Chart(SAME_DAY, "incidents.same_day", q.weekly, args=CAT, height=300, note=trend_note,
                       span=TREND_SPAN, figure=lambda df, ask: figs.same_day_figure(
                           df, _bands(ask), judgements.target_of("incidents.same_day_rate"), ask.lang))
CASES_CHART = Chart(CASES, "incidents.cases", q.weekly, args=CAT, height=300, note=trend_note,
                    span=TREND_SPAN, figure=lambda df, ask: figs.cases_figure(df, _bands(ask), ask.lang))


def enforcement_columns(lang: str) -> list[dict]:
    cols = [{"field": "name", "headerName": t("common.unit", lang), "pinned": "left", "minWidth": 150,
             "cellClassRules": {"tpd-drill-cell": "!params.node.rowPinned"}}]
    for mid in q.ENFORCE:
        m = BY_ID[mid]
        cols.append({"field": mid, "headerName": m.zh if lang == "zh" else f"{m.en} ({m.unit_en})",
                     "type": "numericColumn", "minWidth": 110, "wrapHeaderText": True, "autoHeaderHeight": True,
                     "valueFormatter": number_format(",d")})
    return cols


def enforcement_table(ask) -> Table:
    total = {"key": TOTAL_KEY, "name": t("common.total", ask.lang), **q.enforcement_total(ask.filters, ask.scope)}
    rows = records(q.enforcement_by_unit(ask.filters, ask.scope))
    return Table(enforcement_columns(ask.lang), rows, pinned_top=[total])


def record_columns(lang: str) -> list[dict]:
    def col(field, key, **more):
        return {"field": field, "headerName": t(f"incidents.{key}", lang), **more}
    wide = 130 if lang == "en" else 100     # English category and source names run longer
    return [
        col("incident_id", "col_id", minWidth=125),
        col("received_at", "col_time", minWidth=150, sort="desc"),
        col("unit_name", "col_unit", minWidth=140, tooltipField="unit_name"),
        col("area_name", "col_area", minWidth=115),
        col("category", "col_category", minWidth=wide, tooltipField="category"),
        col("source", "col_source", minWidth=wide, tooltipField="source"),
        col("response_min", "col_response", type="numericColumn", minWidth=115, valueFormatter=number_format(".1f")),
        col("same_day", "col_same_day", minWidth=100),
        col("case_type", "col_case", minWidth=wide, tooltipField="case_type"),
        col("summary", "col_summary", minWidth=240, flex=1, tooltipField="summary"),
    ]


def record_rows(df, lang: str) -> list[dict]:
    """Rows for the grid: recorded values in the reader's language, yes/no for same-day."""
    yes, no = t("incidents.yes", lang), t("incidents.no", lang)
    rows = records(df)
    for row in rows:
        for field in ("category", "source", "case_type"):
            row[field] = value_label(row[field], lang) if row[field] is not None else None
        row["same_day"] = yes if row["same_day"] else no
    return rows


def records_table(ask, limit: int = q.RECORD_LIMIT) -> Table:
    df = q.records(ask.filters, ask.scope, ask.get("category"), limit=limit)
    return Table(record_columns(ask.lang), record_rows(df, ask.lang))


def records_count(ask) -> str:
    shown = len(q.records(ask.filters, ask.scope, ask.get("category")))
    total = q.category_values(ask.filters, ask.scope, ["incidents.total"], ask.get("category"))["incidents.total"]
    return rows_line(ask, int(total.value or 0), shown, "incidents.records_count", "incidents.records_all")


ENFORCE_GRID = Grid(ENFORCE, "incidents.enforcement", enforcement_table, columns=enforcement_columns,
                    options=pinned_rows("top"), height=300, row_id="key")
RECORDS_GRID = Grid(RECORDS, "incidents.records", records_table, columns=record_columns, height=420,
                    grid_options={"tooltipShowDelay": 200}, records=True, capped=True)

render_kpis = P.render(Kpis(KPIS, kpis_of(q.kpis), q.KPIS, args=CAT, width={"xs": 12, "md": 4, "xl": 2}))
render_breakdowns = P.render(CATEGORY_CHART, SOURCE_CHART, AREA_CHART, Text(AREA_NOTE, area_note))
render_timing = P.render(HEATMAP_CHART, RESPONSE_CHART, Text(RESPONSE_STATS, response_note))
render_trends = P.render(SAME_DAY_CHART, CASES_CHART, Text(TREND_HINT, trend_note), Text(CASES_HINT, trend_note))
render_enforcement = P.render(ENFORCE_GRID)
render_records = P.render(RECORDS_GRID, Text(RECORDS_COUNT, records_count))


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    return P.frame(
        ask, P.chip(ask, "category", _describe(ask.view, ask.scope)[0] if ask.get("category") else "",
                    t("incidents.clear_category", lang)),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(P.card(CATEGORY_CHART, ask, hint=t("incidents.by_category_hint", lang)), lg=4),
            dbc.Col(P.card(SOURCE_CHART, ask), lg=3),
            dbc.Col(P.card(AREA_CHART, ask, below=[html.P(id=AREA_NOTE, className="tpd-hint mb-0")],
                           hint=t("incidents.by_area_hint", lang)), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(HEATMAP_CHART, ask, hint=t("incidents.heatmap_hint", lang)), lg=7),
            dbc.Col(P.card(RESPONSE_CHART, ask, html.P(id=RESPONSE_STATS, className="tpd-hint")), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(SAME_DAY_CHART, ask, html.P(id=TREND_HINT, className="tpd-hint")), lg=6),
            dbc.Col(P.card(CASES_CHART, ask, html.P(id=CASES_HINT, className="tpd-hint")), lg=6),
        ], className="g-2 mb-2"),
        dbc.Row(dbc.Col(P.card(ENFORCE_GRID, ask, hint=t("incidents.enforcement_hint", lang))), className="g-2 mb-2"),
        dbc.Row(dbc.Col(P.card(RECORDS_GRID, ask, html.P(id=RECORDS_COUNT, className="tpd-hint"))), className="g-2"),
    )


def to_category(value, ask):
    if value in q.CATEGORIES:
        return ask.view.query(category=None if value == ask.get("category") else value)


drill = P.drill(
    Drill(CATEGORY, to_category),
    Drill(AREA, lambda value, ask: ask.view.query(area=value) if value in q.known_areas(ask.scope) else None),
    Drill(ENFORCE, lambda value, ask: ask.view.query(unit=value, area=None) if value in q.known_units(ask.scope)
          else None, prop="cellClicked"),
)
