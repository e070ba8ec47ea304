"""The data page's grids: the load log, its files, the quarantine and the freshness of each record type.

Columns (AG Grid columnDefs) and rows as a data clerk reads them: statuses,
record types and reasons in the reader's language, a file's own column
headers in Chinese in the Chinese UI, counts formatted, missing values "—".
"""
from __future__ import annotations

from dash import html

from dashboard.components.grid import records
from dashboard.figures.data import reason_label
from dashboard.queries import data as q
from dashboard.text import t
from warehouse.record_types import BY_NAME

COUNT_FMT = {"function": "params.value == null ? '—' : d3.format(',')(params.value)"}
STATUS_CLASSES = {f"tpd-status tpd-status-{s}": f"params.data && params.data.status == '{s}'" for s in q.STATUSES}


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
    rows = records(df)
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
    rows = records(df)
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
    rows = records(df)
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
    rows = records(df)
    for row in rows:
        row["kind_label"] = t(f"data.kind.{row['kind']}", lang)
        row["latest"] = row["latest"].strftime("%Y-%m-%d") if row["latest"] is not None else None
        row["date_column"] = column_label(row["record_type"], row["date_column"], lang) \
            if row["date_column"] else None
    return rows
