"""数据管理 Data: what the data clerks loaded, what was refused, what waits in quarantine.

The load log of the period (newest first, status coloured) with its totals;
clicking a batch selects it (`q=<batch_id>` in the URL) and narrows the
per-file results and the quarantine to it. Quarantined rows can be filtered
by file and by reason (the bar chart of reasons filters too), with PII
masked. A freshness table per record type says how current each kind of
data is, against today whatever the period; a short how-to gives the load
command and its exit codes. The period applies to the load log's start
times; the unit, scenic-area and season filters do not apply here and the
page says so. Without a period in the URL the page shows the latest batches
(`q.recent_window`: the last 30 days, at least the latest 20 batches), not
the shared default week or month, which right after a load or on the 1st of
a month would show nothing; that default stays out of the URL, so it does
not follow the person to the other pages. The audit log and the list of users, which admins used
to find here, have their own page (/admin, dashboard/pages/admin.py): admins get a link to it.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from dashboard.clock import today
from dashboard.components.declare import Chart, Drill, Grid, Text
from dashboard.components.exports import table_hrefs
from dashboard.components.filter_bar import dropdown_labels
from dashboard.components.load_tables import (file_columns, file_rows, freshness_columns, freshness_rows,
                                              log_columns, log_rows, quarantine_columns, quarantine_rows,
                                              totals_line)
from dashboard.components.page import view_from_store
from dashboard.components.page_kit import Page
from dashboard.components.view import args_from_search
from dashboard.exports.files import ExportError
from dashboard.exports.tables import Table, with_export_rows
from dashboard.figures.data import quarantine_reasons_figure, reason_label
from dashboard.queries import data as q
from dashboard.queries import reference
from dashboard.session import current_scope, may
from dashboard.text import t

dash.register_page(__name__, path="/data", name="nav.data", order=6, title="数据管理 · 旅游警务数据看板")

PAGE = "data"
DEFAULT_PERIOD = "this_month"
TOTALS, LOG, FILES, FILES_TITLE, FILES_INFO = (f"{PAGE}-{x}" for x in ("totals", "log", "files", "files-title",
                                                                        "files-info"))
Q_TITLE, Q_CHART, Q_FILE, Q_REASON, Q_GRID, Q_NOTE = (f"{PAGE}-quarantine-{x}" for x in (
    "title", "chart", "file", "reason", "grid", "note"))
FRESH = f"{PAGE}-freshness"
QUARANTINE_CHOICES = {"file": (Q_FILE, "value"), "reason": (Q_REASON, "value")}


def allowed(scope) -> dict:
    return {"q": q.batch_ids(scope)}


def default_period_args(scope) -> dict:
    """The page's own period when the URL names none: the latest batches (`q.recent_window`)."""
    start, end = q.recent_window(scope, today())
    return {"period": "custom", "start": start.isoformat(), "end": end.isoformat()}


def _with_default_period(args: dict, scope) -> dict:
    return args if args.get("period") else {**args, **default_period_args(scope)}


def _view(search, scope):
    if not isinstance(search, str) or "period" in args_from_search(search):
        return view_from_store(search, scope, DEFAULT_PERIOD, allowed(scope))
    default = urlencode(default_period_args(scope))
    return view_from_store(f"{search}&{default}" if search.strip("?") else f"?{default}", scope, DEFAULT_PERIOD,
                           allowed(scope))


def is_default_period(view, scope) -> bool:
    return view.period == "custom" and dict(parse_qsl(view.query().lstrip("?"))).items() >= \
        default_period_args(scope).items()


def page_query(view, scope, **changes) -> str:
    """A link within the page: the default period stays implicit, so it does not travel to other pages."""
    query = view.query(**changes)
    if not is_default_period(view, scope):
        return query
    args = {k: v for k, v in parse_qsl(query.lstrip("?")) if k not in ("period", "start", "end")}
    return "?" + urlencode(args)


def _describe(view, scope) -> list[str]:
    batch = view.get("q")
    return [t("data.batch_filter", view.lang, batch=batch)] if batch else []


# Only the period applies on this page: exports say so by naming no unit, area or season.
P = Page(__name__, PAGE, default_period=DEFAULT_PERIOD, allowed=allowed, view_of=_view, describe=_describe,
         choices=lambda view, scope: {"batch": view.get("q")}, view_filters=False, pack=False)
VIEW = P.store


def _ignored_filters(view, scope) -> str:
    lang = view.lang
    parts = []
    if view.unit:
        parts.append(f"{t('filter.unit', lang)}：{reference.unit_names(scope).get(view.unit, view.unit)}")
    if view.area:
        parts.append(f"{t('filter.area', lang)}：{reference.area_names(scope).get(view.area, view.area)}")
    if view.season:
        parts.append(f"{t('filter.season', lang)}：{t(f'season.{view.season}', lang)}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


# ---- what the page shows, and from which queries -------------------------------------------------

def log_table(ask) -> Table:
    rows = log_rows(q.load_log(ask.filters, ask.scope), ask.get("q"), ask.lang)
    return Table(log_columns(ask.lang), rows)


def files_title(ask) -> str:
    selected = ask.get("q")
    return t("data.files_batch", ask.lang, batch=selected) if selected else t("data.files_period", ask.lang)


def files_table(ask) -> Table:
    selected = ask.get("q")
    return Table(file_columns(ask.lang, not selected), file_rows(q.load_files(ask.filters, ask.scope, selected), ask.lang))


def files_info(ask):
    """The selected batch, and the way back to all batches; a warning when it loaded no file."""
    lang, selected = ask.lang, ask.get("q")
    if not selected:
        return None
    info = q.batch(ask.scope, selected) or {}
    status = t(f"data.status.{info.get('status')}", lang) if info.get("status") in q.STATUSES \
        else str(info.get("status"))
    parts = [html.Div([
        html.Span(t("data.batch_selected", lang, batch=selected, status=status, when=info.get("started_at") or "—",
                    user=info.get("user_name") or "—"), className="me-2"),
        dcc.Link(t("data.show_all_batches", lang), href=page_query(ask.view, ask.scope, q=None), className="small"),
    ], className="small mb-1")]
    if q.load_files(ask.filters, ask.scope, selected).empty:
        parts.append(dbc.Alert(t("data.batch_no_files", lang, status=status, message=info.get(f"message_{lang}") or ""),
                               color="warning" if info.get("status") != "failed" else "danger",
                               className="py-1 px-2 small mb-1"))
    return parts


def _counted(label: str, n: int, lang: str) -> str:
    return f"{label}（{n:,}）" if lang == "zh" else f"{label} ({n:,})"


def file_options(ask) -> list[dict]:
    files = q.quarantine_files(ask.filters, ask.scope, ask.get("q"))
    return [{"label": _counted(name, n, ask.lang), "value": path}
            for path, name, n in zip(files["file_path"], files["file"], files["n_rows"])]


def reason_options(ask) -> list[dict]:
    reasons = q.quarantine_reasons(ask.filters, ask.scope, ask.get("q"))
    return [{"label": _counted(reason_label(r, ask.lang), n, ask.lang), "value": r}
            for r, n in zip(reasons["reason"], reasons["n_rows"])]


def quarantine_title(ask) -> str:
    selected = ask.get("q")
    return t("data.quarantine_scope_batch", ask.lang, batch=selected) if selected \
        else t("data.quarantine_scope_period", ask.lang)


def _quarantine_choice(ask, file, reason) -> tuple[str | None, str | None]:
    """The dropdowns (or a link's arguments) are client input: keep a value only if this view offers it."""
    if file and file not in set(q.quarantine_files(ask.filters, ask.scope, ask.get("q"))["file_path"]):
        file = None
    return file, reason if reason in q.REASONS else None


def _quarantine_frame(ask, file, reason, limit: int):
    return q.quarantine_rows(ask.filters, ask.scope, ask.get("q"), file, reason, t("data.masked", ask.lang),
                             limit=limit)


def _quarantine(ask, file, reason) -> tuple[Table, str]:
    lang = ask.lang
    file, reason = _quarantine_choice(ask, file, reason)
    df = _quarantine_frame(ask, file, reason, q.QUARANTINE_LIMIT + 1)
    if len(df) > q.QUARANTINE_LIMIT:
        note = with_export_rows(t("data.limit_note", lang, n=f"{q.QUARANTINE_LIMIT:,}+",
                                  limit=f"{q.QUARANTINE_LIMIT:,}"), lang)
        df = df.head(q.QUARANTINE_LIMIT)
    else:
        note = t("data.shown_note", lang, n=f"{len(df):,}")
    return Table(quarantine_columns(lang), quarantine_rows(df, lang)), note


def quarantine_export(ask, file: str | None = None, reason: str | None = None,
                      limit: int = q.QUARANTINE_LIMIT) -> Table:
    """The grid as a file: a `file` or `reason` this view does not offer is refused (the page's own
    links only carry offered ones), never dropped for the whole table."""
    offered_file, offered_reason = _quarantine_choice(ask, file, reason)
    if file and offered_file != file:
        raise ExportError(400, f"隔离区在所选范围内没有这个文件：{file[:200]}",
                          f"the quarantine of this view has no such file: {file[:200]}")
    if reason and offered_reason != reason:
        raise ExportError(400, f"没有这种隔离原因：{reason[:100]}（可选 {'、'.join(q.REASONS)}）",
                          f"no such quarantine reason: {reason[:100]} (one of {', '.join(q.REASONS)})")
    return Table(quarantine_columns(ask.lang), quarantine_rows(_quarantine_frame(ask, file, reason, limit), ask.lang))


def export_href(fmt: str):
    """The quarantine grid's export links follow its file and reason choices, which are not in the URL."""
    def href(ask) -> str:
        file, reason = _quarantine_choice(ask, ask.get("file"), ask.get("reason"))
        return table_hrefs(Q_GRID, ask.view, file=file, reason=reason)[("csv", "xlsx").index(fmt)]
    return href


LOG_GRID = Grid(LOG, "data.log", log_table, height=260, row_id="batch_id", grid_options={
    "tooltipShowDelay": 200, "rowClassRules": {"tpd-row-selected": "params.data && params.data.selected"}})
FILES_GRID = Grid(FILES, "data.files_period", files_table, title=files_title, height=300)
Q_CHART_ITEM = Chart(Q_CHART, "data.quarantine", lambda f, s, batch: (
    q.quarantine_reasons(f, s, batch), q.quarantine_total(f, s, batch)), args=("batch",), height=260, fit=True,
    figure=lambda d, ask: quarantine_reasons_figure(*d, ask.lang))
Q_ROWS_GRID = Grid(Q_GRID, "data.quarantine_scope_period", lambda ask, file=None, reason=None: _quarantine(
    ask, file, reason)[0], export_table=quarantine_export, capped=True, params=("file", "reason"),
    title=quarantine_title, height=440, grid_options={"tooltipShowDelay": 200})
FRESH_GRID = Grid(FRESH, "data.freshness", lambda ask: Table(freshness_columns(ask.lang), freshness_rows(
    q.freshness(ask.scope, today()), ask.lang)), height=None, grid_options={"domLayout": "autoHeight"})

render_log = P.render(LOG_GRID, Text(TOTALS, lambda ask: totals_line(q.load_totals(ask.filters, ask.scope), ask.lang)))
render_files = P.render(FILES_GRID, Text(FILES_TITLE, files_title), Text(FILES_INFO, files_info))
render_quarantine_summary = P.render(Q_CHART_ITEM, Text(Q_FILE, file_options, prop="options"),
                                     Text(Q_REASON, reason_options, prop="options"), Text(Q_TITLE, quarantine_title))
render_quarantine_rows = P.render(Q_ROWS_GRID, Text(Q_NOTE, lambda ask: _quarantine(
    ask, ask.get("file"), ask.get("reason"))[1]), inputs=QUARANTINE_CHOICES)
quarantine_export_links = P.render(Text(f"{Q_GRID}-export-csv", export_href("csv"), prop="href"),
                                   Text(f"{Q_GRID}-export-xlsx", export_href("xlsx"), prop="href"),
                                   inputs=QUARANTINE_CHOICES, cached=False)
render_freshness = P.render(FRESH_GRID)


def layout(**kwargs):
    scope = current_scope()
    default = not kwargs.get("period")
    ask = P.layout_ask(_with_default_period(kwargs, scope))
    view, lang = ask.view, ask.lang
    ignored = _ignored_filters(view, scope)
    notes = [html.Span("ⓘ ", className="tpd-data-note-icon"), t("data.note_filters", lang)]
    if default:
        notes += [html.Br(), t("data.note_default", lang, days=q.RECENT_DAYS, batches=q.RECENT_BATCHES)]
    if ignored:
        notes += [html.Br(), html.Strong(t("data.ignored_filters", lang, what=ignored))]
    dropdown = {"clearable": True, "labels": dropdown_labels(lang), "className": "tpd-dropdown"}
    row = {"className": "g-2 mb-2"}
    return P.frame(
        ask, html.Div(notes, className="tpd-data-note mb-2"),
        *([dbc.Alert(t("data.note_scope", lang), color="warning", className="py-1 px-2 small")] if scope.unit else []),
        dbc.Row(dbc.Col(P.card(LOG_GRID, ask, html.Div(id=TOTALS, className="tpd-data-totals"),
                               hint=t("data.log_hint", lang))), **row),
        dbc.Row(dbc.Col(P.card(FILES_GRID, ask, html.Div(id=FILES_INFO), html.P(t("data.files_hint", lang),
                                                                               className="tpd-hint"),
                               title="", title_id=FILES_TITLE)), **row),
        # Reasons beside how to fix and reload; the quarantined rows below at full width, so that
        # file names, raw values and messages can be read.
        dbc.Row([
            dbc.Col(P.card(Q_CHART_ITEM, ask, hint=t("data.quarantine_hint", lang)), lg=5),
            dbc.Col(dbc.Card(dbc.CardBody([html.Div(html.H2(t("data.howto", lang), className="tpd-card-title mb-0"),
                                                    className="tpd-card-head"),
                                           dcc.Markdown(t("data.howto_body", lang), className="tpd-data-howto")]),
                             className="h-100"), lg=7),
        ], **row),
        dbc.Row(dbc.Col(P.card(Q_ROWS_GRID, ask, dbc.Row([
            dbc.Col(dcc.Dropdown(id=Q_FILE, placeholder=t("data.filter_file", lang), **dropdown), md=6, lg=5),
            dbc.Col(dcc.Dropdown(id=Q_REASON, placeholder=t("data.filter_reason", lang), **dropdown), md=6, lg=3),
            dbc.Col(html.Div(id=Q_NOTE, className="tpd-hint mb-0"), lg=4, className="align-self-center"),
        ], className="g-2 mb-2"), title="", title_id=Q_TITLE)), **row),
        dbc.Row(dbc.Col(P.card(FRESH_GRID, ask, hint=t("data.freshness_hint", lang, amber=q.STALE_AMBER_DAYS,
                                                       red=q.STALE_RED_DAYS))), **row),
        *([dbc.Alert([t("data.admin_moved", lang), dcc.Link(t("data.admin_open", lang), id=f"{PAGE}-admin-link",
                                                            href="/admin" + page_query(view, scope, q=None))],
                     color="light", className="py-2 px-3 small")] if may("admin") else []),
    )


select_batch = P.drill(Drill(LOG, lambda batch_id, ask: page_query(ask.view, ask.scope, q=batch_id)
                             if batch_id in q.batch_ids(ask.scope) else None, prop="cellClicked"), name="select_batch")


@callback(Output(Q_REASON, "value"), Input(Q_CHART, "clickData"), prevent_initial_call=True)
def reason_from_chart(click):
    """A click on a reason's bar filters the quarantine grid to that reason."""
    points = (click or {}).get("points") or [{}]
    custom = points[0].get("customdata") or []
    reason = custom[0] if custom else None
    return reason if reason in q.REASONS else no_update
