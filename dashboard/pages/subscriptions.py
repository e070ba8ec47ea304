"""订阅 Subscriptions: a user's own standing orders for the 周报 and alerts.

The page lists the signed-in user's subscriptions (scope, kind, when, format,
language, where they go) with a button to end each, and a form to add one:
the 周报 weekly at a weekday and hour of China time (Monday 08:00 by default)
as PDF or DOCX, in Chinese or English, or the alerts of a scope; to an email
address and/or the internal messaging gateway. The scopes offered are those
the user may see; the rules (and their refusals, in both languages) are
`dashboard.delivery.manage`'s, and the scheduler (`python -m dashboard.scheduler`)
sends what is subscribed.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard.auth.store import UserError
from dashboard.delivery import manage, settings
from dashboard.queries import reference
from dashboard.session import may, require_user
from dashboard.text import t

dash.register_page(__name__, path="/subscriptions", name="nav.subscriptions", order=6.5,
                   title="订阅 · 旅游警务数据看板")

PAGE = "subscriptions"
LANG, LIST, MESSAGE = f"{PAGE}-lang", f"{PAGE}-list", f"{PAGE}-message"
KIND, UNIT, AREA, WEEKDAY, HOUR = (f"{PAGE}-{x}" for x in ("kind", "unit", "area", "weekday", "hour"))
FORMAT, SUB_LANG, EMAIL, GATEWAY, WEBHOOK, SUBMIT = (f"{PAGE}-{x}" for x in
                                                    ("format", "sub-lang", "email", "gateway", "webhook", "submit"))
REMOVE, REMOVE_WHICH = f"{PAGE}-remove", f"{PAGE}-remove-which"
REMOVE_ROW = f"{PAGE}-remove-row"


def _where(sub, units: dict, areas: dict, lang: str) -> str:
    names = [units.get(sub.unit_code, sub.unit_code) if sub.unit_code else "",
             areas.get(sub.area_code, sub.area_code) if sub.area_code else ""]
    return " · ".join(n for n in names if n) or t("subs.scope_city", lang)


def subscription_rows(user, lang: str) -> html.Div:
    subs = manage.mine(user)
    if not subs:
        return html.P(t("subs.none", lang), className="text-muted")
    scope = user.scope
    units, areas = reference.unit_names(scope), reference.area_names(scope)
    days = t("subs.weekdays", lang).split(",")
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("subs.kind", "subs.scope", "subs.when", "subs.format",
                                                               "subs.lang", "subs.channels")]))
    rows = []
    for s in subs:
        when = f"{days[s.weekday]} {s.hour:02d}:{s.minute:02d}" if s.kind == "briefing" else t("subs.every_hour", lang)
        to = [x for x in (s.email, t("subs.gateway", lang) if s.webhook_url == "gateway" else s.webhook_url) if x]
        rows.append(html.Tr([
            html.Td(t(f"subs.kind.{s.kind}", lang)), html.Td(_where(s, units, areas, lang)), html.Td(when),
            html.Td(s.format.upper() if s.kind == "briefing" else "—"),
            html.Td("中文" if s.lang == "zh" else "English"), html.Td("；".join(to)),
        ]))
    return html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm align-middle"),
                    className="table-responsive")


def remove_options(user, lang: str) -> list[dict]:
    """Each of the user's subscriptions, to choose the one to end."""
    scope = user.scope
    units, areas = reference.unit_names(scope), reference.area_names(scope)
    return [{"label": f"{t(f'subs.kind.{s.kind}', lang)} · {_where(s, units, areas, lang)} · "
                      f"{s.email or t('subs.gateway', lang)}", "value": s.id} for s in manage.mine(user)]


def _field(label: str, control, width: int = 3) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-1"), control], md=width, className="mb-2")


def form(user, lang: str) -> dbc.Card:
    scope = user.scope
    units = reference.units(scope)
    areas = reference.areas(scope)
    unit_options = ([] if scope.unit else [{"label": t("subs.scope_city", lang), "value": ""}]) + [
        {"label": r.unit_name, "value": r.unit_code} for r in units.itertuples()]
    area_options = [{"label": t("subs.any", lang), "value": ""}] + [
        {"label": r.area_name, "value": r.area_code} for r in areas.itertuples()]
    days = t("subs.weekdays", lang).split(",")
    fields = [
        _field(t("subs.kind", lang), dbc.RadioItems(id=KIND, value="briefing", inline=True, options=[
            {"label": t(f"subs.kind.{k}", lang), "value": k} for k in manage.KINDS])),
        _field(t("subs.unit", lang), dcc.Dropdown(id=UNIT, options=unit_options, clearable=False,
                                                  value=scope.unit or "")),
        _field(t("subs.area", lang), dcc.Dropdown(id=AREA, options=area_options, clearable=False, value=""), 2),
        _field(t("subs.weekday", lang), dcc.Dropdown(id=WEEKDAY, clearable=False, value=0, options=[
            {"label": d, "value": i} for i, d in enumerate(days)]), 2),
        _field(t("subs.hour", lang), dcc.Dropdown(id=HOUR, clearable=False, value=8, options=[
            {"label": f"{h:02d}:00", "value": h} for h in range(24)]), 2),
        _field(t("subs.format", lang), dbc.RadioItems(id=FORMAT, value="pdf", inline=True, options=[
            {"label": f.upper(), "value": f} for f in manage.FORMATS]), 2),
        _field(t("subs.lang", lang), dbc.RadioItems(id=SUB_LANG, value=lang, inline=True, options=[
            {"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}]), 2),
        _field(t("subs.email", lang), dbc.Input(id=EMAIL, type="email", placeholder="name@example.gov.cn"), 4),
        _field(t("subs.channels", lang), dbc.Checkbox(id=GATEWAY, label=t("subs.gateway", lang), value=False,
                                                      disabled=not settings.webhook_url()), 4),
    ]
    if may("admin"):
        fields.append(_field(t("subs.webhook", lang), dbc.Input(id=WEBHOOK, type="url"), 4))
    else:
        fields.append(dcc.Input(id=WEBHOOK, type="hidden", value=""))
    return dbc.Card(dbc.CardBody([
        html.H2(t("subs.add", lang), className="tpd-card-title"),
        dbc.Row(fields, className="g-2"),
        html.Button(t("subs.submit", lang), id=SUBMIT, n_clicks=0, className="btn btn-primary btn-sm"),
    ]), className="mt-3")


def layout(**kwargs):
    user = require_user()
    lang = "en" if kwargs.get("lang") == "en" else "zh"
    return html.Div([
        dcc.Store(id=LANG, data=lang),
        html.H1(t("subs.title", lang), className="h4 mt-2"),
        html.P(t("subs.intro", lang), className="tpd-hint"),
        html.Div(id=MESSAGE),
        html.Div(subscription_rows(user, lang), id=LIST),
        # (With nothing subscribed there is nothing to end: the chooser shows only with a subscription.)
        html.Div([dcc.Dropdown(id=REMOVE_WHICH, options=remove_options(user, lang), style={"minWidth": "320px"},
                               placeholder=t("subs.remove_pick", lang)),
                  html.Button(t("subs.remove", lang), id=REMOVE, n_clicks=0,
                              className="btn btn-sm btn-outline-danger")],
                 id=REMOVE_ROW, hidden=not remove_options(user, lang),
                 className="d-flex flex-wrap align-items-center gap-2"),
        form(user, lang),
    ], className="tpd-subscriptions")


@callback(Output(LIST, "children"), Output(MESSAGE, "children"), Output(REMOVE_WHICH, "options"),
          Output(REMOVE_ROW, "hidden"),
          Input(SUBMIT, "n_clicks"), Input(REMOVE, "n_clicks"),
          State(LANG, "data"), State(KIND, "value"), State(UNIT, "value"), State(AREA, "value"),
          State(WEEKDAY, "value"), State(HOUR, "value"), State(FORMAT, "value"), State(SUB_LANG, "value"),
          State(EMAIL, "value"), State(GATEWAY, "value"), State(WEBHOOK, "value"), State(REMOVE_WHICH, "value"),
          prevent_initial_call=True)
def change(_submit, _remove, lang, kind, unit, area, weekday, hour, fmt, sub_lang, email, gateway, webhook, which):
    user = require_user()
    lang = "en" if lang == "en" else "zh"
    if ctx.triggered_id == REMOVE:
        if which is None:
            raise dash.exceptions.PreventUpdate
        manage.unsubscribe(user, which)
        message = dbc.Alert(t("subs.removed", lang), color="info", duration=4000)
    else:
        try:
            manage.subscribe(user, kind=kind, unit=unit, area=area, weekday=weekday, hour=hour, fmt=fmt,
                             lang=sub_lang, email=email, gateway=bool(gateway), webhook_url=webhook)
        except UserError as error:
            return (dash.no_update, dbc.Alert(error.en if lang == "en" else error.zh, color="danger"), dash.no_update,
                    dash.no_update)
        message = dbc.Alert(t("subs.added", lang), color="success", duration=4000)
    options = remove_options(user, lang)
    return subscription_rows(user, lang), message, options, not options
