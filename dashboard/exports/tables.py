"""Tables as files: CSV for Excel (UTF-8 with BOM) and XLSX with typed columns.

A page's table builder returns a `Table`: the grid's own column definitions
and rows (what the person sees, values already in their language) and any
pinned total rows. From the column definitions come the headers, the order,
and each column's number format (the d3 format of its valueFormatter, e.g.
`.1%` → Excel `0.0%`). Before anything is written:

- columns that hold personal data (`pii` columns of the data contract such as
  phone and voter key, anything hashed) are dropped, whatever a builder sends;
- free-text columns (incident summaries, comments, reasons, quarantined raw
  values) are masked again with `privacy.mask_text`;
- a text cell beginning with `=`, `+`, `-`, `@` (or a tab or carriage return)
  is escaped so a spreadsheet never runs it as a formula: a leading `'` in CSV,
  a text cell with Excel's quote prefix in XLSX.

XLSX cells are typed per column: integers, decimals, percentages, dates and
date-times are real numbers and dates with a display format, so they sort and
sum in Excel; a second sheet (说明) carries the title, filters, source, as-of
and generation time.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field

from dashboard.exports import registry
from dashboard.exports.context import ExportContext, export_context, file_name
from dashboard.exports.files import ExportError, ExportFile
from dashboard.exports.frame import text_width
from dashboard.exports.presets import MIMETYPES
from dashboard.exports.record import exported
from dashboard.model.filters import Scope
from dashboard.privacy import mask_text
from dashboard.text import t
from warehouse import record_types

PII_FIELDS = frozenset(c.name for rt in record_types.RECORD_TYPES for c in rt.columns if c.pii)
FREE_TEXT_FIELDS = frozenset(c.name for rt in record_types.RECORD_TYPES for c in rt.columns if c.free_text) \
    | {"raw_value", "raw_record", "message"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_D3 = re.compile(r"d3\.format\(['\"]([^'\"]+)['\"]\)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


@dataclass
class Table:
    columns: list[dict]                                  # AG Grid columnDefs, as the grid gets them
    rows: list[dict]
    pinned_top: list[dict] = field(default_factory=list)
    pinned_bottom: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    d3: str | None        # the grid's d3 number format, if any
    kind: str = "text"    # int, number, percent, date, datetime, text


def is_personal(field_name: str) -> bool:
    name = field_name.lower()
    return name in PII_FIELDS or "hash" in name or name.endswith(("_phone", "phone_number", "voter_key"))


def flat_columns(column_defs: list[dict], prefix: str = "") -> list[Column]:
    """Leaf columns in display order (groups flattened), hidden and personal ones left out."""
    out = []
    for col in column_defs:
        if col.get("children"):
            out += flat_columns(col["children"], prefix)
            continue
        name = col.get("field")
        if not name or col.get("hide") or is_personal(name):
            continue
        formatter = col.get("valueFormatter")
        code = formatter.get("function", "") if isinstance(formatter, dict) else ""
        found = _D3.search(code)
        out.append(Column(name, str(col.get("headerName") or name), found.group(1) if found else None))
    return out


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _kind(column: Column, values: list) -> str:
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        return "text"
    if all(_is_number(v) for v in present):
        if column.d3 and column.d3.endswith("%"):
            return "percent"
        if all(float(v).is_integer() for v in present) and not (column.d3 or "").endswith("f"):
            return "int"
        return "number"
    if all(isinstance(v, dt.datetime) for v in present):
        return "datetime"
    if all(isinstance(v, dt.date) for v in present):
        return "date"
    if all(isinstance(v, str) for v in present):
        if all(_DATE.match(v) for v in present):
            return "date"
        if all(_DATETIME.match(v) for v in present):
            return "datetime"
    return "text"


def typed_columns(table: Table) -> list[Column]:
    rows = [*table.pinned_top, *table.rows, *table.pinned_bottom]
    return [Column(c.field, c.header, c.d3, _kind(c, [r.get(c.field) for r in rows]))
            for c in flat_columns(table.columns)]


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _clean_text(field_name: str, value) -> str:
    text = value if isinstance(value, str) else str(value)
    if field_name in FREE_TEXT_FIELDS:
        text = mask_text(text)
    return text


def _decimals(d3: str | None, default: int = 1) -> int:
    found = re.search(r"\.(\d+)", d3 or "")
    return int(found.group(1)) if found else default


def _typed_value(column: Column, value):
    """The cell's value as its column's type (None for empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if column.kind in ("int", "number", "percent"):
        return int(value) if column.kind == "int" else float(value)
    if column.kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    if column.kind == "datetime":
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return dt.datetime.fromisoformat(value.replace("T", " "))
    return _clean_text(column.field, value)


def _rows(table: Table):
    return [*table.pinned_top, *table.rows, *table.pinned_bottom]


# ---- CSV ------------------------------------------------------------------------------------

def _csv_cell(column: Column, value):
    """Numbers as numbers (written bare), everything else as quoted text."""
    value = _typed_value(column, value)
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{value * 100:.{_decimals(column.d3) + 1}f}%"   # Excel reads 95.32% as the number 0.9532
    if column.kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if column.kind == "date":
        return value.isoformat()
    if column.kind in ("int", "number"):
        return value
    return escape_formula(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends, text quoted, numbers bare."""
    columns = typed_columns(table)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([escape_formula(c.header) for c in columns])
    for row in _rows(table):
        writer.writerow([_csv_cell(c, row.get(c.field)) for c in columns])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


# ---- XLSX -----------------------------------------------------------------------------------

def excel_format(column: Column) -> str | None:
    """Excel's number format for a column, from its d3 format."""
    if column.kind == "date":
        return "yyyy-mm-dd"
    if column.kind == "datetime":
        return "yyyy-mm-dd hh:mm"
    if column.kind not in ("int", "number", "percent"):
        return None
    d3 = column.d3 or ("d" if column.kind == "int" else ",.2f")
    decimals = _decimals(d3, 0 if column.kind == "int" else 2)
    if d3.endswith("d"):
        decimals = 0
    digits = "0" + ("." + "0" * decimals if decimals else "")
    if column.kind == "percent":
        return digits + "%"
    return ("#,##" + digits) if "," in d3 else digits


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", text)[:31] or "Sheet1"


def to_xlsx(table: Table, context: ExportContext) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = context.lang
    columns = typed_columns(table)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(context.title)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E8C")
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type, cell.quotePrefix = "s", True
    formats = [excel_format(c) for c in columns]
    widths = [text_width(c.header, 11) for c in columns]
    bold = Font(bold=True)
    pinned = {id(r) for r in (*table.pinned_top, *table.pinned_bottom)}
    for row in _rows(table):
        values = [_typed_value(c, row.get(c.field)) for c in columns]
        ws.append(values)
        for i, (cell, column, fmt) in enumerate(zip(ws[ws.max_row], columns, formats)):
            if fmt and cell.value is not None:
                cell.number_format = fmt
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    cell.data_type, cell.quotePrefix = "s", True    # text, never a formula
                widths[i] = max(widths[i], text_width(cell.value[:60], 11))
            elif cell.value is not None:
                widths[i] = max(widths[i], 7 * len(str(cell.value)) + (20 if column.kind == "datetime" else 0))
            if id(row) in pinned:
                cell.font = bold
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width / 7 + 2, 8), 60)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"

    about = wb.create_sheet(t("export.about_sheet", lang))
    lines = [
        (t("export.about.table", lang), context.title),
        (t("export.about.filters", lang), context.filters_line),
        (t("export.about.rows", lang), len(table.rows)),
        (t("export.about.source", lang), context.source),
        (t("export.about.as_of", lang), context.as_of.replace(tzinfo=None, microsecond=0) if context.as_of else None),
        (t("export.about.generated", lang), context.generated.replace(tzinfo=None, microsecond=0)),
    ]
    if context.demo:
        lines.append((t("export.about.demo", lang), t("app.demo_banner", lang)))
    lines.append((t("export.about.privacy", lang), t("export.about.privacy_text", lang)))
    for key, value in lines:
        about.append([key, value])
        cell = about.cell(about.max_row, 2)
        if isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, str) and value.startswith(FORMULA_START):
            cell.data_type, cell.quotePrefix = "s", True
        about.cell(about.max_row, 1).font = bold
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- a grid of a view, as a file --------------------------------------------------------------

TABLE_FORMATS = ("csv", "xlsx")


def table_file(grid_id: str, search: str | None, fmt: str, scope: Scope, params: dict | None = None) -> ExportFile:
    """The grid `grid_id` as the page shows it for the view in `search`, as CSV or XLSX."""
    if fmt not in TABLE_FORMATS:
        raise ExportError(400, f"表格只能导出为 CSV 或 XLSX：{fmt}", f"tables export as CSV or XLSX only: {fmt}")
    spec = registry.TABLES.get(grid_id)
    if spec is None:
        raise ExportError(404, f"没有这个表格：{grid_id}", f"no such table: {grid_id}")
    page = registry.PAGES[spec.page]
    view = page.view_of(search, scope)
    extra = {k: v for k, v in (params or {}).items() if k in spec.params and v not in (None, "")}
    table = spec.build(view, scope, **extra)
    note = spec.note(view, scope) if spec.note else None
    context = export_context(view, scope, spec.title_of(view, scope),
                             page.filters_of(view, scope) + ([note] if note else []), with_place=page.view_filters)
    data = to_csv(table) if fmt == "csv" else to_xlsx(table, context)
    demo = t("export.watermark", view.lang) if context.demo else ""
    name = file_name(context.title, context.period_slug, demo, ext=fmt)
    exported("table", grid_id, view, fmt=fmt, size=len(data), file_name=name)
    return ExportFile(name, MIMETYPES[fmt], data)
