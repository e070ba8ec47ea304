"""KPI cards: value, change against the period before and last year, n, target, sparkline."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import analysis, theme
from dashboard.figures.base import sparkline
from dashboard.format import fmt_change, fmt_value
from dashboard.queries.catalog import BY_ID
from dashboard.queries.kpis import KpiFigures
from dashboard.text import t


def change_line(label: str, fmt: str, now, before, lang: str) -> html.Div:
    ch = analysis.change(fmt, now.value, before.value, now.n, before.n)
    if ch.delta is None:
        return html.Div([html.Span(label + " "), html.Span(t("kpi.no_base", lang), className="text-muted")],
                        className="small")
    arrow = "▲" if ch.delta > 0 else "▼" if ch.delta < 0 else "■"
    notable_cls = "tpd-notable" if ch.notable else "text-muted"
    title = t("kpi.notable", lang) if ch.notable else t("kpi.not_notable", lang) if ch.notable is False else ""
    return html.Div([
        html.Span(label + " "),
        html.Span(f"{arrow} {fmt_change(fmt, ch, lang)}", className=notable_cls, title=title),
        html.Span(" ●" if ch.notable else "", className="tpd-notable-dot", title=title),
    ], className="small")


def kpi_card(metric_id: str, fig: KpiFigures, lang: str, card_id: str) -> dbc.Card:
    """A card for a catalog metric: its label, unit, format and target come from the catalog."""
    m = BY_ID[metric_id]
    return figure_card(m.zh if lang == "zh" else m.en, m.fmt, m.unit_zh if lang == "zh" else m.unit_en,
                       fig, lang, card_id, target_id=metric_id)


def figure_card(label: str, fmt: str, unit: str, fig: KpiFigures, lang: str, card_id: str,
                target_id: str | None = None) -> dbc.Card:
    """A KPI card for any figure with now / previous / last year / weekly history."""
    status = analysis.rag(target_id, fig.now.value) if target_id else None
    target = analysis.target_of(target_id) if target_id else None
    footer = []
    if fig.now.n is not None and fmt in ("rate", "minutes", "score", "per10k"):
        footer.append(t("kpi.n", lang, n=f"{int(fig.now.n):,}"))
    if fig.now.low is not None:
        footer.append(t("kpi.ci", lang, low=fmt_value("rate", fig.now.low), high=fmt_value("rate", fig.now.high)))
    if target:
        footer.append(t("kpi.target", lang, target=fmt_value(fmt, target["target"])))
    series = fig.weekly.dropna(subset=["value"]) if not fig.weekly.empty else fig.weekly
    spark = dcc.Graph(figure=sparkline(series["key"], series["value"], fmt=theme.FORMATS.get(fmt, ",")),
                      config={"displayModeBar": False}, className="tpd-spark",
                      id=f"{card_id}-spark") if len(series) > 1 else html.Div(className="tpd-spark")
    return dbc.Card(dbc.CardBody([
        html.Div([
            html.Span(label, className="tpd-kpi-label"),
            html.Span(t(f"rag.{status}", lang), className=f"tpd-rag tpd-rag-{status}") if status else None,
        ], className="d-flex justify-content-between align-items-start"),
        html.Div([
            html.Span(fmt_value(fmt, fig.now.value, lang), className="tpd-kpi-value"),
            html.Span(" " + unit if unit and fmt != "rate" else "", className="tpd-kpi-unit"),
        ]),
        change_line(t("kpi.vs_previous", lang), fmt, fig.now, fig.previous, lang),
        change_line(t("kpi.vs_last_year", lang), fmt, fig.now, fig.last_year, lang),
        html.Div(" · ".join(footer), className="tpd-kpi-foot"),
        spark,
    ]), className=f"tpd-kpi h-100 tpd-kpi-{status or 'none'}", id=card_id)
