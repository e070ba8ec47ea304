"""The shell around every page: navbar from the page registry, user menu, language switch, demo banner.

The navbar lists only the pages the signed-in user's role may open (the
server refuses the others too: `dashboard.auth.guard`), and none registered
with `in_navbar=False` (the 404 page). It keeps to one line at 1440 px in
both languages (tpd.css); the data's as-of time shows from 1400 px up. Below 1200 px (a tablet or a phone)
the brand stays and the rest folds into a menu behind a toggler (phone.css).
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.auth import csrf, roles
from dashboard.auth.roles import page_of_module
from dashboard.components.view import args_from_search
from dashboard.queries import reference
from dashboard.session import current_user, may_open
from dashboard.text import t

NAV = "shell-nav"
LANG = "shell-lang"
BANNER = "shell-banner"
BRAND = "shell-brand"
USER = "shell-user"
SIGNOUT = "shell-signout"
TOGGLER = "shell-toggler"     # below 1200 px the navigation folds into a menu behind this button
MENU = "shell-menu"


SHARED_KEYS = ("period", "start", "end", "unit", "area", "season", "lang")


def nav_items(pathname: str | None, search: str | None) -> list:
    """Links to every page, carrying the shared filters (not one page's own choices)."""
    from urllib.parse import urlencode

    args = args_from_search(search)
    lang = args.get("lang", "zh")
    shared = {k: v for k, v in args.items() if k in SHARED_KEYS}
    query = "?" + urlencode(shared) if shared else ""
    items = []
    for page in dash.page_registry.values():
        if not page.get("in_navbar", True) or not may_open(page_of_module(page["module"]) or ""):
            continue
        active = (pathname or "/") == page["path"]
        items.append(dbc.NavItem(dbc.NavLink(
            t(page["name"], lang), href=page["path"] + query, active=active,
            className="tpd-navlink",
        )))
    return items


def lang_href(pathname: str | None, search: str | None) -> str:
    from urllib.parse import urlencode
    args = args_from_search(search)
    if args.get("lang") == "en":
        args.pop("lang")
    else:
        args["lang"] = "en"
    return (pathname or "/") + ("?" + urlencode(args) if args else "")


def shell(page_container) -> html.Div:
    demo = _is_demo()
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand(t("app.title"), id=BRAND, href="/", className="tpd-brand"),
            dbc.NavbarToggler(id=TOGGLER, className="tpd-nav-toggler"),
            dbc.Collapse([
                dbc.Nav(nav_items("/", ""), id=NAV, className="me-auto", navbar=True),
                html.Span(id="shell-asof", className="text-white-50 small me-3 d-none d-xxl-inline"),
                user_menu(),
                dcc.Link(t("app.switch_lang"), id=LANG, href="?lang=en", className="btn btn-sm btn-outline-light"),
            ], id=MENU, navbar=True, is_open=False, className="tpd-nav-menu"),
        ], fluid=True), color="#1f4e8c", dark=True, expand="xl", className="tpd-navbar py-1"),
        html.Div(t("app.demo_banner"), id=BANNER, className="tpd-demo-banner", hidden=not demo),
        dbc.Container(page_container, fluid=True, className="tpd-main"),
    ])


# The menu opens on the toggler and closes when the page changes (assets/phone.js).
clientside_callback(ClientsideFunction("tpd", "menu"), Output(MENU, "is_open"),
                    Input(TOGGLER, "n_clicks"), Input("url", "pathname"), State(MENU, "is_open"),
                    prevent_initial_call=True)


def user_menu() -> html.Form | None:
    """Who is signed in, and the sign-out button (a POST carrying the CSRF token)."""
    user = current_user()
    if user is None:
        return None
    return html.Form([
        html.Span(user_label(user, "zh"), id=USER, className="tpd-user-name"),
        dcc.Input(type="hidden", name=csrf.FIELD, value=csrf.token()),
        html.Button(t("auth.signout", "zh"), id=SIGNOUT, type="submit", className="btn btn-sm btn-outline-light"),
    ], action="/logout", method="POST", className="tpd-user-menu")


def user_label(user, lang: str) -> str:
    if user is None:
        return ""
    return t("auth.user_menu", lang, name=user.display_name or user.username, role=roles.label(user.role, lang))


def _is_demo() -> bool:
    try:
        return reference.is_demo()
    except Exception:  # no warehouse yet: the page itself says so
        return False


@callback(
    Output(NAV, "children"), Output(LANG, "href"), Output(LANG, "children"), Output(BRAND, "children"),
    Output(BRAND, "href"),
    Output(BANNER, "children"), Output("shell-asof", "children"), Output(USER, "children"),
    Output(SIGNOUT, "children"),
    Input("url", "pathname"), Input("url", "search"),
)
def update_shell(pathname, search):
    lang = args_from_search(search).get("lang", "zh")
    lang = lang if lang in ("zh", "en") else "zh"
    try:
        when = reference.as_of()
        asof = t("app.as_of", lang, when=when.strftime("%Y-%m-%d %H:%M")) if when else ""
    except Exception:
        asof = ""
    return (nav_items(pathname, search), lang_href(pathname, search), t("app.switch_lang", lang),
            t("app.title", lang), "/" + ("?lang=en" if lang == "en" else ""), t("app.demo_banner", lang), asof,
            user_label(current_user(), lang), t("auth.signout", lang))
