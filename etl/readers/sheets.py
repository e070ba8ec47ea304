"""Stage a spreadsheet: the first sheet through python-calamine.

Real date cells are written as ISO text so that one parser serves CSV and
XLSX. Calamine reads an error cell (`#N/A` from a failed VLOOKUP) as blank,
so an XLSX sheet holding any is scanned for them and they are staged as
their text, for the checks to quarantine as they do the same text in a CSV.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import duckdb

from etl.errors import FileRefused
from etl.readers.headers import find_header
from etl.readers.staged import StagedFile, file_digest
from warehouse.record_types import RecordType
from etl.values import typed_select


def cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _first_sheet_part(z: zipfile.ZipFile) -> str:
    """The zip member holding the workbook's first sheet (the one calamine reads)."""
    import xml.etree.ElementTree as ET

    sheet = ET.fromstring(z.read("xl/workbook.xml")).find(f"{_SHEET_NS}sheets/{_SHEET_NS}sheet")
    rel_id = sheet.get(f"{_REL_NS}id")
    for rel in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")):
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(rel_id)


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def excel_error_cells(path: Path) -> dict[tuple[int, int], str]:
    """{(row, column) from 0: '#N/A'} for the error cells of an XLSX file's first sheet.

    A byte scan for `t="e"` answers most sheets (those without any) at disk speed;
    only a sheet holding error cells is parsed, row by row."""
    import xml.etree.ElementTree as ET

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}  # XLS and ODS store errors otherwise; calamine reads them as blank there too
    try:
        with zipfile.ZipFile(path) as z:
            part = _first_sheet_part(z)
            with z.open(part) as fh:
                tail, found = b"", False
                for chunk in iter(lambda: fh.read(1 << 22), b""):
                    if b't="e"' in tail + chunk:
                        found = True
                        break
                    tail = chunk[-8:]
            if not found:
                return {}
            errors, row, col = {}, -1, -1
            with z.open(part) as fh:
                # A row starts before its cells end: its number is known for each of them.
                for event, elem in ET.iterparse(fh, events=("start", "end")):
                    if event == "start":
                        if elem.tag == f"{_SHEET_NS}row":
                            ref = elem.get("r")
                            row, col = (int(ref) - 1 if ref else row + 1), -1
                    elif elem.tag == f"{_SHEET_NS}c":
                        ref = elem.get("r")
                        col = _column_index(ref) if ref else col + 1
                        if elem.get("t") == "e":
                            value = elem.find(f"{_SHEET_NS}v")
                            errors[(row, col)] = (value.text or "").strip() if value is not None else "#N/A"
                    elif elem.tag == f"{_SHEET_NS}row":
                        elem.clear()
            return errors
    except (KeyError, zipfile.BadZipFile, ET.ParseError, AttributeError):
        return {}  # what calamine could read, without the error cells' text


def stage_sheet(con: duckdb.DuckDBPyConnection, path: Path, rt: RecordType, table: str,
                name: str, salt: str = "") -> StagedFile:
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for broken files
        raise FileRefused(
            name, f"{name}：无法读取电子表格（文件损坏或不是 XLSX）：{exc}",
            f"{name}: cannot read the spreadsheet (damaged or not XLSX): {exc}",
        ) from None
    for (r, c), text in excel_error_cells(path).items():
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = text
    i, mapping, extras = find_header(rows, rt, name)
    data = rows[i + 1:]
    keep = [k for k, row in enumerate(data) if any(cell_text(c) is not None and str(c).strip() for c in row)]
    columns = {"_row": pa.array([i + 2 + k for k in keep], pa.int64())}
    for col in rt.columns:
        j = mapping.get(col.name)
        values = [cell_text(data[k][j]) if j is not None and j < len(data[k]) else None for k in keep]
        columns[col.name] = pa.array(values, pa.string())
    arrow = pa.table(columns)
    con.register(f"{table}_arrow", arrow)
    con.execute(f"create temp table {table}_rows as "
                + typed_select(rt, {c.name: c.name for c in rt.columns}, f"{table}_arrow"),
                {"salt": salt} if any(c.pii for c in rt.columns) else None)
    con.execute(f"create temp view {table} as select * from {table}_rows")
    con.unregister(f"{table}_arrow")
    return StagedFile(
        path=path, name=name, rt=rt, table=table, file_format=path.suffix.lower().lstrip("."),
        encoding="", sha256=file_digest(path), size_bytes=path.stat().st_size, header_row=i + 1,
        present={f: str(rows[i][j]) for f, j in mapping.items()}, extra_columns=extras,
    )
