"""满意度调查 Satisfaction: survey results for public-opinion staff, never a rate without its n.

Defaults to this quarter. KPI cards (responses, satisfaction and safety
rates with their 95 % Wilson intervals and n, mean score); the two rates by
week or month with their interval bands and peak periods shaded; dot-and-
interval comparisons by scenic area, channel, respondent type and origin,
small samples greyed and unranked; the five-point answers of each question
as diverging bars; the suggestions and lowest-rated answers in a searchable
grid with their keywords. Clicking an area or a channel narrows the page
(`area=`, `category=`); page choices live in the URL (`grain`, `metric`, `q`).
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.exports import chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import URL
from dashboard.components.grid import grid
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, record_level_only, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.tables import Table, with_export_rows
from dashboard.figures.satisfaction import (keywords_figure, likert_figure, metric_label, origin_label,
                                           segment_figure, trend_figure)
from dashboard.model import judgements
from dashboard.model.breakdowns import QUESTION_LABELS
from dashboard.queries import reference
from dashboard.queries import satisfaction as q
from dashboard.queries.calendar import peak_bands
from dashboard.session import current_scope, record_level
from dashboard.text import t, value_label
from warehouse.record_types import SURVEY_CHANNELS

dash.register_page(__name__, path="/satisfaction", name="nav.satisfaction", order=4,
                   title="满意度调查 · 旅游警务数据看板")

PAGE = "satisfaction"
VIEW = f"{PAGE}-view"
KPIS = f"{PAGE}-kpis"
NOTE = f"{PAGE}-note"
GRAIN = f"{PAGE}-grain"
TREND = f"{PAGE}-trend"
METRIC = f"{PAGE}-metric"
SEGMENT_IDS = {by: f"{PAGE}-by-{by.replace('_', '-')}" for by in q.SEGMENTS}
LIKERT = f"{PAGE}-likert"
KEYWORDS = f"{PAGE}-keywords"
KEYWORDS_HINT = f"{PAGE}-keywords-hint"
SEARCH = f"{PAGE}-search"
COMMENTS = f"{PAGE}-comments"
COMMENTS_HINT = f"{PAGE}-comments-hint"
DEFAULT_PERIOD = "this_quarter"
METRICS = {"satisfaction": "survey.satisfaction_rate", "safety": "survey.safety_rate"}
EXTRA_ALLOWED = {"category": set(SURVEY_CHANNELS), "grain": set(q.GRAINS), "metric": set(METRICS), "q": None}


def _view(search):
    scope = current_scope()
    return view_from_store(search, scope, DEFAULT_PERIOD, EXTRA_ALLOWED), scope


def grain_of(view) -> str:
    return view.get("grain") or q.default_grain(view.filters)


def _describe(view, scope) -> list[str]:
    channel = view.get("category")
    return [t("satisfaction.channel_filter", view.lang, channel=value_label(channel, view.lang))] if channel else []


EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD, EXTRA_ALLOWED),
                       describe=_describe)


def _card(title: str, *body, hint: str | None = None, tools=None, menu=None) -> dbc.Card:
    head = html.Div([html.H2(title, className="tpd-card-title mb-0"),
                     html.Div([tools, menu], className="d-flex align-items-center gap-2")],
                    className="d-flex justify-content-between align-items-center flex-wrap gap-2 mb-1")
    return dbc.Card(dbc.CardBody([head, html.P(hint, className="tpd-hint") if hint else None, *body]),
                    className="h-100")


def _graph(graph_id: str, title: str, view) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=chart_graph_config(title, view))


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD, EXTRA_ALLOWED)
    lang = view.lang
    minimum = judgements.min_survey_answers()
    grain_tools = dbc.RadioItems(
        id=GRAIN, value=grain_of(view), inline=True, className="tpd-sat-radio",
        options=[{"label": t("satisfaction.by_week", lang), "value": "week"},
                 {"label": t("satisfaction.by_month", lang), "value": "month"}])
    metric_tools = html.Div([
        html.Span(t("satisfaction.rank_by", lang) + "：" if lang == "zh" else t("satisfaction.rank_by", lang) + ": ",
                  className="small text-muted me-1"),
        dbc.RadioItems(id=METRIC, value=view.get("metric") or "satisfaction", inline=True,
                       className="tpd-sat-radio d-inline-block",
                       options=[{"label": metric_label(mid, lang), "value": key} for key, mid in METRICS.items()]),
    ], className="d-flex align-items-center")
    hints = {"area": t("satisfaction.click_area", lang), "channel": t("satisfaction.click_channel", lang)}
    segment_cards = [
        dbc.Col(_card(t(f"satisfaction.by_{by}", lang),
                      dcc.Loading(_graph(SEGMENT_IDS[by], t(f"satisfaction.by_{by}", lang), view),
                                  type="dot", delay_show=300),
                      hint=hints.get(by), menu=chart_menu(SEGMENT_IDS[by], view)), lg=6)
        for by in q.SEGMENTS
    ]
    return page_frame(
        VIEW, view, scope, t("nav.satisfaction", lang),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.Div(id=NOTE),
        dbc.Row(dbc.Col(_card(t("satisfaction.trend", lang),
                              dcc.Loading(_graph(TREND, t("satisfaction.trend", lang), view), type="dot",
                                          delay_show=300),
                              hint=t("satisfaction.trend_hint", lang, n=minimum), tools=grain_tools,
                              menu=chart_menu(TREND, view))),
                className="g-2 mb-2"),
        dbc.Card(dbc.CardBody([
            html.Div([
                html.P(t("satisfaction.segments_hint", lang, n=minimum), className="tpd-hint mb-0 me-3"),
                metric_tools,
            ], className="d-flex justify-content-between align-items-center flex-wrap gap-2"),
        ]), className="mb-2 tpd-sat-segments-head"),
        dbc.Row(segment_cards, className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(_card(t("satisfaction.likert", lang),
                          dcc.Loading(_graph(LIKERT, t("satisfaction.likert", lang), view), type="dot",
                                      delay_show=300),
                          hint=t("satisfaction.likert_hint", lang), menu=chart_menu(LIKERT, view)), lg=7),
            dbc.Col(_card(t("satisfaction.keywords", lang),
                          html.P(id=KEYWORDS_HINT, className="tpd-hint"),
                          dcc.Loading(_graph(KEYWORDS, t("satisfaction.keywords", lang), view), type="dot",
                                      delay_show=300), menu=chart_menu(KEYWORDS, view)), lg=5),
        ], className="g-2 mb-2"),
        record_level_only(lang, dbc.Row(dbc.Col(_card(
            t("satisfaction.comments", lang),
            dbc.InputGroup([
                dbc.InputGroupText(t("satisfaction.search_label", lang)),
                dbc.Input(id=SEARCH, type="search", value=view.get("q") or "", debounce=True,
                          placeholder=t("satisfaction.search", lang), maxLength=100),
            ], size="sm", className="mb-1"),
            html.P(id=COMMENTS_HINT, className="tpd-hint"),
            grid(COMMENTS, [], [], lang, height=480, row_id="response_id"),
            menu=table_menu(COMMENTS, view),
        )), className="g-2")),
        pack=PAGE,
    )


@callback(Output(KPIS, "children"), Output(NOTE, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    view, scope = _view(search)
    lang = view.lang
    channel = view.get("category")
    figures = q.kpis(view.filters, view.comparison, scope, channel)
    cards = [dbc.Col(kpi_card(mid, figures[mid], lang, f"{PAGE}-kpi-{i}", view=view), xs=6, md=3)
             for i, mid in enumerate(q.KPI_METRICS)]
    notes = []
    if channel:
        notes.append(html.Span([
            html.Span(t("satisfaction.channel_filter", lang, channel=value_label(channel, lang)),
                      className="badge text-bg-primary me-2"),
            dcc.Link(t("satisfaction.clear_channel", lang), href=view.query(category=None)),
        ], className="me-3"))
    if view.unit or scope.unit:
        unitless = q.unitless_count(view.filters, scope, channel)
        if scope.unit:
            notes.append(html.Span(t("satisfaction.unitless_scoped", lang)))
        elif unitless:
            notes.append(html.Span(t("satisfaction.unitless", lang, n=f"{unitless:,}")))
    note = html.Div(notes, className="small text-muted mb-2 tpd-sat-note") if notes else None
    return cards, note


@EXPORTS.chart(TREND, "satisfaction.trend",
                note=lambda view, scope: t("satisfaction.trend_hint", view.lang, n=judgements.min_survey_answers()),
                span=lambda view, scope: (q.trend_span(view.filters, grain_of(view)).start, view.end))
def trend_chart(view, scope):
    grain = grain_of(view)
    span = q.trend_span(view.filters, grain)
    df = q.trend(span, scope, grain, view.get("category"))
    return trend_figure(df, peak_bands(span, scope), grain, view.lang,
                        selected=(view.start, view.end))


def _segment_metric(view) -> str:
    return METRICS[view.get("metric") or "satisfaction"]


def _segment_chart(by: str):
    def title(view, scope) -> str:
        sep = "：" if view.lang == "zh" else ": "
        return t(f"satisfaction.by_{by}", view.lang) + sep + metric_label(_segment_metric(view), view.lang)

    @EXPORTS.chart(SEGMENT_IDS[by], f"satisfaction.by_{by}", title=title,
                   note=lambda view, scope: t("satisfaction.segments_hint", view.lang,
                                              n=judgements.min_survey_answers()))
    def build(view, scope):
        metric = _segment_metric(view)
        return segment_figure(q.segments(view.filters, scope, by, metric, view.get("category")), by, metric,
                              view.lang)
    return build


SEGMENT_CHARTS = {by: _segment_chart(by) for by in q.SEGMENTS}


@EXPORTS.chart(LIKERT, "satisfaction.likert", note=lambda view, scope: t("satisfaction.likert_hint", view.lang))
def likert_chart(view, scope):
    lang = view.lang
    labels = {k: (v if lang == "zh" else t(f"satisfaction.q.{k}", lang)) for k, v in QUESTION_LABELS.items()}
    return likert_figure(q.likert(view.filters, scope, view.get("category")), labels, lang)


def keywords_note(view, scope) -> str:
    df = q.keywords(view.filters, scope, view.get("category"))
    total = int(df["of"].iloc[0]) if len(df) else 0
    return t("satisfaction.keywords_hint", view.lang, n=f"{total:,}")


@EXPORTS.chart(KEYWORDS, "satisfaction.keywords", note=keywords_note)
def keywords_chart(view, scope):
    return keywords_figure(q.keywords(view.filters, scope, view.get("category")), view.lang)


@callback(Output(TREND, "figure"), Input(VIEW, "data"))
@cached_output
def render_trend(search):
    return trend_chart(*_view(search))


@callback([Output(SEGMENT_IDS[by], "figure") for by in q.SEGMENTS], Input(VIEW, "data"))
@cached_output
def render_segments(search):
    view, scope = _view(search)
    return [SEGMENT_CHARTS[by](view, scope) for by in q.SEGMENTS]


@callback(Output(LIKERT, "figure"), Input(VIEW, "data"))
@cached_output
def render_likert(search):
    return likert_chart(*_view(search))


@callback(Output(KEYWORDS, "figure"), Output(KEYWORDS_HINT, "children"), Input(VIEW, "data"))
@cached_output
def render_keywords(search):
    view, scope = _view(search)
    return keywords_chart(view, scope), keywords_note(view, scope)


def comment_columns(lang: str) -> list[dict]:
    score_style = {"styleConditions": [
        {"condition": f"params.value != null && params.value <= {q.LOW_SCORE}",
         "style": {"color": "#b83227", "fontWeight": 700}}]}
    scores = [{"field": name, "headerName": t(f"satisfaction.short.{name}", lang),
               "headerTooltip": label if lang == "zh" else t(f"satisfaction.q.{name}", lang),
               "type": "numericColumn", "width": 84, "minWidth": 64, "filter": False, "cellStyle": score_style,
               "valueFormatter": {"function": "params.value == null ? '—' : params.value"}}
              for name, label in QUESTION_LABELS.items()]
    return [
        {"field": "time", "headerName": t("satisfaction.col.time", lang), "width": 150, "minWidth": 150,
         "sort": "desc"},
        {"field": "area", "headerName": t("satisfaction.col.area", lang), "width": 130, "minWidth": 120},
        {"field": "channel", "headerName": t("satisfaction.col.channel", lang), "width": 130, "minWidth": 110},
        {"field": "respondent_type", "headerName": t("satisfaction.col.respondent_type", lang), "width": 115,
         "minWidth": 105},
        {"field": "origin", "headerName": t("satisfaction.col.origin", lang), "width": 125, "minWidth": 115,
         "tooltipField": "origin"},
        {"headerName": t("satisfaction.col.scores", lang, low=q.LOW_SCORE), "children": scores},
        {"field": "comment", "headerName": t("satisfaction.col.comment", lang), "flex": 3, "minWidth": 320,
         "wrapText": True, "autoHeight": True, "tooltipField": "comment", "cellClass": "tpd-sat-comment"},
    ]


def comment_rows(df, lang: str) -> list[dict]:
    return [{
        "response_id": r["response_id"],
        "time": r["submitted_at"].strftime("%Y-%m-%d %H:%M"),
        "area": r["area_name"] or t("satisfaction.no_area", lang),
        "channel": value_label(r["channel"], lang),
        "respondent_type": (value_label(r["respondent_type"], lang) if r["respondent_type"]
                            else t("chart.not_given", lang)),
        "origin": origin_label(r["origin"], lang),
        **{name: None if r[name] is None else int(r[name]) for name in q.QUESTIONS},
        "comment": r["comment"] or "",
    } for r in df.to_dict("records")]


def _search_note(view, scope) -> str | None:
    text = view.get("q")
    return f"{t('satisfaction.search_label', view.lang)}{'：' if view.lang == 'zh' else ': '}{text}" if text else None


@EXPORTS.table(COMMENTS, "satisfaction.comments", note=_search_note, capped=True)
def comments_table(view, scope, limit: int = q.GRID_LIMIT) -> Table:
    df = q.comments(view.filters, scope, view.get("category"), view.get("q"), limit=limit)
    return Table(comment_columns(view.lang), comment_rows(df, view.lang))


@callback(Output(COMMENTS, "columnDefs"), Output(COMMENTS, "rowData"), Output(COMMENTS_HINT, "children"),
          Input(VIEW, "data"))
@record_level
@cached_output
def render_comments(search):
    view, scope = _view(search)
    lang = view.lang
    df = q.comments(view.filters, scope, view.get("category"), view.get("q"))
    total = int(df["total"].iloc[0]) if len(df) else 0
    hint = t("satisfaction.comments_hint", lang, low=q.LOW_SCORE, shown=f"{len(df):,}", total=f"{total:,}")
    if total > len(df):
        hint = with_export_rows(hint, lang, total)
    return comment_columns(lang), comment_rows(df, lang), hint


@callback(Output(URL, "search", allow_duplicate=True),
          Input(SEGMENT_IDS["area"], "clickData"), Input(SEGMENT_IDS["channel"], "clickData"),
          State(VIEW, "data"), prevent_initial_call=True)
def drill(area_click, channel_click, search):
    """A click on an area or a channel narrows the whole page to it; anything else is ignored."""
    trigger = dash.ctx.triggered_id
    click = area_click if trigger == SEGMENT_IDS["area"] else channel_click if trigger == SEGMENT_IDS["channel"] else None
    points = (click or {}).get("points") or [{}]
    key = points[0].get("customdata") if isinstance(points[0], dict) else None
    if not key or not isinstance(key, str):
        return no_update
    view, scope = _view(search)
    if trigger == SEGMENT_IDS["area"]:
        if key not in reference.area_names(scope) or key == view.area:
            return no_update
        return view.query(area=key)
    if key not in SURVEY_CHANNELS or key == view.get("category"):
        return no_update
    return view.query(category=key)


@callback(Output(URL, "search", allow_duplicate=True),
          Input(GRAIN, "value"), Input(METRIC, "value"),
          State(VIEW, "data"), prevent_initial_call=True)
def controls_to_url(grain, metric, search):
    """The page's own choices go to the URL like the filters, so a link reproduces the view."""
    view, _ = _view(search)
    trigger = dash.ctx.triggered_id
    if trigger == GRAIN and grain in q.GRAINS:
        new = view.query(grain=None if grain == q.default_grain(view.filters) else grain)
    elif trigger == METRIC and metric in METRICS:
        new = view.query(metric=None if metric == "satisfaction" else metric)
    else:
        return no_update
    return no_update if new == view.query() else new


@callback(Output(URL, "search", allow_duplicate=True), Input(SEARCH, "value"), State(VIEW, "data"),
          prevent_initial_call=True)
@record_level
def search_to_url(text, search):
    """The comment search (a record-level control) goes to the URL too."""
    view, _ = _view(search)
    if not isinstance(text, str | None):
        return no_update
    new = view.query(q=(text or "").strip()[:100] or None)
    return no_update if new == view.query() else new


q.warm_up()
