"""Read one export file into a staging table of raw text, one column per field.

CSV: the encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else
GB18030, which covers GBK); anything but plain UTF-8 is transcoded to a
temporary UTF-8 file, because DuckDB's own CSV reader is the fast path and
its extra encodings need an extension the closed network cannot download.
The header is the first row whose cells match the record type's headers, so
title rows above it are fine. Rows DuckDB rejects are recovered when only
trailing cells are missing or empty, and kept as malformed rows otherwise.

XLSX (and XLS/ODS): the first sheet through python-calamine, real date cells
written as ISO text so that one parser serves both formats. Calamine reads an
error cell (`#N/A` from a failed VLOOKUP) as blank, so an XLSX sheet holding
any is scanned for them and they are staged as their text, for the checks to
quarantine as they do the same text in a CSV.

The staging table has `_row` (the row number a clerk sees in Excel) and one
VARCHAR per declared column (NULL where the file lacks it).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import FileRefused
from etl.values import cleaned
from warehouse.record_types import RECORD_TYPES, RecordType

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
HEADER_SCAN_ROWS = 50
MAX_LINE_BYTES = 20_000_000  # DuckDB's max_line_size here: a longer line is a malformed row
# Python's csv module (row numbers, malformed lines) stops at fields over 128 KiB by
# default; DuckDB reads them. Both must see the same rows, so it gets DuckDB's limit.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


@dataclass
class MalformedRow:
    row: int
    raw_line: str
    message_zh: str
    message_en: str


@dataclass
class StagedFile:
    path: Path
    name: str
    rt: RecordType
    table: str
    file_format: str
    encoding: str
    sha256: str
    size_bytes: int
    header_row: int
    present: dict[str, str]                 # field name -> header text in the file
    extra_columns: list[str]
    malformed: list[MalformedRow] = field(default_factory=list)


def fold_name(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


_REQUIRED_MARK = re.compile(r"^[\s*]+|[\s*]+$")  # `*警情编号`, `警情编号*` (＊ folds to *)


def header_key(text) -> str:
    """A header as matched: full-width folded, case-free, no spaces, no bracketed unit,
    no required-field mark (`*` before or after, as templates mark required columns)."""
    s = _REQUIRED_MARK.sub("", fold_name("" if text is None else text))
    s = re.sub(r"[(\[【][^)\]】]*[)\]】]\s*$", "", s)
    s = _REQUIRED_MARK.sub("", s)
    return re.sub(r"[\s_\-]+", "", s)


def type_from_name(path: Path) -> RecordType | None:
    """The record type a file name starts with (English or Chinese name), or None."""
    stem = fold_name(path.stem).replace("-", "_")
    best, best_len = None, 0
    for rt in RECORD_TYPES:
        for prefix in (rt.name, rt.zh, *rt.aliases):
            p = fold_name(prefix)
            if stem.startswith(p) and len(p) > best_len:
                best, best_len = rt, len(p)
    return best


def detect_type(path: Path, explicit: str | None = None, name: str | None = None) -> RecordType:
    """The file's record type, from `explicit` (--type) or its name; `name` is the file as given."""
    by_name = {rt.name: rt for rt in RECORD_TYPES}
    name = name or path.name
    if explicit:
        wanted = explicit.strip().lower().replace("-", "_")
        for rt in RECORD_TYPES:
            if wanted in (rt.name, fold_name(rt.zh)):
                return rt
        raise FileRefused(
            name,
            f"未知的记录类型 --type {explicit}（可用：{', '.join(by_name)}）",
            f"unknown record type --type {explicit} (known: {', '.join(by_name)})",
        )
    best = type_from_name(path)
    if best is None:
        names = "、".join(f"{rt.name}/{rt.zh}" for rt in RECORD_TYPES)
        raise FileRefused(
            name,
            f"无法从文件名判断记录类型：{name}；文件名应以记录类型的英文或中文名开头（{names}），或用 --type 指定",
            f"cannot tell the record type of {name}: its name must start with a type's English or "
            f"Chinese name ({', '.join(by_name)}), or give --type",
        )
    return best


def header_index(rt: RecordType) -> dict[str, str]:
    index = {}
    for col in rt.columns:
        for h in col.headers:
            index.setdefault(header_key(h), col.name)
    return index


def find_header(rows: list[list], rt: RecordType, file_name: str) -> tuple[int, dict[str, int], list[str]]:
    """(row index, field -> cell index, extra header texts) of the header row."""
    index = header_index(rt)
    best = (-1, {}, [])
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[str, int] = {}
        extras: list[str] = []
        for j, cell in enumerate(row):
            key = header_key(cell)
            if not key:
                continue
            name = index.get(key)
            if name and name not in mapping:
                mapping[name] = j
            else:
                extras.append(str(cell).strip())
        if len(mapping) > len(best[1]):
            best = (i, mapping, extras)
        if len(mapping) >= 2 and all(c.name in mapping for c in rt.required):
            return i, mapping, extras
    i, mapping, extras = best
    required = [c for c in rt.required if c.name not in mapping]
    wanted = "、".join(f"{c.zh}({c.name})" for c in required)
    if not mapping:
        raise FileRefused(
            file_name,
            f"{file_name}：未找到{rt.zh}的表头，缺少必填列：{wanted}",
            f"{file_name}: no {rt.name} header row found; required columns missing: "
            + ", ".join(f"{c.name} ({c.zh})" for c in required),
        )
    raise FileRefused(
        file_name,
        f"{file_name}：缺少必填列：{wanted}，整个文件未导入",
        f"{file_name}: required columns missing: "
        + ", ".join(f"{c.name} ({c.zh})" for c in required) + "; nothing from the file was loaded",
    )


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tpd-scan")


def file_digest_later(path: Path) -> Future:
    """The file's SHA-256, computed on a thread while DuckDB reads (hashlib releases the GIL)."""
    return _HASHER.submit(file_digest, path)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- CSV ---------------------------------------------------------------------------

def _first_bad_byte(path: Path, encoding: str) -> int | None:
    """The offset of the first byte where `path` stops being valid `encoding`, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    with open(path, "rb") as fh:
        for chunk in [*iter(lambda: fh.read(1 << 22), b""), b""]:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return done - pending + exc.start
            done += len(chunk)
    return None


def _is_utf8(path: Path) -> bool:
    return _first_bad_byte(path, "utf-8") is None


def _head_is_utf8(head: bytes, whole_file: bool) -> bool:
    try:
        # A head cut mid-character is fine; a whole file ending mid-character is not.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=whole_file)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(path: Path, name: str | None = None) -> str:
    name = name or path.name
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileRefused(name, f"{name}：不是文本文件（含二进制内容）",
                          f"{name}: not a text file (binary content)")
    if not head.isascii() and _head_is_utf8(head, whole_file=len(head) < 1 << 16):
        # Chinese text that decodes as UTF-8 is UTF-8: GBK almost never does. Rows
        # DuckDB still finds invalid are caught after reading (see stage_csv).
        return "utf-8"
    if _is_utf8(path):
        return "utf-8"
    return _full_gb18030(path, name)


def _full_gb18030(path: Path, name: str) -> str:
    """'gb18030' when the whole file decodes so; otherwise the file is refused."""
    bad_gb = _first_bad_byte(path, "gb18030")
    if bad_gb is None:
        return "gb18030"
    bad_utf8 = _first_bad_byte(path, "utf-8")
    raise FileRefused(
        name,
        f"{name}：无法识别文件编码：既不是 UTF-8（第 {bad_utf8} 字节起无效）"
        f"也不是 GBK/GB18030（第 {bad_gb} 字节起无效）；文件可能损坏、被截断或混用了编码",
        f"{name}: unrecognised encoding: neither UTF-8 (invalid from byte {bad_utf8}) "
        f"nor GBK/GB18030 (invalid from byte {bad_gb}); the file may be damaged, cut short or mix encodings",
    )


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}


def _utf8_copy(path: Path, encoding: str, workdir: Path, name: str) -> Path:
    if encoding == "utf-8":
        return path
    target = workdir / (hashlib.sha1(str(path).encode()).hexdigest() + ".csv")
    done = 0  # characters decoded so far, for the message
    try:
        with open(path, "r", encoding=encoding, newline="") as src, \
                open(target, "w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 20), ""):
                dst.write(chunk)
                done += len(chunk)
    except UnicodeDecodeError as exc:
        # A byte-order mark names the encoding, but the bytes after it are not in it
        # (a damaged or truncated file, or a BOM pasted onto text of another encoding).
        label = _ENCODING_NAMES.get(encoding, encoding)
        raise FileRefused(
            name,
            f"{name}：文件开头标明编码为 {label}，但第 {done + 1} 个字符附近的内容不是有效的 {label}"
            f"（文件损坏或被截断）",
            f"{name}: the file starts with a {label} byte-order mark but is not valid {label} "
            f"after about {done} characters (damaged or truncated)",
        ) from None
    return target


def _head_records(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """The first records with their row number as Excel shows it.

    Excel (and DuckDB's `skip` and reject line numbers) count records, not
    physical lines: a quoted cell spanning two lines is one row, a blank line
    is a row of its own.
    """
    # Lenient: only the first rows matter here; bytes further on are DuckDB's to judge.
    with open(path, "r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        text = fh.read(1 << 20)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = []
    try:
        for number, row in enumerate(reader, 1):
            out.append((number, row))
            if len(out) >= HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass
    return out


def _record_lines(path: Path, delimiter: str, after_line: int) -> list[int]:
    """Excel row number of every non-blank record after row `after_line` (the slow, exact path)."""
    starts = []
    with open(path, "r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            for number, row in enumerate(reader, 1):
                if number > after_line and row:
                    starts.append(number)
        except csv.Error:  # an unclosed quote runs to the end: DuckDB rejects that record
            pass
    return starts


def _has_blank_line(path: Path) -> bool:
    import mmap

    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return re.search(rb"\n[ \t]*\r?\n", data) is not None


def _needs_lf_copy(path: Path) -> bool:
    """Whether a line ends in CR alone (old Mac Excel's "CSV (Macintosh)" ends every
    line so), or lines end in more than one way (CRLF, LF, CR): DuckDB's strict reader
    stops at such a file (and takes the batch's transaction with it), and Python's csv
    module finds no rows in the first, while Excel reads every one of them as a line
    break. Counting bytes runs at memory speed; a file without any CR (most) is
    answered by the first pass."""
    crlf = lf = cr = 0
    last = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            cr += chunk.count(b"\r")
            lf += chunk.count(b"\n")
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    return cr > 0 and not (crlf == lf == cr)


def _one_line_ending(path: Path, workdir: Path) -> Path:
    """A copy whose lines all end in LF (CRLF and a lone CR each become one LF).

    Record numbers (Excel's row numbers) stay as they were: every one of them was a
    line break already. A CR inside a quoted cell becomes LF too."""
    target = workdir / (hashlib.sha1(str(path).encode()).hexdigest() + ".lf.csv")
    with open(path, "rb") as src, open(target, "wb") as dst:
        carry = b""
        for chunk in iter(lambda: src.read(1 << 22), b""):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            if carry:
                chunk = chunk[:-1]
            dst.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        dst.write(carry.replace(b"\r", b"\n"))
    return target


def stage_csv(con: duckdb.DuckDBPyConnection, path: Path, rt: RecordType, table: str,
              workdir: Path, name: str, encoding: str | None = None) -> StagedFile:
    digest = file_digest_later(path)
    encoding = encoding or detect_encoding(path, name)
    source = _utf8_copy(path, encoding, workdir, name)
    if _needs_lf_copy(source):
        source = _one_line_ending(source, workdir)
    blank_lines = _HASHER.submit(_has_blank_line, source)  # scanned while DuckDB reads
    best = None
    for delimiter in (",", "\t", ";", "|"):
        records = _head_records(source, delimiter)
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
    # Row numbers come from the raw table's insertion order; everything after carries _row.
    con.execute("set preserve_insertion_order = true")
    try:
        con.execute(
            f"""create temp table {table}_raw as
            select *{_cleaned_selects(rt, mapping)} from read_csv($path, skip={header_line}, header=false,
                all_varchar=true, delim=$delim, quote='"', escape='"', columns=$cols, auto_detect=false,
                null_padding=false, store_rejects=true, rejects_table='{rejects}',
                rejects_scan='{rejects}_scan', max_line_size={MAX_LINE_BYTES})""",
            {"path": str(source), "delim": delimiter, "cols": cols},
        )
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
    if encoding == "utf-8" and any(r[5] for r in rejected) and not _is_utf8(path):
        # The head looked like UTF-8 but the file is not: read it again as GB18030.
        con.execute(f"drop table {table}_raw")
        return stage_csv(con, path, rt, table, workdir, name, encoding=_full_gb18030(path, name))
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
        starts = [s for s in _record_lines(source, delimiter, header_line) if s not in reject_lines]
        con.execute(f"create temp table {table}_lines as select unnest($s) as line, "
                    f"generate_subscripts($s, 1) as _ord", {"s": starts})
    select_fields = _field_selects(rt, mapping)
    # A row is empty when no cell holds a visible character (no trim(): it allocates).
    empty = " and ".join(f"not coalesce(regexp_matches(c{j}, '[^\\s\u3000]'), false)"
                         for j in range(n_cols)) or "false"
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
            con.execute(f"insert into {table}_rows by name select *{_cleaned_selects(rt, mapping)} "
                        f"from {table}_recovered")
            con.unregister(f"{table}_recovered")
        row_source, row_expr = f"{table}_rows", "_row"
    else:
        # A table's rowid follows insertion order, which DuckDB keeps as the file's order.
        row_source, row_expr = f"{table}_raw", f"{header_line} + rowid - {first_rowid} + 1"
    con.execute(f"create temp view {table} as select {row_expr} as _row, {select_fields} "
                f"from {row_source} where not ({empty})")
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
    """Each field's raw text and its cleaned text (`c_<name>`), NULL where the file lacks it."""
    parts = []
    for col in rt.columns:
        j = mapping.get(col.name)
        if j is None:
            parts.append(f"null::varchar as {col.name}, null::varchar as c_{col.name}")
        else:
            parts.append(f"c{j} as {col.name}, k_{col.name} as c_{col.name}")
    return ", ".join(parts)


def _cleaned_selects(rt: RecordType, mapping: dict[str, int]) -> str:
    """The cleaned text of each mapped cell, computed while the file is read: one pass,
    instead of copying the raw rows again later only to clean them."""
    return "".join(f", {cleaned(f'c{mapping[c.name]}', c)} as k_{c.name}"
                   for c in rt.columns if c.name in mapping)


# --- spreadsheets --------------------------------------------------------------------

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
                name: str) -> StagedFile:
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
    clean = "".join(f", {cleaned(c.name, c)} as c_{c.name}" for c in rt.columns)
    con.execute(f"create temp table {table}_rows as select *{clean} from {table}_arrow")
    con.execute(f"create temp view {table} as select * from {table}_rows")
    con.unregister(f"{table}_arrow")
    return StagedFile(
        path=path, name=name, rt=rt, table=table, file_format=path.suffix.lower().lstrip("."),
        encoding="", sha256=file_digest(path), size_bytes=path.stat().st_size, header_row=i + 1,
        present={f: str(rows[i][j]) for f, j in mapping.items()}, extra_columns=extras,
    )


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, rt: RecordType, table: str,
               workdir: Path, name: str) -> StagedFile:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileRefused(name, f"找不到文件：{name}", f"file not found: {name}")
    if suffix in SHEET_SUFFIXES:
        return stage_sheet(con, path, rt, table, name)
    if suffix in CSV_SUFFIXES:
        return stage_csv(con, path, rt, table, workdir, name)
    raise FileRefused(
        name, f"{name}：不支持的文件格式 {suffix or '(无扩展名)'}（支持 CSV、XLSX）",
        f"{name}: unsupported file format {suffix or '(no extension)'} (CSV and XLSX are accepted)",
    )
