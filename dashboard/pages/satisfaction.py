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
from dash import dcc, html, no_update

from dashboard.model import judgements
from dashboard.model.breakdowns import QUESTION_LABELS
from dashboard.components.bind import kpis_of
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.page_kit import Page, rows_line
from dashboard.exports.tables import Table
from dashboard.figures.satisfaction import (keywords_figure, likert_figure, metric_label, origin_label,
                                           segment_figure, trend_figure)
from dashboard.queries import reference
from dashboard.queries import satisfaction as q
from dashboard.queries.calendar import peak_bands
from dashboard.text import t, value_label
from warehouse.record_types import SURVEY_CHANNELS

dash.register_page(__name__, path="/satisfaction", name="nav.satisfaction", order=4,
                   title="满意度调查 · 旅游警务数据看板")

PAGE = "satisfaction"
KPIS, NOTE, GRAIN, TREND, METRIC = (f"{PAGE}-{x}" for x in ("kpis", "note", "grain", "trend", "metric"))
SEGMENT_IDS = {by: f"{PAGE}-by-{by.replace('_', '-')}" for by in q.SEGMENTS}
LIKERT, KEYWORDS, KEYWORDS_HINT = f"{PAGE}-likert", f"{PAGE}-keywords", f"{PAGE}-keywords-hint"
SEARCH, COMMENTS, COMMENTS_HINT = f"{PAGE}-search", f"{PAGE}-comments", f"{PAGE}-comments-hint"
METRICS = {"satisfaction": "survey.satisfaction_rate", "safety": "survey.safety_rate"}
CHANNEL = ("channel",)


def _choices(view, scope) -> dict:
    """The channel chosen (`category=`), the trend's grain and the rate the segments rank by."""
    return {"channel": view.get("category"), "grain": view.get("grain") or q.default_grain(view.filters),
            "metric_id": METRICS[view.get("metric") or "satisfaction"]}


def _describe(view, scope) -> list[str]:
    channel = view.get("category")
    return [t("satisfaction.channel_filter", view.lang, channel=value_label(channel, view.lang))] if channel else []


P = Page(__name__, PAGE, default_period="this_quarter", choices=_choices, describe=_describe,
         allowed={"category": set(SURVEY_CHANNELS), "grain": set(q.GRAINS), "metric": set(METRICS), "q": None})


def kpi_note(ask):
    lang, channel, notes = ask.lang, ask.get("channel"), []
    if channel:
        notes.append(html.Span([
            html.Span(t("satisfaction.channel_filter", lang, channel=value_label(channel, lang)),
                      className="badge text-bg-primary me-2"),
            dcc.Link(t("satisfaction.clear_channel", lang), href=ask.view.query(category=None)),
        ], className="me-3"))
    if ask.scope.unit:
        notes.append(html.Span(t("satisfaction.unitless_scoped", lang)))
    elif ask.view.unit and (unitless := q.unitless_count(ask.filters, ask.scope, channel)):
        notes.append(html.Span(t("satisfaction.unitless", lang, n=f"{unitless:,}")))
    return html.Div(notes, className="small text-muted mb-2 tpd-sat-note") if notes else None


def trend_data(filters, scope, grain, channel):
    return q.trend(q.trend_span(filters, grain), scope, grain, channel)


def segments_hint(ask) -> str:
    return t("satisfaction.segments_hint", ask.lang, n=judgements.min_survey_answers())


def segment_chart(by: str) -> Chart:
    def title(ask) -> str:
        return t(f"satisfaction.by_{by}", ask.lang) + ("：" if ask.lang == "zh" else ": ") + \
            metric_label(ask.get("metric_id"), ask.lang)
    return Chart(SEGMENT_IDS[by], f"satisfaction.by_{by}", title=title, note=segments_hint, args=("metric_id", "channel"),
                 data=lambda f, s, metric_id, channel: q.segments(f, s, by, metric_id, channel),
                 figure=lambda df, ask: segment_figure(df, by, ask.get("metric_id"), ask.lang))


def keywords_note(ask) -> str:
    df = q.keywords(ask.filters, ask.scope, ask.get("channel"))
    return t("satisfaction.keywords_hint", ask.lang, n=f"{int(df['of'].iloc[0]) if len(df) else 0:,}")


def likert_labels(lang: str) -> dict:
    return {k: (v if lang == "zh" else t(f"satisfaction.q.{k}", lang)) for k, v in QUESTION_LABELS.items()}


TREND_CHART = Chart(
    TREND, "satisfaction.trend", trend_data, args=("grain", "channel"),
    note=lambda ask: t("satisfaction.trend_hint", ask.lang, n=judgements.min_survey_answers()),
    span=lambda view, scope: (q.trend_span(view.filters, _choices(view, scope)["grain"]).start, view.end),
    figure=lambda df, ask: trend_figure(df, peak_bands(q.trend_span(ask.filters, ask.get("grain")), ask.scope),
                                        ask.get("grain"), ask.lang, selected=(ask.view.start, ask.view.end)))
SEGMENT_CHARTS = {by: segment_chart(by) for by in q.SEGMENTS}
LIKERT_CHART = Chart(LIKERT, "satisfaction.likert", q.likert, args=CHANNEL,
                     note=lambda ask: t("satisfaction.likert_hint", ask.lang),
                     figure=lambda df, ask: likert_figure(df, likert_labels(ask.lang), ask.lang))
KEYWORDS_CHART = Chart(KEYWORDS, "satisfaction.keywords", q.keywords, args=CHANNEL, note=keywords_note,
                       figure=lambda df, ask: keywords_figure(df, ask.lang))


def comment_columns(lang: str) -> list[dict]:
    score_style = {"styleConditions": [
        {"condition": f"params.value != null && params.value <= {q.LOW_SCORE}",
         "style": {"color": "#b83227", "fontWeight": 700}}]}
    scores = [{"field": name, "headerName": t(f"satisfaction.short.{name}", lang),
               "headerTooltip": label if lang == "zh" else t(f"satisfaction.q.{name}", lang),
               "type": "numericColumn", "width": 84, "minWidth": 64, "filter": False, "cellStyle": score_style,
               "valueFormatter": {"function": "params.value == null ? '—' : params.value"}}
              for name, label in QUESTION_LABELS.items()]

    def col(field, width, min_width, **more):
        return {"field": field, "headerName": t(f"satisfaction.col.{field}", lang), "width": width,
                "minWidth": min_width, **more}
    return [
        col("time", 150, 150, sort="desc"), col("area", 130, 120), col("channel", 130, 110),
        col("respondent_type", 115, 105), col("origin", 125, 115, tooltipField="origin"),
        {"headerName": t("satisfaction.col.scores", lang, low=q.LOW_SCORE), "children": scores},
        {"field": "comment", "headerName": t("satisfaction.col.comment", lang), "flex": 3, "minWidth": 320,
         "wrapText": True, "autoHeight": True, "tooltipField": "comment", "cellClass": "tpd-sat-comment"},
    ]


def comment_rows(df, lang: str) -> list[dict]:
    no_area, not_given = t("satisfaction.no_area", lang), t("chart.not_given", lang)
    columns = ("response_id", "submitted_at", "area_name", "channel", "respondent_type", "origin", *q.QUESTIONS,
               "comment")
    return [{
        "response_id": response_id,
        "time": submitted_at.strftime("%Y-%m-%d %H:%M"),
        "area": area_name or no_area,
        "channel": value_label(channel, lang),
        "respondent_type": value_label(respondent_type, lang) if respondent_type else not_given,
        "origin": origin_label(origin, lang),
        **{name: None if score is None else int(score) for name, score in zip(q.QUESTIONS, scores)},
        "comment": comment or "",
    } for response_id, submitted_at, area_name, channel, respondent_type, origin, *scores, comment
        in zip(*(df[c].tolist() for c in columns))]


def _comments(ask, limit: int = q.GRID_LIMIT):
    return q.comments(ask.filters, ask.scope, ask.get("channel"), ask.view.get("q"), limit=limit)


def comments_hint(ask) -> str:
    df = _comments(ask)
    total = int(df["total"].iloc[0]) if len(df) else 0
    return rows_line(ask, total, len(df), "satisfaction.comments_hint", low=q.LOW_SCORE)


def _search_note(ask) -> str | None:
    text = ask.view.get("q")
    return f"{t('satisfaction.search_label', ask.lang)}{'：' if ask.lang == 'zh' else ': '}{text}" if text else None


COMMENTS_GRID = Grid(COMMENTS, "satisfaction.comments", lambda ask, limit=q.GRID_LIMIT: Table(
    comment_columns(ask.lang), comment_rows(_comments(ask, limit), ask.lang)), note=_search_note, height=480,
    row_id="response_id", records=True, capped=True)

render_kpis = P.render(Kpis(KPIS, kpis_of(q.kpis), q.KPI_METRICS, args=CHANNEL, width={"xs": 12, "md": 3}),
                       Text(NOTE, kpi_note))
render_trend = P.render(TREND_CHART)
render_segments = P.render(*SEGMENT_CHARTS.values())
render_likert = P.render(LIKERT_CHART)
render_keywords = P.render(KEYWORDS_CHART, Text(KEYWORDS_HINT, keywords_note))
render_comments = P.render(COMMENTS_GRID, Text(COMMENTS_HINT, comments_hint))


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    minimum = judgements.min_survey_answers()
    grain_tools = dbc.RadioItems(
        id=GRAIN, value=ask.get("grain"), inline=True, className="tpd-sat-radio",
        options=[{"label": t(f"satisfaction.by_{g}", lang), "value": g} for g in ("week", "month")])
    metric_tools = html.Div([
        html.Span(t("satisfaction.rank_by", lang) + ("：" if lang == "zh" else ": "), className="small text-muted me-1"),
        dbc.RadioItems(id=METRIC, value=ask.view.get("metric") or "satisfaction", inline=True,
                       className="tpd-sat-radio d-inline-block",
                       options=[{"label": metric_label(mid, lang), "value": key} for key, mid in METRICS.items()]),
    ], className="d-flex align-items-center")
    hints = {"area": t("satisfaction.click_area", lang), "channel": t("satisfaction.click_channel", lang)}
    return P.frame(
        ask,
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.Div(id=NOTE),
        dbc.Row(dbc.Col(P.card(TREND_CHART, ask, hint=t("satisfaction.trend_hint", lang, n=minimum),
                               tools=[grain_tools], loading=True)), className="g-2 mb-2"),
        dbc.Card(dbc.CardBody(html.Div([html.P(segments_hint(ask), className="tpd-hint mb-0 me-3"), metric_tools],
                                       className="d-flex justify-content-between align-items-center flex-wrap gap-2")),
                 className="mb-2 tpd-sat-segments-head"),
        dbc.Row([dbc.Col(P.card(chart, ask, hint=hints.get(by), loading=True), lg=6)
                 for by, chart in SEGMENT_CHARTS.items()], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(LIKERT_CHART, ask, hint=t("satisfaction.likert_hint", lang), loading=True), lg=7),
            dbc.Col(P.card(KEYWORDS_CHART, ask, html.P(id=KEYWORDS_HINT, className="tpd-hint"), loading=True), lg=5),
        ], className="g-2 mb-2"),
        dbc.Row(dbc.Col(P.card(COMMENTS_GRID, ask, dbc.InputGroup([
            dbc.InputGroupText(t("satisfaction.search_label", lang)),
            dbc.Input(id=SEARCH, type="search", value=ask.view.get("q") or "", debounce=True,
                      placeholder=t("satisfaction.search", lang), maxLength=100),
        ], size="sm", className="mb-1"), html.P(id=COMMENTS_HINT, className="tpd-hint"))), className="g-2"),
    )


def to_area(key, ask):
    if key in reference.area_names(ask.scope) and key != ask.view.area:
        return ask.view.query(area=key)


def to_channel(key, ask):
    if key in SURVEY_CHANNELS and key != ask.get("channel"):
        return ask.view.query(category=key)


drill = P.drill(Drill(SEGMENT_IDS["area"], to_area), Drill(SEGMENT_IDS["channel"], to_channel))


@P.to_url((GRAIN, "value"), (METRIC, "value"))
def controls_to_url(grain, metric, search):
    """The page's own choices go to the URL like the filters, so a link reproduces the view."""
    view = P.ask_from(search).view
    trigger = dash.ctx.triggered_id
    if trigger == GRAIN and grain in q.GRAINS:
        new = view.query(grain=None if grain == q.default_grain(view.filters) else grain)
    elif trigger == METRIC and metric in METRICS:
        new = view.query(metric=None if metric == "satisfaction" else metric)
    else:
        return no_update
    return no_update if new == view.query() else new


@P.to_url((SEARCH, "value"), records=True)
def search_to_url(text, search):
    """The comment search (a record-level control) goes to the URL too."""
    view = P.ask_from(search).view
    if not isinstance(text, str | None):
        return no_update
    new = view.query(q=(text or "").strip()[:100] or None)
    return no_update if new == view.query() else new


q.warm_up()
