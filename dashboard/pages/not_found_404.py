"""The answer to an address that is no page of the dashboard, in the reader's language.

Dash Pages shows this module's layout for any unknown path (the module's
name says so). Every signed-in role may see it (`auth.roles.EVERY_ROLE_PAGES`):
it holds no data, only the way back. It is not in the navbar.
"""
from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.text import t

dash.register_page(__name__, path="/404", name="notfound.title", title="404 · 旅游警务数据看板", in_navbar=False)


def layout(lang: str = "zh", **_ignored):
    lang = lang if lang in ("zh", "en") else "zh"
    return html.Section([
        html.P("404", className="tpd-refused-code"),
        html.H1(t("notfound.title", lang), className="tpd-refused-title"),
        html.P(t("notfound.help", lang), className="tpd-refused-help"),
        dcc.Link(t("auth.back_home", lang), href="/" + ("?lang=en" if lang == "en" else ""),
                 className="btn btn-primary btn-sm"),
    ], className="tpd-refused", id="tpd-not-found", lang=lang)
