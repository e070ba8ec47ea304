"""Bad input, fuzzed: whatever the file, the loader answers and the counts balance.

Property-based tests feed `python -m etl load --json` (run in this process)
files built from valid records and then damaged — cells of any text, formula
strings, enormous fields, headers in any order or missing, every encoding,
stray quotes and delimiters, truncation, random bytes, broken XLSX — and
require, for every file: the batch is committed (exit 0) with rows read =
loaded + updated + unchanged + quarantined for every file and exactly the
quarantined rows in the quarantine table, or refused (exit 2) with a message
in Chinese and in English. Anything else (a traceback) is a bug.

Bounded for CI: a few dozen examples per test, derandomised so CI runs the
same examples every time. `TPD_FUZZ_EXAMPLES=500` explores further with fresh
random examples.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from warehouse import record_types
from tests.conftest import TEMPLATES, cli_main, query

EXPLORE = "TPD_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(max_examples=int(os.environ.get("TPD_FUZZ_EXAMPLES", "40")), deadline=None, database=None,
                derandomize=not EXPLORE, suppress_health_check=list(HealthCheck))
CJK = re.compile(r"[\u4e00-\u9fff]")
TYPES = ["incidents", "units", "surveys", "visitors", "votes", "mediations"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-32", "latin-1",
             "shift_jis", "big5", "cp1252"]
FORMULAS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "=SUM(A1:A9)", "=1/0", "#DIV/0!", "#N/A", "=\"", "'=1+1"]


# ------------------------------------------------------------------ the property

def check_load(reference_db: Path, paths: list[Path]) -> None:
    """Load `paths` as one batch into a copy of the reference warehouse; the answer must be sane."""
    with tempfile.TemporaryDirectory(prefix="tpd-fuzz-") as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(reference_db, db)
        shutil.copy(reference_db.parent / f".{reference_db.name}.salt", Path(tmp) / f".{db.name}.salt")
        out = cli_main(db, *paths)
        assert out.json is not None, f"no JSON answer: {out.stdout[:300]} {out.stderr[:300]}"
        if out.returncode == 2:
            assert out.json["status"] == "refused"
            assert CJK.search(out.json["error_zh"]), out.json
            assert out.json["error_en"] and not CJK.search(out.json["error_en"].split(":")[0]), out.json
            return
        assert out.returncode == 0, out
        for f in out.json["files"]:
            assert f["rows"] == f["loaded"] + f["updated"] + f["unchanged"] + f["quarantined"], f
            in_quarantine = query(db, "select count(distinct row_number) from quarantine where file_name = $1",
                                  [f["file"]])[0][0]
            assert in_quarantine == f["quarantined"], (f, in_quarantine)


# ------------------------------------------------------------------ strategies

def any_text():
    return st.one_of(
        st.text(max_size=30),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
        st.sampled_from(FORMULAS),
        st.sampled_from(["", " ", "-", "/", "无数据", "—", "NULL", "nan", "1e309", "-0", "１２３", "是", "否",
                         "2021-02-30", "2021年13月1日", "99999999999999999999999", "0x1F", "\"", "\"\"",
                         "a\"b", "\r", "\n", "\t", "\x00", "\ufeff", "🚓", "𠀀", "\u202e", "\\", ";", ","]),
        st.integers(min_value=1, max_value=200_000).map(lambda n: "长" * n),   # enormous fields
    )


@st.composite
def records(draw, type_name):
    """Valid records of a type, some cells replaced by anything."""
    n = draw(st.integers(min_value=0, max_value=6))
    rows = []
    for i in range(n):
        row = dict(TEMPLATES[type_name])
        key = record_types.get(type_name).key[0]
        row[key] = f"{row[key]}{i}" if draw(st.booleans()) else row[key]
        for name in list(row):
            if draw(st.integers(min_value=0, max_value=4)) == 0:
                row[name] = draw(any_text())
        rows.append(row)
    return rows


@st.composite
def header_cells(draw, type_name):
    """(header text per column, column names): any order, some missing, some doubled, extras."""
    rt = record_types.get(type_name)
    names = draw(st.permutations([c.name for c in rt.columns]))
    names = [n for n in names if draw(st.integers(min_value=0, max_value=6)) > 0]
    if names and draw(st.booleans()):
        names.append(draw(st.sampled_from(names)))             # a column twice
    headers = []
    for n in names:
        col = rt.column(n)
        style = draw(st.sampled_from(["zh", "en", "upper", "unit", "wide", "spaced"]))
        headers.append({"zh": col.zh, "en": n, "upper": n.upper(), "unit": f"{col.zh}（元）",
                        "wide": col.zh.translate(str.maketrans("()", "（）")), "spaced": f"  {col.zh} "}[style])
    extras = draw(st.lists(any_text(), max_size=2))
    return headers + extras, names + [None] * len(extras)


@st.composite
def csv_file(draw, type_name):
    headers, names = draw(header_cells(type_name))
    rows = draw(records(type_name))
    delimiter = draw(st.sampled_from([",", ",", "\t", ";", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    eol = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol, quoting=quoting,
                        escapechar="\\" if quoting == csv.QUOTE_NONE else None)
    def writerow(cells):
        try:
            writer.writerow(cells)
        except csv.Error:  # what QUOTE_NONE cannot write: the cells as they are, joined
            buf.write(delimiter.join(cells) + eol)

    for title in draw(st.lists(any_text(), max_size=2)):
        writerow([title])
    writerow(headers)
    for row in rows:
        writerow([row.get(n, "") if n else draw(any_text()) for n in names])
        if draw(st.integers(min_value=0, max_value=8)) == 0:
            buf.write(eol)                                      # a blank line
    text = buf.getvalue()
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


EDIT = st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True),
                 st.sampled_from(["cut", "insert", "flip", "quote", "nul", "newline"]),
                 st.binary(min_size=1, max_size=16), st.integers(min_value=0, max_value=7))


def edits(min_size=0):
    """A few edits, placed by fraction of the file: drawn without looking at the bytes
    (a workbook's bytes differ from run to run by their timestamps)."""
    return st.lists(EDIT, min_size=min_size, max_size=3)


def damage(data: bytes, changes) -> bytes:
    """The bytes with the edits applied: cuts, insertions, flips, stray quotes, NULs, newlines."""
    data = bytearray(data)
    for where, edit, payload, bit in changes:
        if not data:
            break
        at = int(where * len(data))
        if edit == "cut":
            del data[at:]
        elif edit == "insert":
            data[at:at] = payload
        elif edit == "flip":
            data[at] ^= 1 << bit
        else:
            data[at:at] = {"quote": b'"', "nul": b"\x00", "newline": b"\n"}[edit]
    return bytes(data)


def cell_value(draw):
    return draw(st.one_of(
        any_text(),
        st.integers(min_value=-2**63, max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
        st.dates(min_value=dt.date(1900, 3, 1)),
        st.times(),
        st.none(),
    ))


@st.composite
def xlsx_file(draw, type_name):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    headers, names = draw(header_cells(type_name))
    rows = draw(records(type_name))
    wb = openpyxl.Workbook()
    ws = wb.active
    def clean(v):
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("", v)[:32767]       # what Excel itself can hold
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return None                                        # openpyxl cannot write these
        return v

    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        ws.append([clean(draw(any_text()))])                   # title rows
    ws.append([clean(h) for h in headers])
    for row in rows:
        cells = []
        for n in names:
            v = row.get(n, "") if n and draw(st.integers(min_value=0, max_value=3)) else cell_value(draw)
            cells.append(clean(v))
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ the tests

@FUZZ
@given(data=st.data())
def test_any_csv_is_loaded_quarantined_or_refused(_reference_warehouse, tmp_path_factory, data):
    type_name = data.draw(st.sampled_from(TYPES))
    raw = data.draw(csv_file(type_name))
    raw = damage(raw, data.draw(edits(min_size=1)))
    path = write(tmp_path_factory.mktemp("csv"), f"{type_name}_fuzz.csv", raw)
    check_load(_reference_warehouse, [path])


@FUZZ
@given(data=st.data())
def test_any_xlsx_is_loaded_quarantined_or_refused(_reference_warehouse, tmp_path_factory, data):
    type_name = data.draw(st.sampled_from(TYPES))
    raw = data.draw(xlsx_file(type_name))
    if data.draw(st.booleans()):
        raw = damage(raw, data.draw(edits()))                   # a truncated or corrupted workbook
    path = write(tmp_path_factory.mktemp("xlsx"), f"{type_name}_fuzz.xlsx", raw)
    check_load(_reference_warehouse, [path])


@FUZZ
@given(junk=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ".ods", ".tsv"]),
       type_name=st.sampled_from(TYPES))
def test_random_bytes_are_refused_or_quarantined(_reference_warehouse, tmp_path_factory, junk, suffix, type_name):
    path = write(tmp_path_factory.mktemp("junk"), f"{type_name}_junk{suffix}", junk)
    check_load(_reference_warehouse, [path])


@FUZZ
@given(data=st.data())
def test_a_batch_of_several_damaged_files_is_all_or_nothing(_reference_warehouse, tmp_path_factory, data):
    directory = tmp_path_factory.mktemp("batch")
    paths = []
    for i in range(data.draw(st.integers(min_value=2, max_value=3))):
        type_name = data.draw(st.sampled_from(TYPES))
        if data.draw(st.booleans()):
            raw, suffix = data.draw(csv_file(type_name)), "csv"
        else:
            raw, suffix = data.draw(xlsx_file(type_name)), "xlsx"
        paths.append(write(directory, f"{type_name}_{i}.{suffix}", damage(raw, data.draw(edits()))))
    check_load(_reference_warehouse, paths)
