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
not follow the person to the other pages. Admins also see the audit log of the period (sign-ins,
exports, loads, user changes; append-only) and the list of users.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.auth import audit, roles, store
from dashboard.clock import today
from dashboard.components.cached import cached_output
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_hrefs, table_menu
from dashboard.components.filter_bar import URL, dropdown_labels
from dashboard.components.grid import grid
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import args_from_search, view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.files import ExportError
from dashboard.exports.tables import Table, with_export_rows
from dashboard.figures.data import quarantine_reasons_figure, reason_label
from dashboard.privacy import mask_text
from dashboard.queries import data as q
from dashboard.queries import reference
from dashboard.refusals import Forbidden
from dashboard.session import current_scope, may
from dashboard.text import t
from dashboard.text.auth import EVENTS
from warehouse.record_types import BY_NAME

dash.register_page(__name__, path="/data", name="nav.data", order=6, title="数据管理 · 旅游警务数据看板")

PAGE = "data"
VIEW = f"{PAGE}-view"
TOTALS = f"{PAGE}-totals"
LOG = f"{PAGE}-log"
FILES = f"{PAGE}-files"
FILES_TITLE = f"{PAGE}-files-title"
FILES_INFO = f"{PAGE}-files-info"
Q_TITLE = f"{PAGE}-quarantine-title"
Q_CHART = f"{PAGE}-quarantine-chart"
Q_FILE = f"{PAGE}-quarantine-file"
Q_REASON = f"{PAGE}-quarantine-reason"
Q_GRID = f"{PAGE}-quarantine-grid"
Q_NOTE = f"{PAGE}-quarantine-note"
FRESH = f"{PAGE}-freshness"
AUDIT = f"{PAGE}-audit"
USERS = f"{PAGE}-users"
DEFAULT_PERIOD = "this_month"

COUNT_FMT = {"function": "params.value == null ? '—' : d3.format(',')(params.value)"}
STATUS_CLASSES = {f"tpd-status tpd-status-{s}": f"params.data && params.data.status == '{s}'" for s in q.STATUSES}


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
EXPORTS = page_exports(PAGE, _view, describe=_describe, view_filters=False)


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


def _auto_height(g):
    """A grid as tall as its rows (the shared builder fixes a height): for short, fixed-length tables."""
    g.style = {"width": "100%"}
    return g


def _card(title, *body, title_id: str | None = None, tools=None) -> dbc.Card:
    heading = card_head(title, tools, title_id=title_id)
    return dbc.Card(dbc.CardBody([heading, *body]), className="h-100")


def layout(**kwargs):
    scope = current_scope()
    default = not kwargs.get("period")
    view = view_from_args(_with_default_period(kwargs, scope), scope, DEFAULT_PERIOD, allowed(scope))
    lang = view.lang
    ignored = _ignored_filters(view, scope)
    notes = [html.Span("ⓘ ", className="tpd-data-note-icon"), t("data.note_filters", lang)]
    if default:
        notes += [html.Br(), t("data.note_default", lang, days=q.RECENT_DAYS, batches=q.RECENT_BATCHES)]
    if ignored:
        notes += [html.Br(), html.Strong(t("data.ignored_filters", lang, what=ignored))]
    return page_frame(
        VIEW, view, scope, t("nav.data", lang),
        html.Div(notes, className="tpd-data-note mb-2"),
        *([dbc.Alert(t("data.note_scope", lang), color="warning", className="py-1 px-2 small")]
          if scope.unit else []),
        dbc.Row(dbc.Col(_card(
            t("data.log", lang),
            html.P(t("data.log_hint", lang), className="tpd-hint"),
            html.Div(id=TOTALS, className="tpd-data-totals"),
            grid(LOG, [], [], lang, height=260, row_id="batch_id", tooltipShowDelay=200,
                 rowClassRules={"tpd-row-selected": "params.data && params.data.selected"}),
            tools=table_menu(LOG, view),
        )), className="g-2 mb-2"),
        dbc.Row(dbc.Col(_card(
            "", html.Div(id=FILES_INFO),
            html.P(t("data.files_hint", lang), className="tpd-hint"),
            grid(FILES, [], [], lang, height=300),
            title_id=FILES_TITLE, tools=table_menu(FILES, view),
        )), className="g-2 mb-2"),
        # Reasons beside how to fix and reload; the quarantined rows below at full width, so that
        # file names, raw values and messages can be read.
        dbc.Row([
            dbc.Col(_card(
                t("data.quarantine", lang),
                html.P(t("data.quarantine_hint", lang), className="tpd-hint"),
                dcc.Graph(id=Q_CHART, config=chart_graph_config(t("data.quarantine", lang), view),
                          style={"height": "260px"}),
                tools=chart_menu(Q_CHART, view),
            ), lg=5),
            dbc.Col(_card(
                t("data.howto", lang),
                dcc.Markdown(t("data.howto_body", lang), className="tpd-data-howto"),
            ), lg=7),
        ], className="g-2 mb-2"),
        dbc.Row(dbc.Col(_card(
            "",
            dbc.Row([
                dbc.Col(dcc.Dropdown(id=Q_FILE, placeholder=t("data.filter_file", lang), clearable=True,
                                     labels=dropdown_labels(lang), className="tpd-dropdown"), md=6, lg=5),
                dbc.Col(dcc.Dropdown(id=Q_REASON, placeholder=t("data.filter_reason", lang), clearable=True,
                                     labels=dropdown_labels(lang), className="tpd-dropdown"), md=6, lg=3),
                dbc.Col(html.Div(id=Q_NOTE, className="tpd-hint mb-0"), lg=4, className="align-self-center"),
            ], className="g-2 mb-2"),
            grid(Q_GRID, [], [], lang, height=440, tooltipShowDelay=200),
            title_id=Q_TITLE, tools=table_menu(Q_GRID, view),
        )), className="g-2 mb-2"),
        dbc.Row(dbc.Col(_card(
            t("data.freshness", lang),
            html.P(t("data.freshness_hint", lang, amber=q.STALE_AMBER_DAYS, red=q.STALE_RED_DAYS),
                   className="tpd-hint"),
            _auto_height(grid(FRESH, [], [], lang, domLayout="autoHeight")),
            tools=table_menu(FRESH, view),
        )), className="g-2 mb-2"),
        *([dbc.Row([
            dbc.Col(_card(
                t("data.audit", lang),
                html.P(with_export_rows(t("data.audit_hint", lang, limit=audit.LIMIT), lang), className="tpd-hint"),
                grid(AUDIT, [], [], lang, height=360, tooltipShowDelay=200),
                tools=table_menu(AUDIT, view),
            ), lg=8),
            dbc.Col(_card(
                t("data.users", lang),
                html.P(t("data.users_hint", lang), className="tpd-hint"),
                grid(USERS, [], [], lang, height=360),
                tools=table_menu(USERS, view),
            ), lg=4),
        ], className="g-2")] if may("admin") else []),
    )


# ---- column definitions and row labels (display only) ---------------------------------------

def _count_col(field: str, lang: str, **extra) -> dict:
    return {"field": field, "headerName": t(f"data.col.{field}", lang), "headerTooltip": t(f"data.col.{field}", lang),
            "type": "numericColumn",
            "valueFormatter": COUNT_FMT, "filter": False, "minWidth": 104, **extra}


def _text_col(field: str, lang: str, header: str | None = None, **extra) -> dict:
    label = t(f"data.col.{header or field}", lang)
    return {"field": field, "headerName": label, "headerTooltip": label, **extra}


def type_label(name: str | None, lang: str) -> str:
    if name is None:
        return ""
    rt = BY_NAME.get(name)
    return name if rt is None or lang == "en" else rt.zh


def column_label(record_type: str | None, column: str | None, lang: str) -> str:
    """The header a clerk sees in the file: Chinese in the Chinese UI, the English name otherwise."""
    if not column:
        return "—"
    rt = BY_NAME.get(record_type or "")
    if rt is None or lang == "en":
        return column
    try:
        return rt.column(column).zh
    except KeyError:
        return column


def _records(df) -> list[dict]:
    return [] if df.empty else df.astype(object).where(df.notna(), None).to_dict("records")


def log_columns(lang: str) -> list[dict]:
    return [
        _text_col("batch_id", lang, pinned="left", minWidth=215, cellClass="tpd-drill-cell"),
        _text_col("started_at", lang, minWidth=165, sort="desc"),
        _text_col("user_name", lang, "user", minWidth=96),
        _text_col("status_label", lang, "status", minWidth=112, cellClassRules=STATUS_CLASSES),
        _count_col("files", lang),
        _count_col("rows", lang),
        _count_col("loaded", lang),
        _count_col("updated", lang),
        _count_col("unchanged", lang),
        _count_col("quarantined", lang, minWidth=120, cellClassRules={"tpd-has-quarantine": "params.value > 0"}),
        _text_col("message", lang, minWidth=200, tooltipField="message",
                  valueFormatter={"function": "params.value == null ? '' : params.value"}),
        {"field": "seconds", "headerName": t("data.col.seconds", lang), "type": "numericColumn",
         "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value)"},
         "minWidth": 112},
        _text_col("host", lang, minWidth=90),
    ]


def log_rows(df, selected: str | None, lang: str) -> list[dict]:
    rows = _records(df)
    for row in rows:
        row["status_label"] = t(f"data.status.{row['status']}", lang) if row["status"] in q.STATUSES \
            else row["status"]
        row["selected"] = row["batch_id"] == selected
        row["message"] = row[f"message_{lang}"]
    return rows


def totals_line(totals: dict, lang: str):
    if not totals["batches"]:
        return html.P(t("data.no_batches", lang), className="text-muted small mb-1")
    sep = "、" if lang == "zh" else ", "
    statuses = sep.join(f"{t(f'data.status.{s}', lang)} {totals[s]}" for s in q.STATUSES if totals[s])
    return html.P(t("data.totals", lang, batches=f"{totals['batches']:,}", statuses=statuses,
                    **{k: f"{totals[k]:,}" for k in ("rows", "loaded", "updated", "unchanged", "quarantined")}),
                  className="small mb-1")


def file_columns(lang: str, with_batch: bool) -> list[dict]:
    cols = [_text_col("batch_id", lang, minWidth=215)] if with_batch else []
    return cols + [
        _text_col("file", lang, pinned="left", minWidth=220, tooltipField="file_path"),
        _text_col("type_label", lang, "record_type", minWidth=110),
        _count_col("rows", lang),
        _count_col("loaded", lang),
        _count_col("updated", lang),
        _count_col("unchanged", lang),
        _count_col("quarantined", lang, minWidth=120, cellClassRules={"tpd-has-quarantine": "params.value > 0"}),
        _text_col("balanced_label", lang, "balanced", minWidth=96, tooltipField="balanced_text",
                  cellClassRules={"tpd-unbalanced": "params.data && !params.data.balanced"}),
        _text_col("extra_columns", lang, "extra", minWidth=150,
                  valueFormatter={"function": "params.value == null ? '—' : params.value"}),
        _text_col("file_format", lang, "format", minWidth=96),
        _text_col("encoding", lang, minWidth=106),
    ]


def file_rows(df, lang: str) -> list[dict]:
    rows = _records(df)
    for row in rows:
        row["type_label"] = type_label(row["record_type"], lang)
        row["balanced_label"] = "✓" if row["balanced"] else "✗"
        row["balanced_text"] = t("data.balanced_yes" if row["balanced"] else "data.balanced_no", lang)
    return rows


def quarantine_columns(lang: str) -> list[dict]:
    """File names, raw values and messages wrap rather than cut off; the batch comes last."""
    wrapped = {"wrapText": True, "autoHeight": True, "cellClass": "tpd-wrap-cell"}
    return [
        _text_col("file", lang, minWidth=210, flex=2, tooltipField="file_path", **wrapped),
        _count_col("row_number", lang, minWidth=72, maxWidth=96,
                   valueFormatter={"function": "params.value == null ? '—' : String(params.value)"}),
        _text_col("column_label", lang, "column", minWidth=112, flex=1, tooltipField="column_name", **wrapped),
        _text_col("raw_value", lang, minWidth=160, flex=2, tooltipField="raw_value", **wrapped,
                  valueFormatter={"function": "params.value == null ? '（空）' : params.value"}
                  if lang == "zh" else {"function": "params.value == null ? '(empty)' : params.value"}),
        _text_col("reason_label", lang, "reason", minWidth=110, flex=1, **wrapped),
        _text_col("message", lang, minWidth=280, flex=4, tooltipField="message", **wrapped),
        _text_col("raw_record", lang, minWidth=220, flex=3, tooltipField="raw_record"),
        _text_col("type_label", lang, "record_type", minWidth=96, flex=1),
        _text_col("batch_id", lang, minWidth=200, flex=1),
    ]


def quarantine_rows(df, lang: str) -> list[dict]:
    rows = _records(df)
    for row in rows:
        row["type_label"] = type_label(row["record_type"], lang)
        row["column_label"] = column_label(row["record_type"], row["column_name"], lang)
        row["reason_label"] = reason_label(row["reason"], lang)
        row["message"] = row[f"message_{lang}"]
    return rows


def freshness_columns(lang: str) -> list[dict]:
    stale = {"tpd-stale-red": "params.data && params.data.status == 'red'",
             "tpd-stale-amber": "params.data && params.data.status == 'amber'",
             "tpd-fresh": "params.data && params.data.status == 'ok'"}
    return [
        _text_col("type_zh", lang, pinned="left", minWidth=130),
        _text_col("record_type", lang, "type_en", minWidth=115),
        _text_col("kind_label", lang, "kind", minWidth=80),
        _count_col("n_rows", lang, minWidth=85),
        _text_col("latest", lang, minWidth=118, tooltipField="date_column",
                  valueFormatter={"function": "params.value == null ? '—' : params.value"}),
        {"field": "days", "headerName": t("data.col.days", lang), "type": "numericColumn", "minWidth": 98,
         "valueFormatter": COUNT_FMT, "cellClassRules": stale, "filter": False},
        _text_col("last_load", lang, minWidth=160,
                  valueFormatter={"function": "params.value == null ? '—' : params.value"}),
    ]


def freshness_rows(df, lang: str) -> list[dict]:
    rows = _records(df)
    for row in rows:
        row["kind_label"] = t(f"data.kind.{row['kind']}", lang)
        row["latest"] = row["latest"].strftime("%Y-%m-%d") if row["latest"] is not None else None
        row["date_column"] = column_label(row["record_type"], row["date_column"], lang) \
            if row["date_column"] else None
    return rows


# ---- callbacks ------------------------------------------------------------------------------

@EXPORTS.table(LOG, "data.log")
def log_table(view, scope) -> Table:
    return Table(log_columns(view.lang), log_rows(q.load_log(view.filters, scope), view.get("q"), view.lang))


@callback(Output(LOG, "columnDefs"), Output(LOG, "rowData"), Output(TOTALS, "children"), Input(VIEW, "data"))
@cached_output
def render_log(search):
    scope = current_scope()
    view = _view(search, scope)
    table = log_table(view, scope)
    return table.columns, table.rows, totals_line(q.load_totals(view.filters, scope), view.lang)


def files_title(view, scope) -> str:
    selected = view.get("q")
    return t("data.files_batch", view.lang, batch=selected) if selected else t("data.files_period", view.lang)


@EXPORTS.table(FILES, "data.files_period", title=files_title)
def files_table(view, scope) -> Table:
    selected = view.get("q")
    return Table(file_columns(view.lang, not selected),
                 file_rows(q.load_files(view.filters, scope, selected), view.lang))


@callback(Output(FILES, "columnDefs"), Output(FILES, "rowData"), Output(FILES_TITLE, "children"),
          Output(FILES_INFO, "children"), Input(VIEW, "data"))
@cached_output
def render_files(search):
    scope = current_scope()
    view = _view(search, scope)
    lang = view.lang
    selected = view.get("q")
    table = files_table(view, scope)
    if not selected:
        return table.columns, table.rows, files_title(view, scope), None
    info = q.batch(scope, selected) or {}
    status = t(f"data.status.{info.get('status')}", lang) if info.get("status") in q.STATUSES \
        else str(info.get("status"))
    parts = [html.Div([
        html.Span(t("data.batch_selected", lang, batch=selected, status=status, when=info.get("started_at") or "—",
                    user=info.get("user_name") or "—"), className="me-2"),
        dcc.Link(t("data.show_all_batches", lang), href=page_query(view, scope, q=None), className="small"),
    ], className="small mb-1")]
    if not table.rows:
        parts.append(dbc.Alert(t("data.batch_no_files", lang, status=status, message=info.get(f"message_{lang}") or ""),
                               color="warning" if info.get("status") != "failed" else "danger",
                               className="py-1 px-2 small mb-1"))
    return table.columns, table.rows, files_title(view, scope), parts


@EXPORTS.chart(Q_CHART, "data.quarantine")
def quarantine_chart(view, scope):
    selected = view.get("q")
    return quarantine_reasons_figure(q.quarantine_reasons(view.filters, scope, selected),
                                     q.quarantine_total(view.filters, scope, selected), view.lang)


@callback(Output(Q_CHART, "figure"), Output(Q_CHART, "style"), Output(Q_FILE, "options"),
          Output(Q_REASON, "options"), Output(Q_TITLE, "children"), Input(VIEW, "data"))
@cached_output
def render_quarantine_summary(search):
    scope = current_scope()
    view = _view(search, scope)
    lang = view.lang
    selected = view.get("q")
    reasons = q.quarantine_reasons(view.filters, scope, selected)
    files = q.quarantine_files(view.filters, scope, selected)
    file_options = [{"label": f"{name}（{n:,}）" if lang == "zh" else f"{name} ({n:,})", "value": path}
                    for path, name, n in zip(files["file_path"], files["file"], files["n_rows"])]
    reason_options = [{"label": f"{reason_label(r, lang)}（{n:,}）" if lang == "zh"
                       else f"{reason_label(r, lang)} ({n:,})", "value": r}
                      for r, n in zip(reasons["reason"], reasons["n_rows"])]
    fig = quarantine_chart(view, scope)
    return fig, {"height": f"{fig.layout.height}px"}, file_options, reason_options, quarantine_title(view, scope)


def _quarantine_choice(view, scope, file, reason) -> tuple[str | None, str | None]:
    """The dropdowns (or a link's arguments) are client input: keep a value only if this view offers it."""
    if file and file not in set(q.quarantine_files(view.filters, scope, view.get("q"))["file_path"]):
        file = None
    if reason not in q.REASONS:
        reason = None
    return file, reason


def _quarantine_frame(view, scope, file, reason, limit: int):
    return q.quarantine_rows(view.filters, scope, view.get("q"), file, reason, t("data.masked", view.lang),
                             limit=limit)


def _quarantine(view, scope, file, reason) -> tuple[Table, str]:
    lang = view.lang
    file, reason = _quarantine_choice(view, scope, file, reason)
    df = _quarantine_frame(view, scope, file, reason, q.QUARANTINE_LIMIT + 1)
    if len(df) > q.QUARANTINE_LIMIT:
        note = with_export_rows(t("data.limit_note", lang, n=f"{q.QUARANTINE_LIMIT:,}+",
                                  limit=f"{q.QUARANTINE_LIMIT:,}"), lang)
        df = df.head(q.QUARANTINE_LIMIT)
    else:
        note = t("data.shown_note", lang, n=f"{len(df):,}")
    return Table(quarantine_columns(lang), quarantine_rows(df, lang)), note


def quarantine_title(view, scope) -> str:
    selected = view.get("q")
    return t("data.quarantine_scope_batch", view.lang, batch=selected) if selected \
        else t("data.quarantine_scope_period", view.lang)


@EXPORTS.table(Q_GRID, "data.quarantine_scope_period", params=("file", "reason"), title=quarantine_title,
               capped=True)
def quarantine_table(view, scope, file: str | None = None, reason: str | None = None,
                     limit: int = q.QUARANTINE_LIMIT) -> Table:
    """The grid as an export: a `file` or `reason` this view does not offer is refused (the page's
    own links only carry offered ones), never dropped for the whole table."""
    offered_file, offered_reason = _quarantine_choice(view, scope, file, reason)
    if file and offered_file != file:
        raise ExportError(400, f"隔离区在所选范围内没有这个文件：{file[:200]}",
                          f"the quarantine of this view has no such file: {file[:200]}")
    if reason and offered_reason != reason:
        raise ExportError(400, f"没有这种隔离原因：{reason[:100]}（可选 {'、'.join(q.REASONS)}）",
                          f"no such quarantine reason: {reason[:100]} (one of {', '.join(q.REASONS)})")
    return Table(quarantine_columns(view.lang), quarantine_rows(_quarantine_frame(view, scope, file, reason, limit),
                                                                view.lang))


@callback(Output(Q_GRID, "columnDefs"), Output(Q_GRID, "rowData"), Output(Q_NOTE, "children"),
          Input(VIEW, "data"), Input(Q_FILE, "value"), Input(Q_REASON, "value"))
@cached_output
def render_quarantine_rows(search, file, reason):
    scope = current_scope()
    table, note = _quarantine(_view(search, scope), scope, file, reason)
    return table.columns, table.rows, note


@callback(Output(f"{Q_GRID}-export-csv", "href"), Output(f"{Q_GRID}-export-xlsx", "href"),
          Input(VIEW, "data"), Input(Q_FILE, "value"), Input(Q_REASON, "value"))
def quarantine_export_links(search, file, reason):
    """The grid's export links follow its file and reason choices, which are not in the URL."""
    scope = current_scope()
    view = _view(search, scope)
    file, reason = _quarantine_choice(view, scope, file, reason)
    return table_hrefs(Q_GRID, view, file=file, reason=reason)


@EXPORTS.table(FRESH, "data.freshness")
def freshness_table(view, scope) -> Table:
    return Table(freshness_columns(view.lang), freshness_rows(q.freshness(scope, today()), view.lang))


@callback(Output(FRESH, "columnDefs"), Output(FRESH, "rowData"), Input(VIEW, "data"))
@cached_output
def render_freshness(search):
    scope = current_scope()
    table = freshness_table(_view(search, scope), scope)
    return table.columns, table.rows


@callback(Output(URL, "search", allow_duplicate=True), Input(LOG, "cellClicked"), State(VIEW, "data"),
          prevent_initial_call=True)
def select_batch(click, search):
    """A click on a batch selects it: files and quarantine narrow to it (`q` in the URL)."""
    batch_id = (click or {}).get("rowId")
    scope = current_scope()
    if not batch_id or batch_id not in q.batch_ids(scope):
        return no_update
    view = _view(search, scope)
    return page_query(view, scope, q=batch_id)


@callback(Output(Q_REASON, "value"), Input(Q_CHART, "clickData"), prevent_initial_call=True)
def reason_from_chart(click):
    """A click on a reason's bar filters the quarantine grid to that reason."""
    points = (click or {}).get("points") or [{}]
    custom = points[0].get("customdata") or []
    reason = custom[0] if custom else None
    return reason if reason in q.REASONS else no_update


# ---- the audit log and the users (admins only) -----------------------------------------------

def audit_columns(lang: str) -> list[dict]:
    def col(field, **extra):
        label = t(f"data.audit_col.{field}", lang)
        return {"field": field, "headerName": label, "headerTooltip": label, **extra}
    return [col("at", minWidth=175, sort="desc"), col("actor", minWidth=110), col("event", minWidth=110),
            col("target", minWidth=150, tooltipField="target"), col("detail", minWidth=280, flex=1,
                                                                  tooltipField="detail"),
            col("ip", minWidth=110)]


def _detail_text(detail: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(detail.items()) if v not in (None, "", [], {}))


def audit_rows(entries: list[dict], lang: str) -> list[dict]:
    return [{"at": e["at"], "actor": e["actor"] or "—",
             "event": EVENTS[e["event"]][lang == "en"] if e["event"] in EVENTS else e["event"],
             "target": e["target"], "detail": mask_text(_detail_text(e["detail"])), "ip": e["ip"]}
            for e in entries]


def user_columns(lang: str) -> list[dict]:
    def col(field, **extra):
        label = t(f"data.users_col.{field}", lang)
        return {"field": field, "headerName": label, "headerTooltip": label, **extra}
    return [col("username", minWidth=90), col("display_name", minWidth=80), col("role", minWidth=80),
            col("status", minWidth=80), col("unit", minWidth=120, tooltipField="unit"),
            col("last_login_at", minWidth=160)]


def user_rows(users: list[dict], lang: str) -> list[dict]:
    names = reference.unit_names(current_scope())
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


@EXPORTS.table(AUDIT, "data.audit", capped=True)
def audit_table(view, scope, limit: int = audit.LIMIT) -> Table:
    _admins_only()
    return Table(audit_columns(view.lang), audit_rows(audit.entries(view.start, view.end, limit), view.lang))


@EXPORTS.table(USERS, "data.users")
def users_table(view, scope) -> Table:
    _admins_only()
    return Table(user_columns(view.lang), user_rows(store.list_users(), view.lang))


@callback(Output(AUDIT, "columnDefs"), Output(AUDIT, "rowData"), Output(USERS, "columnDefs"),
          Output(USERS, "rowData"), Input(VIEW, "data"))
def render_admin(search):
    """Not cached: the audit log changes with every sign-in, and must read as it is."""
    _admins_only()
    scope = current_scope()
    view = _view(search, scope)
    audit_t, users_t = audit_table(view, scope), users_table(view, scope)
    return audit_t.columns, audit_t.rows, users_t.columns, users_t.rows
