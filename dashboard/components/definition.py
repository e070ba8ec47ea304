"""A figure's 口径 behind its ⓘ: what it counts, from which records, over which dates, and n.

Every KPI card of a catalog figure carries one (dashboard.components.kpi):
a tap or click on the card's head opens a popover (trigger "legacy": a tap
elsewhere closes it) worded from the metrics catalog (dashboard/model/catalog.py:
the figure's source, whether it is a flow dated by a column or a stock on
the period's last day) and the text catalog (`def.*`, zh and en), with the
view's dates and the n of the figure shown. Below it, a link to the page
whose records it counts, with the same filters: to the record table where
the user's role may see records (the server refuses the table otherwise
too) and the page where it has one, or to the page; none where the role
may not open that page.
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.view import args_from_search
from dashboard.model.catalog import BY_ID, MEDIATION_PAGE_METRICS, SOURCES, Metric, Ratio
from dashboard.session import may, may_open
from dashboard.state import SHARED_KEYS, View
from dashboard.text import t

# The page that shows a source's figures, and the id of its record-level table if it has one.
SOURCE_PAGE = {
    "officers": "staffing", "posts": "staffing", "teams": "staffing", "deployments": "staffing",
    "incidents": "incidents", "enforcement": "incidents", "services": "incidents", "visitors": "incidents",
    "mediations": "mediation", "surveys": "satisfaction", "nominations": "nominations", "votes": "nominations",
}
RECORD_TABLE = {"incidents": "incidents-records", "mediations": "mediation-records",
                "surveys": "satisfaction-comments"}


def metric_of(metric_id: str) -> Metric | Ratio | None:
    return BY_ID.get(metric_id) or MEDIATION_PAGE_METRICS.get(metric_id)


def sources_of(m: Metric | Ratio) -> list[str]:
    if isinstance(m, Ratio):
        return [BY_ID[m.numerator].source, BY_ID[m.denominator].source]
    return [m.source]


def dates_line(sources: list[str], view: View | None, lang: str) -> str | None:
    if view is None:
        return None
    start, end = view.start.isoformat(), view.end.isoformat()
    if all(SOURCES[s].is_stock for s in sources):
        return t("def.stock_dates", lang, end=end)
    dates = "、" if lang == "zh" else ", "
    columns = dates.join(t("def.date." + SOURCES[s].date_expr.removeprefix("r."), lang)
                         for s in sources if not SOURCES[s].is_stock)
    return t("def.flow_dates", lang, start=start, end=end, date=columns)


def n_line(m: Metric | Ratio, n, lang: str) -> str | None:
    if n is not None:
        return t("def.n_value", lang, n=f"{int(n):,}")
    if isinstance(m, Metric) and m.fmt == "count":
        return t("def.n_is_value" if m.expr.startswith("count(") else "def.n_summed", lang)
    return None


def records_link(sources: list[str], view: View | None, lang: str):
    """The page whose records the figure counts, with the view's shared filters; None where the role
    may not open it."""
    page = SOURCE_PAGE.get(sources[0])
    if page is None or view is None or not may_open(page):
        return None
    shared = {k: v for k, v in args_from_search(view.query()).items() if k in SHARED_KEYS}
    href = f"/{page}" + ("?" + urlencode(shared) if shared else "")
    name = t(f"nav.{page}", lang)
    table = RECORD_TABLE.get(sources[0])
    if table and may("records"):
        return dcc.Link(t("def.records_link", lang, page=name), href=href + "#" + table, className="tpd-def-link")
    return dcc.Link(t("def.page_link", lang, page=name), href=href, className="tpd-def-link")


def definition_lines(metric_id: str, n, view: View | None, lang: str) -> list[tuple[str, str]]:
    """(heading, text) of the figure's 口径, in the reader's language."""
    m = metric_of(metric_id)
    sources = sources_of(m)
    lines = [(t("def.counts", lang), t(f"def.{metric_id}", lang)),
             (t("def.records", lang), ("、" if lang == "zh" else "; ").join(
                 dict.fromkeys(t(f"def.source.{s}", lang) for s in sources)))]
    dates = dates_line(sources, view, lang)
    if dates:
        lines.append((t("def.dates", lang), dates))
    count = n_line(m, n, lang)
    if count:
        lines.append((t("def.n", lang), count))
    return lines


def definition_popover(metric_id: str, label: str, n, view: View | None, lang: str, target: str) -> dbc.Popover:
    """The popover of `target` (the card's head) for a catalog figure."""
    m = metric_of(metric_id)
    body = [html.Dl([part for head, text in definition_lines(metric_id, n, view, lang)
                     for part in (html.Dt(head), html.Dd(text))], className="tpd-def-list mb-1")]
    link = records_link(sources_of(m), view, lang)
    if link is not None:
        body.append(link)
    return dbc.Popover([dbc.PopoverHeader(t("def.info_label", lang, label=label)), dbc.PopoverBody(body)],
                       target=target, trigger="legacy", placement="bottom", id=f"{target}-def",
                       className="tpd-def")


def info_button(card_id: str, label: str, lang: str) -> html.Button:
    return html.Button("ⓘ", id=f"{card_id}-info", type="button", className="tpd-kpi-info",
                       title=t("def.info", lang), **{"aria-label": t("def.info_label", lang, label=label)})
