"""A CSV file's records and line endings as Excel counts them.

Row numbers are Excel's: records, not physical lines (a quoted cell spanning
two lines is one row, a blank line a row of its own). A file whose lines end
in CR alone or in more than one way gets a copy with LF endings, which
DuckDB's strict reader and Python's csv module both take.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from etl.readers.headers import HEADER_SCAN_ROWS

MAX_LINE_BYTES = 20_000_000  # DuckDB's max_line_size here: a longer line is a malformed row
# Python's csv module (row numbers, malformed lines) stops at fields over 128 KiB by
# default; DuckDB reads them. Both must see the same rows, so it gets DuckDB's limit.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


def head_records(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
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


def record_lines(path: Path, delimiter: str, after_line: int) -> list[int]:
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


def has_blank_line(path: Path) -> bool:
    import mmap

    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return re.search(rb"\n[ \t]*\r?\n", data) is not None


def needs_lf_copy(path: Path) -> bool:
    """Whether a line ends in CR alone (old Mac Excel's "CSV (Macintosh)" ends every
    line so), or lines end in more than one way (CRLF, LF, CR): DuckDB's strict reader
    stops at such a file (and takes the batch's transaction with it), and Python's csv
    module finds no rows in the first, while Excel reads every one of them as a line
    break. Counting bytes runs at memory speed; a file without any CR (most) is
    answered by the first pass, which looks for a CR only."""
    with open(path, "rb") as fh:
        if not any(b"\r" in chunk for chunk in iter(lambda: fh.read(1 << 22), b"")):
            return False
    crlf = lf = cr = 0
    last = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            cr += chunk.count(b"\r")
            lf += chunk.count(b"\n")
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    return not (crlf == lf == cr)


def one_line_ending(path: Path, workdir: Path) -> Path:
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
