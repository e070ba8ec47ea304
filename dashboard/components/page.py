"""The frame of every page: the filter bar, the view the callbacks read, the content.

A page's `layout(**kwargs)` validates the query arguments into a View and
calls `page_frame`; the View travels to callbacks as its query string in the
page's store and is validated again there, strictly, because a client can
post anything to a callback: `view_from_store` is the one place every
callback's view passes through, and it refuses (`InvalidInput`, answered
as a 400 with a bilingual message) whatever the page itself would never
have written there: another type than text, unknown keys, units and
scenic areas outside the user's scope, unknown enum values, periods out of
bounds. Nothing refused reaches SQL; what passes reaches it only as
parameters.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from dash import dcc, html

from dashboard.auth import roles
from dashboard.components.exports import pack_menu
from dashboard.components.filter_bar import filter_bar
from dashboard.components.view import view_from_args
from dashboard.model.filters import Scope
from dashboard.refusals import InvalidInput
from dashboard.session import current_user, may
from dashboard.state import SHARED_KEYS, View
from dashboard.text import t

MAX_SEARCH_LENGTH = 2000
MAX_FIELDS = 20


def page_frame(store_id: str, view: View, scope: Scope, title: str, *children, pack: str | None = None) -> html.Div:
    """`pack`: the page's id, to offer its charts as a publicity pack beside the filters."""
    tools = pack_menu(pack, view) if pack else None
    return html.Div([
        html.H1(title, className="tpd-page-title visually-hidden"),
        filter_bar(view, scope, tools),
        dcc.Store(id=store_id, data=view.query()),
        html.Div(list(children), className="tpd-page-body"),
    ], lang=view.lang)


def record_level_only(lang: str, content):
    """`content` (a record-level table) for roles that may see one; a short note for the others.

    Its callback is refused on the server too (`dashboard.session.record_level`)."""
    if may("records"):
        return content
    user = current_user()
    role = roles.label(user.role, lang) if user else ""
    return html.P(t("auth.records_hidden", lang, role=role), className="tpd-hint tpd-records-hidden")


def _refuse(what: list[str]) -> InvalidInput:
    shown = "、".join(w[:80] for w in what[:5])
    return InvalidInput(f"请求中的筛选条件无效，已拒绝：{shown}", f"invalid filters in the request, refused: {shown}")


def view_from_store(search, scope: Scope, default_period: str = "last_week",
                    extra_allowed: dict | None = None) -> View:
    """The View a callback was sent, or `InvalidInput` for anything the page would not have sent."""
    if search is not None and not isinstance(search, str):
        raise _refuse([f"view={type(search).__name__}"])
    search = search or ""
    if len(search) > MAX_SEARCH_LENGTH:
        raise _refuse([f"view ({len(search)} characters)"])
    try:
        pairs = parse_qsl(search.lstrip("?"), max_num_fields=MAX_FIELDS)
    except ValueError:
        raise _refuse(["view (too many fields)"]) from None
    args = dict(pairs)
    allowed_keys = set(SHARED_KEYS) | set(extra_allowed or {})
    problems = [f"{key}=…" for key in args if key not in allowed_keys]
    problems += [f"{key} (twice)" for key in {k for k, _ in pairs if sum(1 for p, _ in pairs if p == k) > 1}]
    view = view_from_args(args, scope, default_period, extra_allowed)
    problems += list(view.invalid)
    if problems:
        raise _refuse(problems)
    return view
