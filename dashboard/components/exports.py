"""Export menus for charts, tables and whole pages, and the browser's own download name.

Each menu is a small dropdown of plain links to the server's /download/
routes; every link carries the view's query string, so what downloads is
what the page shows, rebuilt on the server. The links carry what to say
while the file is prepared (`progress`): assets/downloads.js fetches them
and shows 正在生成… until the file arrives, or the server's refusal. A page's layout is built again
whenever its URL changes, so the links always follow the filters. Tables
whose rows also depend on controls outside the URL (the quarantine grid's
file and reason) get their links' `href` updated by the page.
"""
from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import plotly.io.json as plotly_json
from dash import MATCH, Input, Output, State, clientside_callback, dcc, html

from dashboard.exports.presets import FORMATS, PRESETS
from dashboard.exports.routes import chart_href, pack_href, table_href
from dashboard.state import View
from dashboard.text import t
from dashboard.theme import graph_config


def download_name(title: str, view: View) -> str:
    """The name Plotly's camera button saves under: the chart title and the period."""
    joiner = "至" if view.lang == "zh" else "_to_"
    period = view.start.isoformat() if view.start == view.end else f"{view.start.isoformat()}{joiner}{view.end.isoformat()}"
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|').replace(" ", "-")
    return f"{safe}_{period}"


def chart_graph_config(title: str, view: View) -> dict:
    """dcc.Graph config: Plotly's controls in the reader's language; the camera saves a 2× PNG
    named after the chart and the period."""
    return graph_config(view.lang, download_name(title, view))


def progress(lang: str, what: str) -> dict:
    """The data attributes assets/downloads.js shows while the download is prepared, or if it fails."""
    return {"data-busy": t("export.preparing", lang), "data-failed": t("export.failed", lang), "data-what": what}


def chart_menu(chart_id: str, view: View) -> html.Div:
    """导出 ▾: each preset with its PNG, SVG and PDF links, built in the browser when the menu is
    first opened (`lazy_items`)."""
    lang, query = view.lang, view.query()
    items = []
    for key in PRESETS:
        items.append(dbc.DropdownMenuItem(t(f"export.preset.{key}", lang), header=True))
        items.append(html.Div([
            html.A(fmt.upper(), href=chart_href(chart_id, fmt, key, query), download="",
                   title=t(f"export.format.{fmt}", lang), className="btn btn-sm btn-outline-primary tpd-export-link",
                   id=f"{chart_id}-export-{key}-{fmt}",
                   **progress(lang, f"{t(f'export.preset_short.{key}', lang)} {fmt.upper()}"))
            for fmt in FORMATS
        ], className="tpd-export-row"))
    return lazy_items(f"{chart_id}-export", items, label=t("export.menu", lang), size="sm", color="link",
                      align_end=True, class_name="tpd-export-menu", toggle_class_name="tpd-export-toggle")


def lazy_items(menu_id: str, items: list, **menu) -> html.Div:
    """A dropdown whose items are mounted when it is first opened: until then they are data in a
    store, not components. dash-renderer visits every mounted component at each store update of a
    page's first render, and a chart menu's items are fifteen of them.
    The toggle's click (a tap, Enter or Space) bubbles to the wrapper, whose clicks the clientside
    callback below answers with the items, once."""
    key = {"menu": menu_id}
    data = json.loads(plotly_json.to_json_plotly(items))
    return html.Div([
        dbc.DropdownMenu(html.Div(id={"type": "tpd-lazy-items", **key}), id=menu_id, **menu),
        dcc.Store(id={"type": "tpd-lazy-data", **key}, data=data),
    ], id={"type": "tpd-lazy-menu", **key}, n_clicks=0, style={"display": "contents"})


clientside_callback(
    """function (clicks, items, shown) {
        return clicks && !shown ? items : window.dash_clientside.no_update;
    }""",
    Output({"type": "tpd-lazy-items", "menu": MATCH}, "children"),
    Input({"type": "tpd-lazy-menu", "menu": MATCH}, "n_clicks"),
    State({"type": "tpd-lazy-data", "menu": MATCH}, "data"),
    State({"type": "tpd-lazy-items", "menu": MATCH}, "children"),
    prevent_initial_call=True,
)


def table_menu(grid_id: str, view: View, **params) -> dbc.DropdownMenu:
    """导出 ▾: CSV and XLSX of the grid as shown."""
    lang, query = view.lang, view.query()
    items = [html.A(t(f"export.{fmt}", lang), href=table_href(grid_id, fmt, query, **params), download="",
                    className="dropdown-item tpd-export-item", id=f"{grid_id}-export-{fmt}",
                    **progress(lang, t(f"export.{fmt}", lang)))
             for fmt in ("csv", "xlsx")]
    return dbc.DropdownMenu(items, label=t("export.table_menu", lang), size="sm", color="link", align_end=True,
                            class_name="tpd-export-menu", toggle_class_name="tpd-export-toggle",
                            id=f"{grid_id}-export")


def table_hrefs(grid_id: str, view: View, **params) -> tuple[str, str]:
    """The CSV and XLSX links of a grid whose rows depend on controls outside the URL."""
    return tuple(table_href(grid_id, fmt, view.query(), **params) for fmt in ("csv", "xlsx"))


def pack_menu(page: str, view: View) -> dbc.DropdownMenu:
    """宣传素材包 ▾: every chart of the page, sized for one medium, in a zip."""
    lang, query = view.lang, view.query()
    items = [dbc.DropdownMenuItem(t("export.pack_title", lang), header=True)]
    items += [html.A(t(f"export.pack_item.{key}", lang), href=pack_href(page, key, query), download="",
                     className="dropdown-item tpd-export-item", id=f"{page}-pack-{key}",
                     **progress(lang, f"{t('export.pack', lang)} · {t(f'export.pack_item.{key}', lang)}"))
              for key in PRESETS]
    return dbc.DropdownMenu(items, label=t("export.pack", lang), size="sm", color="primary", align_end=True,
                            class_name="tpd-pack-menu", id=f"{page}-pack")


def card_head(title, *tools, title_id: str | None = None) -> html.Div:
    """A card's title with its export menus on the right."""
    heading = title if not isinstance(title, str) else html.H2(
        title, className="tpd-card-title mb-0", **({"id": title_id} if title_id else {}))
    return html.Div([heading, html.Div([tool for tool in tools if tool is not None], className="tpd-export-tools")],
                    className="tpd-card-head")
