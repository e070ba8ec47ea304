"""The shared filter bar and drill path, with the URL as the only state.

Every page puts `filter_bar(view, scope)` on top. A change of any control
rewrites the query string of the shell's `dcc.Location` (refresh
"callback-nav"), and the page renders again from the new URL: so the
address bar always reproduces the view, and back/forward walk through it.
A control's callback writes the new query string to the bar's own store
(`NEXT_SEARCH`), which the browser hands on to the URL (`to_url` below).
The breadcrumb (全市 › 分局 › 派出所 › 景区) is the drill path: each step is a
link one level up. For a unit user the top of the path, like the unit
filter's placeholder, is their own unit, never 全市: their figures are
their subtree's. The date picker's month and weekday names come from
assets/datefns-locale-zh-cn.js in the Chinese UI. Below 768 px (a phone) the controls fold into
a drawer (Bootstrap's offcanvas-md: the same controls, in the bar from 768 px up) that the
summary line, the view in words, opens (assets/phone.js).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from dashboard.components.view import args_from_search
from dashboard.model.filters import SEASONS, Scope
from dashboard.model.periods import PRESETS
from dashboard.queries import reference
from dashboard.session import scope_label
from dashboard.state import View
from dashboard.text import t

URL = "url"
NEXT_SEARCH = "url-next"            # the query string a control of the page asks for, on its way to URL
PERIOD = "filter-period"
DATES = "filter-dates"
UNIT = "filter-unit"
AREA = "filter-area"
SEASON = "filter-season"
RESET = "filter-reset"
SUMMARY = "filter-summary"          # on a phone: the view in one line, a tap opens the drawer
DRAWER = "filter-drawer"            # the controls: in the bar from 768 px up, a drawer below
DRAWER_CLOSE = "filter-drawer-close"
BACKDROP = "filter-backdrop"
DRAWER_CLASS = "offcanvas-md offcanvas-bottom tpd-filter-drawer"


INDENT = " " * 4    # one level of the unit tree: about one Chinese character wide


def unit_options(scope: Scope, lang: str) -> list[dict]:
    """The unit tree, indented by depth below the top of the scope. The indent is plain spaces,
    which the option list keeps (tpd.css: white-space: pre) and the chosen value, like any
    line of text, drops: it shows the bare name."""
    df = reference.units(scope)
    top = int(df.depth.min()) if not df.empty else 0
    return [{"label": INDENT * (int(d) - top) + name, "value": code, "search": name}
            for code, name, d in zip(df.unit_code, df.unit_name, df.depth)]


def dropdown_labels(lang: str) -> dict:
    """dcc.Dropdown's own words (its search box, clear buttons …) in the UI language."""
    return {key: t(f"dropdown.{key}", lang) for key in
            ("search", "clear_search", "clear_selection", "no_options_found", "select_all", "deselect_all",
             "selected_count")}


def area_options(scope: Scope, unit: str | None) -> list[dict]:
    df = reference.areas(scope, unit)
    return [{"label": f"{name}（{grade}）" if grade else name, "value": code}
            for code, name, grade in zip(df.area_code, df.area_name, df.grade)]


def breadcrumb(view: View, scope: Scope) -> html.Nav:
    names = reference.unit_names(scope)
    # The top of the user's scope: 全市, or a unit user's own unit (named once, not again below).
    steps = [(scope_label(scope, view.lang), view.query(unit=None, area=None))]
    for code in reference.ancestors(view.unit, scope):
        if code == scope.unit or (scope.unit and code not in names):
            continue
        steps.append((names.get(code, code), view.query(unit=code, area=None)))
    if view.area:
        steps.append((reference.area_names(scope).get(view.area, view.area), view.query()))
    items = []
    for i, (label, query) in enumerate(steps):
        last = i == len(steps) - 1
        items.append(html.Li(label if last else dcc.Link(label, href=query),
                             className="breadcrumb-item" + (" active" if last else "")))
    return html.Nav(html.Ol(items, className="breadcrumb mb-0 small"), **{"aria-label": "drill path"})


def filter_bar(view: View, scope: Scope, tools=None) -> html.Div:
    """The controls, the drill path and the period; `tools` (the page's export menu) at the right."""
    lang = view.lang
    period_options = [{"label": t(f"period.{p}", lang), "value": p} for p in PRESETS]
    season_options = [{"label": t(f"season.{s}", lang), "value": s} for s in SEASONS]
    return html.Div([
        summary_button(view, scope),
        html.Div([
            html.Div([
                html.Span(t("filter.drawer_title", lang), className="tpd-drawer-title"),
                html.Button("×", id=DRAWER_CLOSE, type="button", className="btn-close-text",
                            **{"aria-label": t("filter.drawer_close", lang)}),
            ], className="tpd-drawer-head d-md-none"),
            dbc.Row([
                dbc.Col(dbc.Select(id=PERIOD, options=period_options, value=view.period,
                                   size="sm", name="period"), xs=12, md=3, lg=2),
                dbc.Col(dcc.DatePickerRange(
                    id=DATES, start_date=view.start, end_date=view.end, display_format="YYYY-MM-DD",
                    month_format=t("filter.month_format", lang), first_day_of_week=1, minimum_nights=0,
                    className="tpd-dates", start_date_placeholder_text=t("filter.custom_range", lang),
                ), xs=12, md=5, lg=3),
                dbc.Col(dcc.Dropdown(id=UNIT, options=unit_options(scope, lang), value=view.unit,
                                     placeholder=scope_label(scope, lang), clearable=True,
                                     labels=dropdown_labels(lang), optionHeight=30,
                                     className="tpd-dropdown"), xs=12, md=4, lg=2),
                dbc.Col(dcc.Dropdown(id=AREA, options=area_options(scope, view.unit), value=view.area,
                                     placeholder=t("filter.all_areas", lang), clearable=True,
                                     labels=dropdown_labels(lang), className="tpd-dropdown"), xs=12, md=4, lg=2),
                dbc.Col(dbc.Select(id=SEASON, options=[{"label": t("filter.all_seasons", lang), "value": "all"}]
                                   + season_options, value=view.season or "all", size="sm",
                                   name="season"), xs=12, md=3, lg=2),
                dbc.Col(dbc.Button(t("filter.reset", lang), id=RESET, size="sm", color="link",
                                   className="px-0"), xs=12, md=1, className="text-md-end"),
            ], className="g-2 align-items-center"),
        ], id=DRAWER, className=DRAWER_CLASS, role="dialog", **{"aria-label": t("filter.drawer_title", lang)}),
        html.Div(id=BACKDROP, className="tpd-filter-backdrop"),
        html.Div([
            breadcrumb(view, scope),
            html.Span(_period_text(view), className="text-muted small ms-auto d-none d-md-inline"),
            *([html.Div(tools, className="ms-3")] if tools is not None else []),
        ], className="d-flex align-items-center mt-2"),
        *([dbc.Alert(t("filter.invalid", lang, what="、".join(view.invalid)), color="warning",
                     className="py-1 px-2 small mt-2 mb-0")] if view.invalid else []),
        dcc.Store(id=NEXT_SEARCH),
    ], className="tpd-filter-bar")


def summary_parts(view: View, scope: Scope) -> list[str]:
    """The view in words, for the phone's one-line summary: period and its days, unit, area, season."""
    lang = view.lang
    parts = [t(f"period.{view.period}", lang), _period_text(view)]
    parts.append(reference.unit_names(scope).get(view.unit, view.unit) if view.unit else scope_label(scope, lang))
    if view.area:
        parts.append(reference.area_names(scope).get(view.area, view.area))
    if view.season:
        parts.append(t(f"season.{view.season}", lang))
    return parts


def summary_button(view: View, scope: Scope) -> html.Button:
    """On a phone the filters read as one line; a tap opens the drawer that changes them."""
    parts = summary_parts(view, scope)
    return html.Button([
        html.Span([html.Strong(parts[0]), html.Span(" · ".join(parts[1:]), className="tpd-summary-rest")],
                  className="tpd-summary-text"),
        html.Span(t("filter.change", view.lang), className="tpd-summary-action"),
    ], id=SUMMARY, type="button", className="tpd-filter-summary d-md-none",
        **{"aria-controls": DRAWER, "aria-label": t("filter.drawer_title", view.lang) + "：" + " · ".join(parts)})


def _period_text(view: View) -> str:
    text = t("period.range", view.lang, start=view.start.isoformat(), end=view.end.isoformat())
    return text + (t("period.partial", view.lang) if view.period.startswith("this_") else "")


def next_query(search: str | None, trigger: str | None, period, start, end, unit, area, season) -> str | None:
    """The query string after one control changed; None when nothing changes."""
    args = args_from_search(search)
    keep = {k: v for k, v in args.items() if k == "lang"}
    if trigger == RESET:
        return "?" + "&".join(f"{k}={v}" for k, v in keep.items()) if keep else "?"
    if trigger == PERIOD:
        args["period"] = period
        if period == "custom":
            args.update(start=str(start)[:10], end=str(end)[:10])
    elif trigger == DATES:
        if not start or not end:
            return None
        args.update(period="custom", start=str(start)[:10], end=str(end)[:10])
    elif trigger == UNIT:
        args["unit"] = unit
        args.pop("area", None)
    elif trigger == AREA:
        args["area"] = area
    elif trigger == SEASON:
        args["season"] = None if season == "all" else season
    else:
        return None
    if args.get("period") != "custom":
        args.pop("start", None), args.pop("end", None)
    from urllib.parse import urlencode
    query = "?" + urlencode({k: v for k, v in args.items() if v not in (None, "")})
    return None if query == (search or "?") else query


def to_url(*inputs, **kwargs):
    """A page's callback that rewrites the URL: its query string (or no_update) goes to NEXT_SEARCH.

    Dash calls a callback whose inputs come with the page it inserts and whose output lies outside
    that page (the shell's URL) at every insertion, whatever its `prevent_initial_call` says: each
    such callback cost a request at a page's first render that changed nothing. With the output on
    the page, `prevent_initial_call` holds; the clientside callback below hands it on to the URL."""
    return callback(Output(NEXT_SEARCH, "data", allow_duplicate=True), *inputs,
                    prevent_initial_call=True, **kwargs)


# The relay: called at the page's insertion too (its input is on the page, the URL is not), but in the
# browser, without a request; it writes the URL only when the value differs from it.
clientside_callback(
    """function (next, search) {
        return next && next !== search ? next : window.dash_clientside.no_update;
    }""",
    Output(URL, "search"), Input(NEXT_SEARCH, "data"), State(URL, "search"),
    prevent_initial_call=True,
)


@to_url(
    Input(PERIOD, "value"), Input(DATES, "start_date"), Input(DATES, "end_date"),
    Input(UNIT, "value"), Input(AREA, "value"), Input(SEASON, "value"), Input(RESET, "n_clicks"),
    State(URL, "search"),
)
def filters_to_url(period, start, end, unit, area, season, _reset, search):
    # Several controls "changing" at once is the page setting them, no choice of the person's: the
    # URL stays as they wrote it (a page's own default period stays implicit).
    if len({item["prop_id"].split(".")[0] for item in ctx.triggered}) > 1:
        return no_update
    trigger = ctx.triggered_id
    if trigger == DATES and ctx.triggered and ctx.triggered[0]["prop_id"].endswith("start_date"):
        return no_update  # wait for the end date
    query = next_query(search, trigger, period, start, end, unit, area, season)
    return no_update if query is None else query


# The drawer opens on the summary's tap and closes on its ×, a tap beside it, or a change of the
# view (the page, the bar with it, is laid out again from the new URL): assets/phone.js.
clientside_callback(
    ClientsideFunction("tpd", "drawer"),
    Output(DRAWER, "className"), Output(BACKDROP, "className"),
    Input(SUMMARY, "n_clicks"), Input(DRAWER_CLOSE, "n_clicks"), Input(BACKDROP, "n_clicks"),
    prevent_initial_call=True,
)
