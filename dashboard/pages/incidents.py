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
from dash import Input, Output, Patch, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import URL
from dashboard.components.grid import grid
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, record_level_only, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import from_start_of, page_exports
from dashboard.exports.tables import Table, with_export_rows
from dashboard.figures import incidents as figs
from dashboard.format import fmt_value
from dashboard.model import judgements
from dashboard.model.catalog import BY_ID
from dashboard.queries import incidents as q
from dashboard.queries.calendar import peak_bands
from dashboard.session import current_scope, record_level
from dashboard.text import t, value_label

dash.register_page(__name__, path="/incidents", name="nav.incidents", order=2,
                   title="警情处置 · 旅游警务数据看板")

PAGE = "incidents"
VIEW = f"{PAGE}-view"
KPIS = f"{PAGE}-kpis"
CATEGORY = f"{PAGE}-category"
SOURCE = f"{PAGE}-source"
AREA = f"{PAGE}-area"
AREA_NOTE = f"{PAGE}-area-note"
HEATMAP = f"{PAGE}-heatmap"
RESPONSE = f"{PAGE}-response"
RESPONSE_STATS = f"{PAGE}-response-stats"
SAME_DAY = f"{PAGE}-same-day"
CASES = f"{PAGE}-cases"
TREND_HINT = f"{PAGE}-trend-hint"
CASES_HINT = f"{PAGE}-cases-hint"
ENFORCE = f"{PAGE}-enforcement"
RECORDS = f"{PAGE}-records"
RECORDS_COUNT = f"{PAGE}-records-count"
DEFAULT_PERIOD = "this_month"
EXTRA = {"category": set(q.CATEGORIES)}
TOTAL_KEY = "__total__"
ROW2_HEIGHT = figs.BAR_HEIGHT


def _view(search):
    scope = current_scope()
    return view_from_store(search, scope, DEFAULT_PERIOD, EXTRA), scope


def _describe(view, scope) -> list[str]:
    category = view.get("category")
    return [t("incidents.category_filter", view.lang, category=value_label(category, view.lang))] if category else []


EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD, EXTRA),
                       describe=_describe)


def _card(title_key: str, view, *body, hint: str | None = None, export: str | None = None,
          table: str | None = None) -> dbc.Card:
    lang = view.lang
    tools = [chart_menu(export, view) if export else None, table_menu(table, view) if table else None]
    return dbc.Card(dbc.CardBody([
        card_head(t(title_key, lang), *tools),
        *([html.P(hint, className="tpd-hint")] if hint else []),
        *body,
    ]), className="h-100")


def _graph(graph_id: str, title_key: str, view, height: int = 300) -> dcc.Graph:
    # A fixed height: a responsive graph in an equal-height card row would otherwise shrink to nothing.
    return dcc.Graph(id=graph_id, config=chart_graph_config(t(title_key, view.lang), view),
                     style={"height": f"{height}px"})


def _category_chip(view) -> html.Div | None:
    category = view.get("category")
    if not category:
        return None
    lang = view.lang
    return html.Div(dbc.Badge([
        t("incidents.category_filter", lang, category=value_label(category, lang)), " ",
        dcc.Link("✕", href=view.query(category=None), title=t("incidents.clear_category", lang),
                 className="text-white text-decoration-none ms-1", id=f"{PAGE}-clear-category"),
    ], color="primary", className="tpd-incidents-chip"), className="mb-2")


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD, EXTRA)
    lang = view.lang
    return page_frame(
        VIEW, view, scope, t("nav.incidents", lang),
        _category_chip(view),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        dbc.Row([
            dbc.Col(_card("incidents.by_category", view, _graph(CATEGORY, "incidents.by_category", view, ROW2_HEIGHT),
                          hint=t("incidents.by_category_hint", lang), export=CATEGORY), lg=4),
            dbc.Col(_card("incidents.by_source", view, _graph(SOURCE, "incidents.by_source", view, ROW2_HEIGHT),
                          export=SOURCE), lg=3),
            dbc.Col(_card("incidents.by_area", view, _graph(AREA, "incidents.by_area", view, ROW2_HEIGHT),
                          html.P(id=AREA_NOTE, className="tpd-hint mb-0"),
                          hint=t("incidents.by_area_hint", lang), export=AREA), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("incidents.heatmap", view, _graph(HEATMAP, "incidents.heatmap", view),
                          hint=t("incidents.heatmap_hint", lang), export=HEATMAP), lg=7),
            dbc.Col(_card("incidents.response", view,
                          html.P(id=RESPONSE_STATS, className="tpd-hint"),
                          _graph(RESPONSE, "incidents.response", view), export=RESPONSE), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card("incidents.same_day", view, html.P(id=TREND_HINT, className="tpd-hint"),
                          _graph(SAME_DAY, "incidents.same_day", view), export=SAME_DAY), lg=6),
            dbc.Col(_card("incidents.cases", view, html.P(id=CASES_HINT, className="tpd-hint"),
                          _graph(CASES, "incidents.cases", view), export=CASES), lg=6),
        ], className="g-2 mb-2"),
        dbc.Row(dbc.Col(_card(
            "incidents.enforcement", view,
            grid(ENFORCE, enforcement_columns(lang), [], lang, height=300, row_id="key",
                 suppressFieldDotNotation=True),
            hint=t("incidents.enforcement_hint", lang), table=ENFORCE)), className="g-2 mb-2"),
        record_level_only(lang, dbc.Row(dbc.Col(_card(
            "incidents.records", view,
            html.P(id=RECORDS_COUNT, className="tpd-hint"),
            grid(RECORDS, record_columns(lang), [], lang, height=420, tooltipShowDelay=200),
            table=RECORDS,
        )), className="g-2")),
        pack=PAGE,
    )


@callback(Output(KPIS, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    view, scope = _view(search)
    figures = q.kpis(view.filters, view.comparison, scope, view.get("category"))
    return [dbc.Col(kpi_card(mid, figures[mid], view.lang, f"{PAGE}-kpi-{i}", view=view), xs=6, md=4, xl=2)
            for i, mid in enumerate(q.KPIS)]


def area_note(view, scope) -> str:
    missing = q.without_area(view.filters, scope, view.get("category"))
    return t("incidents.no_area", view.lang, n=f"{missing:,}") if missing else ""


def response_note(view, scope) -> str:
    stats = q.response_stats(view.filters, scope, view.get("category"))
    return t("incidents.response_stats", view.lang, median=fmt_value("minutes", stats["median"]),
             p90=fmt_value("minutes", stats["p90"]), n=f"{stats['n']:,}") if stats["n"] else ""


def trend_note(view, scope) -> str:
    return t("incidents.trend_hint", view.lang, start=q.trend_span(view.filters).start.isoformat())


@EXPORTS.chart(CATEGORY, "incidents.by_category")
def category_chart(view, scope):
    category = view.get("category")
    return figs.category_figure(q.by_category(view.filters, scope, category), category, view.lang)


@EXPORTS.chart(SOURCE, "incidents.by_source")
def source_chart(view, scope):
    return figs.source_figure(q.by_source(view.filters, scope, view.get("category")), view.lang)


@EXPORTS.chart(AREA, "incidents.by_area", note=area_note)
def area_chart(view, scope):
    return figs.area_figure(q.by_area(view.filters, scope, view.get("category")), view.area, view.lang)


@EXPORTS.chart(HEATMAP, "incidents.heatmap")
def heatmap_chart(view, scope):
    return figs.heatmap_figure(q.hour_weekday(view.filters, scope, view.get("category")), view.lang)


@EXPORTS.chart(RESPONSE, "incidents.response", note=response_note)
def response_chart(view, scope):
    category = view.get("category")
    stats = q.response_stats(view.filters, scope, category)
    return figs.response_figure(q.response_histogram(view.filters, scope, category), stats, q.RESPONSE_BIN_MIN,
                                q.RESPONSE_CAP_MIN, view.lang)


def _trend_frame(view, scope):
    span = q.trend_span(view.filters)
    return q.weekly(view.filters, scope, view.get("category")), peak_bands(span, scope)


@EXPORTS.chart(SAME_DAY, "incidents.same_day", note=trend_note, span=from_start_of(q.trend_span))
def same_day_chart(view, scope):
    df, bands = _trend_frame(view, scope)
    return figs.same_day_figure(df, bands, judgements.target_of("incidents.same_day_rate"), view.lang)


@EXPORTS.chart(CASES, "incidents.cases", note=trend_note, span=from_start_of(q.trend_span))
def cases_chart(view, scope):
    df, bands = _trend_frame(view, scope)
    return figs.cases_figure(df, bands, view.lang)


@callback(Output(CATEGORY, "figure"), Output(SOURCE, "figure"), Output(AREA, "figure"),
          Output(AREA_NOTE, "children"), Input(VIEW, "data"))
@cached_output
def render_breakdowns(search):
    view, scope = _view(search)
    return (category_chart(view, scope), source_chart(view, scope), area_chart(view, scope),
            area_note(view, scope))


@callback(Output(HEATMAP, "figure"), Output(RESPONSE, "figure"), Output(RESPONSE_STATS, "children"),
          Input(VIEW, "data"))
@cached_output
def render_timing(search):
    view, scope = _view(search)
    return heatmap_chart(view, scope), response_chart(view, scope), response_note(view, scope)


@callback(Output(SAME_DAY, "figure"), Output(CASES, "figure"), Output(TREND_HINT, "children"),
          Output(CASES_HINT, "children"), Input(VIEW, "data"))
@cached_output
def render_trends(search):
    view, scope = _view(search)
    hint = trend_note(view, scope)
    return same_day_chart(view, scope), cases_chart(view, scope), hint, hint


def enforcement_columns(lang: str) -> list[dict]:
    cols = [{"field": "name", "headerName": t("common.unit", lang), "pinned": "left", "minWidth": 150,
             "cellClassRules": {"tpd-drill-cell": "!params.node.rowPinned"}}]
    for mid in q.ENFORCE:
        m = BY_ID[mid]
        cols.append({"field": mid, "headerName": m.zh if lang == "zh" else f"{m.en} ({m.unit_en})",
                     "type": "numericColumn", "minWidth": 110, "wrapHeaderText": True, "autoHeaderHeight": True,
                     "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',d')(params.value)"}})
    return cols


@EXPORTS.table(ENFORCE, "incidents.enforcement")
def enforcement_table(view, scope) -> Table:
    df = q.enforcement_by_unit(view.filters, scope)
    total = {"key": TOTAL_KEY, "name": t("common.total", view.lang), **q.enforcement_total(view.filters, scope)}
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return Table(enforcement_columns(view.lang), rows, pinned_top=[total])


@callback(Output(ENFORCE, "rowData"), Output(ENFORCE, "dashGridOptions"), Input(VIEW, "data"))
@cached_output
def render_enforcement(search):
    view, scope = _view(search)
    table = enforcement_table(view, scope)
    options = Patch()
    options["pinnedTopRowData"] = table.pinned_top
    return table.rows, options


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
        col("response_min", "col_response", type="numericColumn", minWidth=115,
            valueFormatter={"function": "params.value == null ? '—' : d3.format('.1f')(params.value)"}),
        col("same_day", "col_same_day", minWidth=100),
        col("case_type", "col_case", minWidth=wide, tooltipField="case_type"),
        col("summary", "col_summary", minWidth=240, flex=1, tooltipField="summary"),
    ]


def record_rows(df, lang: str) -> list[dict]:
    """Rows for the grid: recorded values in the reader's language, yes/no for same-day."""
    yes, no = t("incidents.yes", lang), t("incidents.no", lang)
    out = []
    for row in df.astype(object).where(df.notna(), None).to_dict("records"):
        for field in ("category", "source", "case_type"):
            row[field] = value_label(row[field], lang) if row[field] is not None else None
        row["same_day"] = yes if row["same_day"] else no
        out.append(row)
    return out


@EXPORTS.table(RECORDS, "incidents.records", capped=True)
def records_table(view, scope, limit: int = q.RECORD_LIMIT) -> Table:
    df = q.records(view.filters, scope, view.get("category"), limit=limit)
    return Table(record_columns(view.lang), record_rows(df, view.lang))


@callback(Output(RECORDS, "rowData"), Output(RECORDS_COUNT, "children"), Input(VIEW, "data"))
@record_level
@cached_output
def render_records(search):
    view, scope = _view(search)
    category = view.get("category")
    rows = records_table(view, scope).rows
    total = q.category_values(view.filters, scope, ["incidents.total"], category)["incidents.total"].value or 0
    if total > len(rows):
        count = with_export_rows(t("incidents.records_count", view.lang, total=f"{int(total):,}",
                                   shown=f"{len(rows):,}"), view.lang, int(total))
    else:
        count = t("incidents.records_all", view.lang, total=f"{int(total):,}")
    return rows, count


def _clicked(click) -> str | None:
    points = (click or {}).get("points") or []
    value = points[0].get("customdata") if points else None
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


@callback(Output(URL, "search", allow_duplicate=True), Input(CATEGORY, "clickData"), Input(AREA, "clickData"),
          Input(ENFORCE, "cellClicked"), State(VIEW, "data"), prevent_initial_call=True)
def drill(category_click, area_click, unit_click, search):
    """A click on a category narrows the page to it (again: clears it); on an area or unit, drills in."""
    trigger = dash.ctx.triggered_id
    view, scope = _view(search)
    if trigger == CATEGORY:
        value = _clicked(category_click)
        if value not in q.CATEGORIES:
            return no_update
        return view.query(category=None if value == view.get("category") else value)
    if trigger == AREA:
        value = _clicked(area_click)
        if value not in q.known_areas(scope):
            return no_update
        return view.query(area=value)
    if trigger == ENFORCE:
        value = (unit_click or {}).get("rowId")
        if not isinstance(value, str) or value not in q.known_units(scope):
            return no_update
        return view.query(unit=value, area=None)
    return no_update
