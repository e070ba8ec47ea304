"""周报 Briefing: the weekly briefing for any period and unit, to read, print and download.

Defaults to the last complete week, under the shared filter bar (the URL
holds the view). The page shows the briefing as it will print: headline
figures with their change against the period before and last year, the
sections in the seed reports' words, the units and scenic areas that lag,
the satisfaction results with n. The buttons download the same briefing as
Word (DOCX) or PDF, or open the print view; those routes rebuild it on the
server from the same query string (dashboard/briefing/routes.py).
"""
from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard.auth import audit
from dashboard.auth.store import users_store
from dashboard.briefing import DEFAULT_PERIOD
from dashboard.briefing.compose import cached_briefing
from dashboard.briefing.model import Cell, Document, Heading, Paragraph, Table
from dashboard.briefing.routes import urls
from dashboard.briefing.text import document
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import view_from_args
from dashboard.delivery.archive import visible
from dashboard.queries import reference
from dashboard.session import current_scope
from dashboard.text import t

dash.register_page(__name__, path="/briefing", name="nav.briefing", order=0.5, title="周报 · 旅游警务数据看板")

log = logging.getLogger(__name__)
PAGE = "briefing"
VIEW = f"{PAGE}-view"
PREVIEW = f"{PAGE}-preview"
DOCX = f"{PAGE}-docx"
PDF = f"{PAGE}-pdf"
PRINT = f"{PAGE}-print"
ARCHIVE = f"{PAGE}-archive"


def _toolbar(view) -> html.Div:
    lang, links = view.lang, urls(view)
    return html.Div([
        html.A(["⬇ ", t("briefing.download_docx", lang)], id=DOCX, href=links["docx"], download="",
               className="btn btn-primary btn-sm"),
        html.A(["⬇ ", t("briefing.download_pdf", lang)], id=PDF, href=links["pdf"], download="",
               className="btn btn-outline-primary btn-sm"),
        html.A(t("briefing.print_view", lang), id=PRINT, href=links["html"], target="_blank",
               rel="noopener", className="btn btn-outline-secondary btn-sm"),
        html.Span(t("briefing.downloads_hint", lang), className="tpd-hint ms-2 mb-0"),
    ], className="tpd-brief-toolbar d-flex flex-wrap align-items-center gap-2 mb-2")


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD)
    return page_frame(
        VIEW, view, scope, t("nav.briefing", view.lang),
        _toolbar(view),
        dcc.Loading(html.Article(id=PREVIEW, className="tpd-brief-sheet"), type="dot", delay_show=300),
        archive_list(scope, view.lang),
    )


def archive_list(scope, lang: str) -> html.Section:
    """历史周报: every 周报 issued for the scopes the user may see, to download as it was sent."""
    entries = visible(users_store(), scope)
    title = html.H2(t("archive.title", lang), className="tpd-card-title")
    if not entries:
        return html.Section([title, html.P(t("archive.none", lang), className="text-muted")], id=ARCHIVE,
                            className="tpd-brief-archive mt-3")
    units, areas = reference.unit_names(scope), reference.area_names(scope)

    def where(e) -> str:
        names = [units.get(e.unit_code, e.unit_code) if e.unit_code else "", areas.get(e.area_code, e.area_code)
                 if e.area_code else ""]
        return " · ".join(n for n in names if n) or t("subs.scope_city", lang)

    rows = [html.Tr([
        html.Td(f"{e.period_start} — {e.period_end}"), html.Td(where(e)),
        html.Td(audit.china_time(e.issued_at)[:16]),
        html.Td(html.A(f"{e.format.upper()} · {'中文' if e.lang == 'zh' else 'English'}",
                       href=f"/briefing/archive/{e.id}", download="")),
    ]) for e in entries]
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("archive.period", "archive.scope", "archive.issued",
                                                               "archive.file")]))
    return html.Section([title, html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm"),
                                         className="table-responsive")],
                        id=ARCHIVE, className="tpd-brief-archive mt-3")



def _cell(c: Cell, tag=html.Td):
    classes = " ".join(x for x in ("num" if c.numeric else "", f"tone-{c.tone}" if c.tone else "") if x)
    return tag(c.text, className=classes or None)


def _table(b: Table) -> html.Figure:
    return html.Figure([
        html.Figcaption(b.caption) if b.caption else None,
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(c) for c in b.columns])),
            html.Tbody([html.Tr([_cell(c) for c in row]) for row in b.rows]),
        ], className="table table-sm tpd-brief-table"), className="table-responsive"),
        html.Div(b.note, className="tpd-brief-tnote") if b.note else None,
    ], className="tpd-brief-figure")


def render_document(doc: Document) -> list:
    """The Document as Dash components, block by block (the print view renders the same blocks)."""
    out = []
    if doc.demo_notice:
        out.append(html.Div(doc.demo_notice, className="tpd-brief-demo"))
    out += [html.H1(doc.title, className="tpd-brief-title"), html.P(doc.subtitle, className="tpd-brief-subtitle"),
            html.Hr(className="tpd-brief-rule")]
    out += [html.P(line, className="tpd-brief-meta") for line in doc.meta]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append((html.H2 if b.level == 1 else html.H3)(b.text, className=f"tpd-brief-h{b.level}"))
        elif isinstance(b, Paragraph):
            out.append(html.P(b.text, className=f"tpd-brief-{b.style}"))
        elif isinstance(b, Table):
            out.append(_table(b))
    return out


@callback(Output(PREVIEW, "children"), Input(VIEW, "data"))
def render_preview(search):
    scope = current_scope()
    view = view_from_store(search, scope, DEFAULT_PERIOD)
    try:
        return render_document(document(cached_briefing(view, scope), view.lang))
    except Exception as exc:  # noqa: BLE001  (shown to the person; the server log has the trace)
        log.exception("briefing preview failed")
        return dbc.Alert(t("briefing.error", view.lang, msg=str(exc)), color="danger")
