"""总览 Overview: the weekly leadership page.

Defaults to the last complete week. Headline KPI cards with their change
against the week before and the same week last year; alerts where a week
departs from its own 12-week baseline, worded as for the better or the
worse; a 12-week trend with peak periods shaded beside the units and scenic
areas that lag most, all on the first screen of a 1440×900 display for the
weekly meeting. Clicking a unit or an area drills the whole page into it. On a phone the page
opens on a block of its own (hidden from 768 px up): the headline figures with their change, the
alerts, and the units and areas below target, each a tap from its page.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.model import judgements, ranking
from dashboard.components.bind import catalog_kpis
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.definition import SOURCE_PAGE, sources_of
from dashboard.components.kpi import change_item, comparisons
from dashboard.components.lag_tables import LAG_COLUMNS, lag_columns, lag_rows
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
from dashboard.session import current_scope, may_open, scope_label
from dashboard.text import t

dash.register_page(__name__, path="/", name="nav.overview", order=0, title="总览 · 旅游警务数据看板")

PAGE = "overview"
KPIS, TREND, ALERTS, UNITS, AREAS = (f"{PAGE}-{x}" for x in ("kpis", "trend", "alerts", "units", "areas"))
PHONE = f"{PAGE}-phone"    # what a leader wants first on a phone; hidden from 768 px up
PHONE_BELOW_SHOWN = 5      # units (and areas) below target listed on the phone; the rest in the tables
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


def lag_table(ask, kind: str, full_headers: bool = False, frames=None) -> Table:
    """The lagging units (`kind` "unit") or scenic areas ("area"), worst first; both come from one
    set of queries, kept whole in the query cache, and each grid ranks and lays out only its own.
    `frames`: the (units, areas) lag frames, when the caller has them already."""
    units, areas = frames if frames is not None else q.lagging(ask.filters, ask.scope)
    lang = ask.lang
    columns = lag_columns(lang, t(f"common.{kind}", lang), full_headers)
    if kind == "unit":
        return Table(columns, _name_rest(lag_rows(ranking.worst_first(units, last_key=q.REST)), lang))
    return Table(columns, lag_rows(ranking.worst_first(areas)))


def lag_tables(ask, full_headers: bool = False, frames=None) -> tuple[Table, Table]:
    """Lagging units and lagging areas, from one set of queries."""
    return lag_table(ask, "unit", full_headers, frames), lag_table(ask, "area", full_headers, frames)


def units_table(view, scope) -> Table:
    """The lagging units as a file gives them: the columns' full names."""
    return lag_table(P.ask(view, scope), "unit", full_headers=True)


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


def departures(series) -> list[dict]:
    """The departures in `q.alert_series`, in `alert_order`."""
    return sorted(ranking.departures(series, q.ALERT_METRICS), key=alert_order)


def alerts_line(ask) -> list:
    lang = ask.lang
    title = html.Span(t("overview.alerts", lang), className="tpd-alert-title")
    found = departures(q.alert_series(ask.filters, ask.scope))
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
UNITS_GRID = Grid(UNITS, "overview.lagging_units", lambda ask: lag_table(ask, "unit"),
                  export_table=lambda ask: lag_table(ask, "unit", full_headers=True), **LAG_GRID)
AREAS_GRID = Grid(AREAS, "overview.lagging_areas", lambda ask: lag_table(ask, "area"),
                  export_table=lambda ask: lag_table(ask, "area", full_headers=True), **LAG_GRID)

render_kpis = P.render(Kpis(KPIS, catalog_kpis(q.HEADLINE), q.HEADLINE, width={"xs": 12, "md": 3}))
render_trend = P.render(TREND_CHART)
render_lagging = P.render(UNITS_GRID, AREAS_GRID)
render_alerts = P.render(Text(ALERTS, alerts_line))


def _page_href(metric_id: str, ask) -> str | None:
    """The page a headline figure lives on, with the view's filters; None where the role may not open it."""
    page = SOURCE_PAGE.get(sources_of(BY_ID[metric_id])[0])
    if page is None or not may_open(page):
        return None
    return f"/{page}" + ask.view.query()


def _tap(children, href: str | None, cls: str):
    return dcc.Link(children, href=href, className=f"{cls} tpd-tap") if href else html.Div(children, className=cls)


def phone_headlines(ask, values) -> html.Section:
    """The week's headline figures, each with its change against the period before, a tap from its page.
    `values`: (now, previous, last_year), the KPI cards' figures without their 12 weeks of history,
    which the phone does not draw."""
    lang = ask.lang
    now, previous, last_year = values
    which, name = comparisons(ask.view, lang)[0]
    rows = []
    for mid in q.HEADLINE:
        m = BY_ID[mid]
        unit = m.unit_zh if lang == "zh" else m.unit_en
        value = fmt_value(m.fmt, now[mid].value, lang, symbol=not unit) + (f" {unit}" if unit and m.fmt != "rate" else "")
        before = (previous if which == "previous" else last_year)[mid]
        rows.append(_tap([
            html.Span(m.zh if lang == "zh" else m.en, className="tpd-phone-label"),
            html.Span(value, className="tpd-phone-value"),
            change_item(name, m.fmt, now[mid], before, lang, m.higher_is_better, unit),
        ], _page_href(mid, ask), "tpd-phone-row"))
    return html.Section([html.H2(t("overview.phone.headlines", lang), className="tpd-phone-title"), *rows],
                        className="tpd-phone-part")


def phone_alerts(ask, series) -> html.Section:
    """Every departure in `series` (`q.alert_series`), for the worse first, each a tap from the page of
    its figure, for its unit."""
    lang = ask.lang
    found = departures(series)
    items = []
    for alert in found:
        item = alert_item(alert, lang)
        href = _page_href(alert["metric"], ask)
        if href and alert.get("unit") and alert["unit"] in set(reference.units(ask.scope).unit_code):
            page = href.split("?")[0]
            href = page + ask.view.query(unit=alert["unit"], area=None)
        items.append(_tap(item.children, href, f"tpd-phone-row {item.className}"))
    body = items or [html.P(t("overview.no_alerts", lang), className="text-muted mb-0")]
    return html.Section([html.H2(t("overview.alerts", lang), className="tpd-phone-title"), *body],
                        className="tpd-phone-part")


def below_target(rows: list[dict], lang: str) -> list[tuple[dict, list[str]]]:
    """Rows with a judged figure red or amber against its target (not on too few records), and which."""
    out = []
    for row in rows:
        misses = []
        for field, *_rest in LAG_COLUMNS:
            n = row.get(f"{field}#n")
            if judgements.rag(field, row.get(field), n) in ("red", "amber"):
                m = BY_ID[field]
                misses.append(f"{m.zh if lang == 'zh' else m.en} {fmt_value(m.fmt, row[field], lang)}")
        if misses and row.get("key") != q.REST:
            out.append((row, misses))
    return out


def phone_lagging(ask, frames) -> html.Section:
    """The units and the scenic areas below target, each a tap from the page drilled into it.
    `frames`: the (units, areas) lag frames."""
    lang = ask.lang
    units, areas = lag_tables(ask, frames=frames)
    parts = [html.H2(t("overview.phone.below_target", lang), className="tpd-phone-title")]
    for kind, table, to in (("unit", units, lambda k: ask.view.query(unit=k, area=None)),
                            ("area", areas, lambda k: ask.view.query(area=k))):
        found = below_target(table.rows, lang)
        parts.append(html.H3(t(f"common.{kind}", lang) + f"（{len(found)}）" if lang == "zh"
                             else f"{t(f'common.{kind}', lang)} ({len(found)})", className="tpd-phone-sub"))
        for row, misses in found[:PHONE_BELOW_SHOWN]:
            parts.append(_tap([html.Span(row["name"], className="tpd-phone-label"),
                               html.Span("、".join(misses) if lang == "zh" else "; ".join(misses),
                                         className="tpd-phone-miss")], to(row["key"]), "tpd-phone-row"))
        if not found:
            parts.append(html.P(t("overview.phone.none_below", lang), className="text-muted mb-1"))
        elif len(found) > PHONE_BELOW_SHOWN:
            parts.append(html.P(t("overview.phone.more_below", lang, n=len(found) - PHONE_BELOW_SHOWN),
                                className="text-muted mb-1"))
    return html.Section(parts, className="tpd-phone-part")


def phone_block(ask) -> list:
    """The three parts from one batch of statements, all at the same time (one part after the other
    waited for each part's slowest statement in turn)."""
    values, series, frames = q.phone_figures(ask.filters, ask.against, ask.scope)
    return [phone_headlines(ask, values), phone_alerts(ask, series), phone_lagging(ask, frames)]


render_phone = P.render(Text(PHONE, phone_block))


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
        html.Div(id=PHONE, className="tpd-phone-overview d-md-none mb-2"),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.Div(id=ALERTS, className="tpd-alert-strip mb-2 d-none d-md-flex", role="status"),
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
