"""总览 Overview: the weekly leadership page.

Defaults to the last complete week. Headline KPI cards with their change
against the week before and the same week last year; alerts where a week
departs from its own 12-week baseline, worded as for the better or the
worse; a 12-week trend with peak periods shaded beside the units and scenic
areas that lag most, all on the first screen of a 1440×900 display for the
weekly meeting. Clicking a unit or an area drills the whole page into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.model import judgements, ranking
from dashboard.components.bind import catalog_kpis
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.lag_tables import lag_columns, lag_rows
from dashboard.components.page_kit import Page
from dashboard.exports.registry import weeks_to_end
from dashboard.exports.tables import Table
from dashboard.figures.overview import weekly_trend_figure
from dashboard.format import fmt_value
from dashboard.queries import overview as q
from dashboard.queries import reference
from dashboard.queries.calendar import peak_bands
from dashboard.model.catalog import BY_ID
from dashboard.model.periods import trailing_weeks
from dashboard.session import current_scope, scope_label
from dashboard.text import t

dash.register_page(__name__, path="/", name="nav.overview", order=0, title="总览 · 旅游警务数据看板")

PAGE = "overview"
KPIS, TREND, ALERTS, UNITS, AREAS = (f"{PAGE}-{x}" for x in ("kpis", "trend", "alerts", "units", "areas"))
# The header and four rows on a 900 px high window, more on a taller one: both tables and
# everything above them fit the first screen.
LAG_GRID_HEIGHT = "max(150px, calc(50vh - 290px))"
ALERTS_SHOWN = 3           # alerts on the page's line; the rest behind "另有 n 条"

P = Page(__name__, PAGE, default_period="last_week")


def _name_rest(rows: list[dict], lang: str) -> list[dict]:
    for row in rows:
        if row["key"] == q.REST:
            row["name"] = t("overview.own_level", lang)
    return rows


def lag_tables(ask, full_headers: bool = False) -> tuple[Table, Table]:
    """Lagging units and lagging areas, from one set of queries."""
    units, areas = q.lagging(ask.filters, ask.scope)
    units, areas = ranking.worst_first(units, last_key=q.REST), ranking.worst_first(areas)
    lang = ask.lang
    return (Table(lag_columns(lang, t("common.unit", lang), full_headers), _name_rest(lag_rows(units), lang)),
            Table(lag_columns(lang, t("common.area", lang), full_headers), lag_rows(areas)))


def units_table(view, scope) -> Table:
    """The lagging units as a file gives them: the columns' full names."""
    return lag_tables(P.ask(view, scope), full_headers=True)[0]


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


def alerts_line(ask) -> list:
    lang = ask.lang
    title = html.Span(t("overview.alerts", lang), className="tpd-alert-title")
    found = sorted(ranking.departures(q.alert_series(ask.filters, ask.scope), q.ALERT_METRICS), key=alert_order)
    if not found:
        return [title, html.Span(t("overview.no_alerts", lang), className="text-muted")]
    items = [alert_item(a, lang) for a in found[:8]]
    shown = html.Ul(items[:ALERTS_SHOWN], className="tpd-alert-list")
    if len(items) <= ALERTS_SHOWN:
        return [title, shown]
    more = html.Details([html.Summary(t("overview.alerts_more", lang, n=len(items) - ALERTS_SHOWN)),
                         html.Ul(items[ALERTS_SHOWN:], className="tpd-alert-list")], className="tpd-alert-more")
    return [title, shown, more]


TREND_CHART = Chart(TREND, "overview.trend", q.weekly_trend, span=weeks_to_end(q.TREND_WEEKS),
                    style={"flex": "1 1 0", "minHeight": "300px"},   # as tall as the two lag tables beside it
                    figure=lambda df, ask: weekly_trend_figure(
                        df, peak_bands(trailing_weeks(ask.filters, q.TREND_WEEKS), ask.scope), ask.lang))
LAG_GRID = {"height": LAG_GRID_HEIGHT, "row_id": "key", "grid_options": {"rowHeight": 30, "headerHeight": 32}}
UNITS_GRID = Grid(UNITS, "overview.lagging_units", lambda ask: lag_tables(ask)[0],
                  export_table=lambda ask: lag_tables(ask, full_headers=True)[0], **LAG_GRID)
AREAS_GRID = Grid(AREAS, "overview.lagging_areas", lambda ask: lag_tables(ask)[1],
                  export_table=lambda ask: lag_tables(ask, full_headers=True)[1], **LAG_GRID)

render_kpis = P.render(Kpis(KPIS, catalog_kpis(q.HEADLINE), q.HEADLINE, width={"xs": 6, "md": 3}))
render_trend = P.render(TREND_CHART)
render_lagging = P.render(UNITS_GRID, AREAS_GRID)
render_alerts = P.render(Text(ALERTS, alerts_line))


def _lag_card(item: Grid, ask) -> dbc.Card:
    title = html.Div([html.H2(t(item.title_key, ask.lang), className="tpd-card-title mb-0"),
                      html.Span(t("overview.click_to_drill", ask.lang), className="tpd-hint mb-0")],
                     className="tpd-lag-title")
    return P.card(item, ask, title=title, cls="tpd-lag-card")


def layout(**kwargs):
    """KPI cards, one line of alerts, then the trend beside the lag tables: one screen at 1440×900."""
    ask = P.layout_ask(kwargs)
    return P.frame(
        ask,
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.Div(id=ALERTS, className="tpd-alert-strip mb-2", role="status"),
        dbc.Row([
            dbc.Col(P.card(TREND_CHART, ask, body_cls="d-flex flex-column"), lg=4),
            dbc.Col([_lag_card(UNITS_GRID, ask), _lag_card(AREAS_GRID, ask)], lg=8, className="tpd-lag-stack"),
        ], className="g-2"),
    )


def to_unit(key, ask):
    """The row id is client input: only a unit or area this user may see is followed."""
    if key != q.REST and key in set(reference.units(ask.scope).unit_code):
        return ask.view.query(unit=key, area=None)


def to_area(key, ask):
    if key != q.REST and key in reference.area_names(ask.scope):
        return ask.view.query(area=key)


drill = P.drill(Drill(UNITS, to_unit, prop="cellClicked"), Drill(AREAS, to_area, prop="cellClicked"))
