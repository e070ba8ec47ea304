"""Stage a CSV file: DuckDB's reader from the header row on, cleaned while read.

Rows DuckDB rejects are recovered when only trailing cells are missing or
empty, and kept as malformed rows otherwise (without personal data for the
types that hold it). Each staged row carries `_row`, the row number a clerk
sees in Excel.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb

from etl.errors import FileRefused
from etl.readers.encodings import detect_encoding, full_gb18030, is_utf8, utf8_copy
from etl.readers.headers import find_header
from etl.readers.lines import (
    MAX_LINE_BYTES,
    has_blank_line,
    head_records,
    needs_lf_copy,
    one_line_ending,
    record_lines,
)
from etl.readers.staged import SCANNER, MalformedRow, StagedFile, file_digest_later
from etl.values import typed_select
from warehouse.record_types import RecordType


def stage_csv(con: duckdb.DuckDBPyConnection, path: Path, rt: RecordType, table: str,
              workdir: Path, name: str, salt: str = "", encoding: str | None = None) -> StagedFile:
    digest = file_digest_later(path)
    encoding = encoding or detect_encoding(path, name)
    source = utf8_copy(path, encoding, workdir, name)
    if needs_lf_copy(source):
        source = one_line_ending(source, workdir)
    blank_lines = SCANNER.submit(has_blank_line, source)  # scanned while DuckDB reads
    best = None
    for delimiter in (",", "\t", ";", "|"):
        records = head_records(source, delimiter)
        rows = [r for _, r in records]
        try:
            i, mapping, extras = find_header(rows, rt, name)
        except FileRefused as refusal:
            best = best or refusal
            continue
        header_line = records[i][0]
        n_cols = len(rows[i])
        break
    else:
        raise best
    cols = {f"c{j}": "VARCHAR" for j in range(n_cols)}
    rejects = f"{table}_rejects"
    # A row is kept when a cell holds a visible character (no trim(): it allocates). A CASE stops
    # at the first such cell (nearly always the first column); an OR in a SELECT list does not:
    # DuckDB evaluates every operand on every row there (0.5 s of a core at 1M rows).
    visible = ("case " + " ".join(f"when regexp_matches(c{j}, '[^\\s\u3000]') then true" for j in range(n_cols))
               + " else false end") if n_cols else "true"
    typed = _typed_rows(rt, mapping, visible)
    # Row numbers come from the raw table's insertion order; everything after carries _row.
    reader = f"""read_csv($path, skip={header_line}, header=false,
                all_varchar=true, delim=$delim, quote='"', escape='"', columns=$cols, auto_detect=false,
                null_padding=false, store_rejects=true, rejects_table='{rejects}',
                rejects_scan='{rejects}_scan', max_line_size={MAX_LINE_BYTES})"""
    con.execute("set preserve_insertion_order = true")
    try:
        con.execute(f"create temp table {table}_raw as {typed(reader)}",
                    {"path": str(source), "delim": delimiter, "cols": cols, **_salt(rt, salt)})
    except duckdb.Error as exc:
        # Whatever else DuckDB's reader cannot take aborts the batch's transaction:
        # the file is refused, with DuckDB's reason, rather than crashing the load.
        reason = str(exc).strip().splitlines()[0]
        raise FileRefused(name, f"{name}：CSV 文件无法解析（{reason}）",
                          f"{name}: the CSV file cannot be parsed ({reason})") from None
    con.execute("set preserve_insertion_order = false")
    # rowids follow insertion order but, inside the batch's transaction, start at an offset.
    first_rowid = con.execute(f"select coalesce(min(rowid), 0) from {table}_raw").fetchone()[0]
    rejected = con.execute(
        f"select line, any_value(error_type), any_value(csv_line), any_value(error_message), "
        f"bool_or(error_type = 'UNQUOTED VALUE'), "
        f"bool_or(error_type like '%ENCODING%' or error_type like '%UNICODE%') "
        f"from {rejects} group by line order by line"
    ).fetchall()
    con.execute(f"drop table if exists {rejects}; drop table if exists {rejects}_scan")
    if encoding == "utf-8" and any(r[5] for r in rejected) and not is_utf8(path):
        # The head looked like UTF-8 but the file is not: read it again as GB18030.
        con.execute(f"drop table {table}_raw")
        return stage_csv(con, path, rt, table, workdir, name, salt, encoding=full_gb18030(path, name))
    malformed, recovered = [], []
    for line, error_type, raw_line, message, bad_quote, _bad_encoding in rejected:
        # DuckDB cuts CRLF lines at the CR, so the line it reports starts with the LF.
        raw_line = raw_line.strip("\r\n")
        if bad_quote and (swallowed := len(re.findall(r"\r\n|\r|\n", raw_line))):
            raise _unclosed_quote(name, int(line), swallowed)
        cells = next(csv.reader(io.StringIO(raw_line), delimiter=delimiter), [])
        if cells and (error_type == "MISSING COLUMNS" or (
            error_type == "TOO MANY COLUMNS" and all(not c.strip() for c in cells[n_cols:])
        )):
            recovered.append([int(line)] + (cells + [None] * n_cols)[:n_cols])
        else:
            malformed.append(MalformedRow(
                int(line), _without_pii(raw_line, cells, rt, mapping, rows[i]),
                f"CSV 行格式错误（{_REJECT_ZH.get(error_type, error_type)}）",
                f"malformed CSV row ({error_type.lower()}: {message})",
            ))
    data_has_blank_lines = blank_lines.result()
    if rejected or data_has_blank_lines:
        reject_lines = {int(r[0]) for r in rejected}
        starts = [s for s in record_lines(source, delimiter, header_line) if s not in reject_lines]
        con.execute(f"create temp table {table}_lines as select unnest($s) as line, "
                    f"generate_subscripts($s, 1) as _ord", {"s": starts})
    select_fields = _field_selects(rt, mapping)
    if rejected or data_has_blank_lines:
        # The exact row numbers need the slow path: remap ordinals to file lines.
        ordinal = f"r.rowid - {first_rowid} + 1"
        con.execute(f"create temp table {table}_rows as select coalesce(l.line, {header_line} + {ordinal}) as _row, "
                    f"r.* from {table}_raw r left join {table}_lines l on l._ord = {ordinal}")
        con.execute(f"drop table {table}_raw; drop table {table}_lines")
        if recovered:
            import pyarrow as pa

            arrays = list(zip(*recovered))
            rec = pa.table({"_row": pa.array(arrays[0], pa.int64()),
                            **{f"c{j}": pa.array(arrays[j + 1], pa.string()) for j in range(n_cols)}})
            con.register(f"{table}_recovered", rec)
            con.execute(f"insert into {table}_rows by name {typed(f'{table}_recovered')}", _salt(rt, salt))
            con.unregister(f"{table}_recovered")
        row_source, row_expr = f"{table}_rows", "_row"
    else:
        # A table's rowid follows insertion order, which DuckDB keeps as the file's order.
        row_source, row_expr = f"{table}_raw", f"{header_line} + rowid - {first_rowid} + 1"
    con.execute(f"create temp view {table} as select {row_expr} as _row, {select_fields} "
                f"from {row_source} where _visible")
    return StagedFile(
        path=path, name=name, rt=rt, table=table, file_format="csv", encoding=encoding,
        sha256=digest.result(), size_bytes=path.stat().st_size, header_row=header_line,
        present={f: rows[i][j] for f, j in mapping.items()}, extra_columns=extras,
        malformed=malformed,
    )


def _unclosed_quote(name: str, row: int, swallowed: int) -> FileRefused:
    """A quote opened on `row` and never closed where a cell should end reads the lines
    after it into one cell: which of them were meant as rows cannot be told, and
    quarantining one row would silently drop the others (maybe the rest of the file)."""
    return FileRefused(
        name,
        f"{name}：第 {row} 行的引号未闭合，其后 {swallowed} 行被并入同一个单元格，无法区分各行；"
        f"请检查第 {row} 行的英文双引号（\"）后重新导入",
        f"{name}: row {row} opens a quote that is never closed, so the {swallowed} line(s) after it "
        f"were read into one cell and the rows cannot be told apart; fix the quote (\") on row {row} "
        f"and load again",
    )


_LONG_NUMBER = re.compile(r"\+?\d[\d\s\-]{5,}\d")


def _without_pii(raw_line: str, cells: list[str], rt: RecordType, mapping: dict[str, int],
                 header: list[str]) -> str:
    """A malformed line as it may be kept: for types holding PII, the cells of the
    other columns only (`header=value`), long numbers masked, since a shifted
    cell may put a phone number anywhere."""
    if not any(c.pii for c in rt.columns):
        return raw_line
    kept = []
    for col in rt.columns:
        j = mapping.get(col.name)
        if j is None:
            continue
        value = "***" if col.pii else _LONG_NUMBER.sub("***", cells[j] if j < len(cells) else "")
        kept.append(f"{header[j]}={value}")
    return "; ".join(kept) + "（含个人信息，原始行未保存 / raw line withheld: personal data）"


_REJECT_ZH = {
    "TOO MANY COLUMNS": "列数多于表头",
    "MISSING COLUMNS": "列数少于表头",
    "UNQUOTED VALUE": "引号未闭合",
    "INVALID ENCODING": "编码错误",
    "LINE SIZE OVER MAXIMUM": "行过长",
}


def _field_selects(rt: RecordType, mapping: dict[str, int]) -> str:
    """Each field's raw text (NULL where the file lacks it), presence and typed value (see
    etl.values.typed_select)."""
    parts = []
    for col in rt.columns:
        j = mapping.get(col.name)
        parts.append(f"{'null::varchar' if j is None else f'c{j}'} as {col.name}, n_{col.name}, t_{col.name}")
    return ", ".join(parts)


def _typed_rows(rt: RecordType, mapping: dict[str, int], visible: str):
    """The SELECT that stages rows of `source` (the file, or rows recovered from it): raw cells,
    each declared column's presence and typed value, and whether the row shows anything
    (`_visible`), all computed while the file is read: one pass, instead of copying the raw rows
    again later only to clean and type them."""
    raw = {c.name: f"c{mapping[c.name]}" for c in rt.columns if c.name in mapping}
    return lambda source: f"select *, {visible} as _visible from ({typed_select(rt, raw, source)})"


def _salt(rt: RecordType, salt: str) -> dict:
    return {"salt": salt} if any(c.pii for c in rt.columns) else {}
