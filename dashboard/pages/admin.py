"""审计与用户 Audit and users: the audit log of the period and the list of users, for administrators.

The audit log (sign-ins, exports, loads, user changes; append-only) shows
the latest entries of the period, newest first, details masked; the users
list each account's role, unit, status and last sign-in. Users are managed
on the command line (`python -m dashboard.users`). No role but the
administrators' opens the page (dashboard.auth.roles lists it for no other
role), and its callbacks and exports refuse everyone else as well. The grids
keep the ids they had on the data page (`data-audit`, `data-users`), and so
their download links.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.auth import audit, roles, store
from dashboard.components.declare import Grid
from dashboard.components.page_kit import Page
from dashboard.exports.tables import Table, with_export_rows
from dashboard.privacy import mask_text
from dashboard.queries import reference
from dashboard.refusals import Forbidden
from dashboard.session import may
from dashboard.text import t
from dashboard.text.auth import EVENTS

dash.register_page(__name__, path="/admin", name="nav.admin", order=7, in_navbar=False,
                   title="审计与用户 · 旅游警务数据看板")

PAGE = "admin"
AUDIT, USERS = "data-audit", "data-users"     # the ids (and download links) they had on the data page

P = Page(__name__, PAGE, default_period="this_month", view_filters=False, pack=False)


def _col(prefix: str, lang: str):
    def col(field, **extra):
        label = t(f"{prefix}.{field}", lang)
        return {"field": field, "headerName": label, "headerTooltip": label, **extra}
    return col


def audit_columns(lang: str) -> list[dict]:
    col = _col("data.audit_col", lang)
    return [col("at", minWidth=175, sort="desc"), col("actor", minWidth=110), col("event", minWidth=110),
            col("target", minWidth=150, tooltipField="target"),
            col("detail", minWidth=280, flex=1, tooltipField="detail"), col("ip", minWidth=110)]


def _detail_text(detail: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(detail.items()) if v not in (None, "", [], {}))


def audit_rows(entries: list[dict], lang: str) -> list[dict]:
    return [{"at": e["at"], "actor": e["actor"] or "—",
             "event": EVENTS[e["event"]][lang == "en"] if e["event"] in EVENTS else e["event"],
             "target": e["target"], "detail": mask_text(_detail_text(e["detail"])), "ip": e["ip"]}
            for e in entries]


def user_columns(lang: str) -> list[dict]:
    col = _col("data.users_col", lang)
    return [col("username", minWidth=90), col("display_name", minWidth=80), col("role", minWidth=80),
            col("status", minWidth=80), col("unit", minWidth=120, tooltipField="unit"),
            col("last_login_at", minWidth=160)]


def user_rows(users: list[dict], names: dict, lang: str) -> list[dict]:
    rows = []
    for u in users:
        status = "disabled" if u["disabled"] else "must_change" if u["must_change"] else "active"
        rows.append({"username": u["username"], "display_name": u["display_name"],
                     "role": roles.label(u["role"], lang),
                     "unit": f"{names.get(u['unit_code'], '')} {u['unit_code']}".strip() if u["unit_code"] else "",
                     "status": t(f"data.users_status.{status}", lang),
                     "last_login_at": audit.local_time(u["last_login_at"]) if u["last_login_at"] else "—"})
    return rows


def _admins_only() -> None:
    if not may("admin"):
        raise Forbidden("只有管理员可以查看审计日志", "only administrators may read the audit log")


def audit_table(ask, limit: int = audit.LIMIT) -> Table:
    _admins_only()
    return Table(audit_columns(ask.lang), audit_rows(audit.entries(ask.view.start, ask.view.end, limit), ask.lang))


def users_table(ask) -> Table:
    _admins_only()
    return Table(user_columns(ask.lang), user_rows(store.list_users(), reference.unit_names(ask.scope), ask.lang))


AUDIT_GRID = Grid(AUDIT, "data.audit", audit_table, height=360, grid_options={"tooltipShowDelay": 200},
                  capped=True)
USERS_GRID = Grid(USERS, "data.users", users_table, height=360)

# Not cached: the audit log changes with every sign-in, and must read as it is.
render_admin = P.render(AUDIT_GRID, USERS_GRID, cached=False)


DELIVERIES = f"{PAGE}-deliveries"


def deliveries_card(lang: str) -> dbc.Card:
    """The subscriptions' deliveries that failed (retried) or were abandoned, newest first, and which
    scheduler holds the lease: what an administrator must look into."""
    _admins_only()
    users = store.users_store()
    lease = users.lease_holder("scheduler")
    state_line = (t("admin.scheduler", lang, holder=lease[0], until=audit.china_time(lease[1]))
                  if lease else t("admin.scheduler_none", lang))
    failed = users.deliveries(("failed", "abandoned"), limit=50)
    body = [html.H2(t("admin.deliveries", lang), className="tpd-card-title"), html.P(state_line, className="tpd-hint")]
    if not failed:
        body.append(html.P(t("admin.deliveries_none", lang), className="text-muted mb-0"))
    else:
        heads = t("admin.deliveries_cols", lang).split(",")
        rows = [html.Tr([html.Td(audit.china_time(d.updated_at)), html.Td(d.state), html.Td(d.kind),
                         html.Td(mask_text(d.recipient)), html.Td(d.scope_key), html.Td(d.period_key),
                         html.Td(d.attempts), html.Td(d.last_error or "")]) for d in failed]
        body.append(html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                                        className="table table-sm"), className="table-responsive"))
    return dbc.Card(dbc.CardBody(body), id=DELIVERIES, className="mt-2")


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    return P.frame(ask, dbc.Row([
        dbc.Col(P.card(AUDIT_GRID, ask, hint=with_export_rows(t("data.audit_hint", lang, limit=audit.LIMIT), lang)),
                       lg=8),
        dbc.Col(P.card(USERS_GRID, ask, hint=t("data.users_hint", lang)), lg=4),
    ], className="g-2"), deliveries_card(lang))
