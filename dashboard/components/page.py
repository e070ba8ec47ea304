"""The frame of every page: the filter bar, the view the callbacks read, the content.

A page's `layout(**kwargs)` validates the query arguments into a View and
calls `page_frame`; the View travels to callbacks as its query string in the
page's store and is validated again there, because a client can post
anything to a callback.
"""
from __future__ import annotations

from dash import dcc, html

from dashboard.components.exports import pack_menu
from dashboard.components.filter_bar import filter_bar
from dashboard.components.view import args_from_search, view_from_args
from dashboard.queries.filters import Scope
from dashboard.state import View


def page_frame(store_id: str, view: View, scope: Scope, title: str, *children, pack: str | None = None) -> html.Div:
    """`pack`: the page's id, to offer its charts as a publicity pack beside the filters."""
    tools = pack_menu(pack, view) if pack else None
    return html.Div([
        html.H1(title, className="tpd-page-title visually-hidden"),
        filter_bar(view, scope, tools),
        dcc.Store(id=store_id, data=view.query()),
        html.Div(list(children), className="tpd-page-body"),
    ], lang=view.lang)


def view_from_store(search: str | None, scope: Scope, default_period: str = "last_week",
                    extra_allowed: dict | None = None) -> View:
    return view_from_args(args_from_search(search), scope, default_period, extra_allowed)
