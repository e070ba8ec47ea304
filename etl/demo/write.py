"""Rendering demo frames into export files the way a bureau's systems produce them.

`Style` says how one file looks (CSV encoding or XLSX, header language, date and
boolean formats, null marker, title row, extra column). Small files go through
`render` + `write_csv` / `write_xlsx` (Python objects, every variation); big
ones at large scale through `etl.demo.write_large` (UTF-8, ISO dates).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse import record_types as rt
from etl.demo.world import Cat, Seq

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
UNIT_SUFFIX = {"compensation_yuan": "元", "visitors": "人次", "police_count": "人次", "auxiliary_count": "人次",
               "volunteer_count": "人次", "members": "人", "quantity": "次"}
DATE_FMT = {"iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "zh": "%Y年%-m月%-d日", "compact": "%Y%m%d", "excel": "%Y-%m-%d"}

BAD_UNIT_CODE = "YL9999"
BAD_ENUM = {"incidents": ("category", "打架斗殴"), "surveys": ("channel", "微博评论"), "services": ("service_type", "代办业务"),
            "mediations": ("result", "已处理"), "enforcement": ("action_type", "夜查"), "votes": ("channel", "短信"),
            "deployments": ("mode", "机动勤务")}
BAD_DATES = ("2025-02-30", "2025/13/01", "2025年2月31日", "20251340")
# which kinds of bad row each flow type can carry
BAD_KINDS = {
    "incidents": ("bad_date", "bad_enum", "bad_unit", "arrived_before", "duplicate"),
    "surveys": ("bad_date", "bad_enum", "bad_unit", "score6", "duplicate"),
    "mediations": ("bad_date", "bad_enum", "negative", "duplicate"),
    "services": ("bad_date", "bad_enum", "bad_unit", "duplicate"),
    "enforcement": ("bad_enum", "bad_unit"),
    "votes": ("bad_enum", "duplicate"),
    "visitors": ("bad_date",),
}


@dataclass(frozen=True)
class Style:
    fmt: str = "csv"                 # csv | xlsx
    encoding: str = "utf-8"          # utf-8 | utf-8-sig | gb18030
    headers: str = "zh"              # zh | en | zh_messy | en_messy
    date: str = "iso"                # iso | slash | zh | compact | excel (real Excel cells)
    seconds: bool = True
    bools: tuple = ("是", "否")
    null: str = ""
    thousands: bool = False
    fullwidth: float = 0.0           # share of integers written with full-width digits
    title: str | None = None
    extra: str | None = None         # an extra column the contract does not know
    crlf: bool = False


PLAIN = Style()


def headers(rtype: rt.RecordType, style: Style) -> list[str]:
    out = []
    for i, col in enumerate(rtype.columns):
        if style.headers == "en":
            h = col.name
        elif style.headers == "en_messy":
            h = col.name.upper() if i % 3 == 0 else col.name.title() if i % 3 == 1 else col.name
            if i % 4 == 2:
                h = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in h)
        else:
            h = col.zh
            if style.headers == "zh_messy":
                if col.name in UNIT_SUFFIX:
                    h += f"({UNIT_SUFFIX[col.name]})" if i % 2 else f"（{UNIT_SUFFIX[col.name]}）"
                if i % 4 == 1:
                    h = f" {h} "
                elif i % 4 == 3:
                    h = f"{h}　"
        out.append(h)
    if style.extra:
        out.append(style.extra)
    return out


def seq_strings(s: Seq) -> np.ndarray:
    return np.array([f"{s.prefix}{i:0{s.width}d}" for i in range(s.start, s.start + s.n)], object)


def cat_strings(c: Cat) -> np.ndarray:
    vals = np.empty(len(c.values) + 1, object)
    vals[:-1] = list(c.values)
    vals[-1] = None
    codes = np.asarray(c.codes)
    return vals[np.where(codes < 0, len(c.values), codes)]


def _strftime(arr: np.ndarray, fmt: str) -> np.ndarray:
    s = pd.Series(arr).dt.strftime(fmt)
    out = s.to_numpy(dtype=object)
    out[s.isna().to_numpy()] = None
    return out


def render(frame: dict, rtype: rt.RecordType, style: Style, rng: np.random.Generator) -> list[np.ndarray]:
    """One object array per column of the type: strings (or, in XLSX files, ints, floats,
    dates and datetimes for real cells) and None for null."""
    cols = []
    xl = style.fmt == "xlsx"
    for col in rtype.columns:
        v = frame[col.name]
        if isinstance(v, Seq):
            out = seq_strings(v)
        elif isinstance(v, Cat):
            out = cat_strings(v)
        elif col.type in (rt.DATE, rt.TS):
            if xl and style.date == "excel":
                out = v.astype("datetime64[D]" if col.type == rt.DATE else "datetime64[s]").astype(object)
            else:
                fmt = DATE_FMT[style.date] + ("" if col.type == rt.DATE else " %H:%M:%S" if style.seconds else " %H:%M")
                out = _strftime(v, fmt)
        elif col.type == rt.BOOL:
            out = np.array([None, style.bools[1], style.bools[0]], object)[np.asarray(v, np.int64) + 1]
        elif col.type == rt.INT:
            f = np.asarray(v, float)
            ok = ~np.isnan(f)
            out = np.full(len(f), None, object)
            iv = f[ok].astype(np.int64)
            if xl:
                out[ok] = [int(x) for x in iv]
            elif style.thousands:
                out[ok] = [f"{x:,}" for x in iv]
            else:
                out[ok] = [str(x) for x in iv]
            if style.fullwidth and not xl:
                fw = ok & (rng.random(len(f)) < style.fullwidth)
                out[fw] = [s.translate(FULLWIDTH) for s in out[fw]]
        elif col.type == rt.DEC:
            f = np.asarray(v, float)
            ok = ~np.isnan(f)
            out = np.full(len(f), None, object)
            if xl:
                out[ok] = [float(x) for x in f[ok]]
            else:
                digits = max(2, col.scale) if col.pair else 2      # coordinates keep their 6 decimals
                out[ok] = [str(int(x)) if x == int(x) else f"{x:.{digits}f}" for x in f[ok]]
        else:
            out = np.asarray(v, object).copy()
        cols.append(out)
    if style.extra:
        n = len(cols[0])
        extra = np.full(n, None, object)
        notes = np.array(["节假日高峰", "已核实", "补录", "系统导入"], object)
        pick = rng.random(n) < 0.05
        extra[pick] = notes[rng.integers(0, len(notes), int(pick.sum()))]
        cols.append(extra)
    return cols


# --- bad rows --------------------------------------------------------------

def plan_bad(rng, type_name: str, n: int, must: tuple = (), rate: float = 0.0007) -> list[tuple[str, int]]:
    """(kind, row) pairs: the kinds in `must` plus about `rate` x n random ones."""
    kinds = BAD_KINDS.get(type_name, ())
    if n < 10 or not kinds:
        return []
    chosen = [k for k in must if k in kinds]
    chosen += [kinds[int(i)] for i in rng.integers(0, len(kinds), int(rng.binomial(n, rate)))]
    rows = rng.choice(np.arange(1, n), len(chosen), replace=False) if chosen else []
    return [(k, int(r)) for k, r in zip(chosen, rows)]


def bad_frame(frame: dict, plan) -> None:
    """Bad values that need typed columns (done before rendering)."""
    for kind, r in plan:
        if kind == "arrived_before":
            frame["arrived_at"][r] = frame["received_at"][r] - np.timedelta64(10, "m")
        elif kind == "score6":
            frame["q_satisfaction"][r] = 6
        elif kind == "negative":
            frame["compensation_yuan"][r] = -200.0


def bad_strings(cols: list, rtype: rt.RecordType, plan, rng) -> None:
    """Bad values set on rendered columns."""
    names = [c.name for c in rtype.columns]
    for kind, r in plan:
        if kind == "bad_date":
            cols[names.index(rtype.date_column)][r] = BAD_DATES[int(rng.integers(0, len(BAD_DATES)))]
        elif kind == "bad_enum":
            col, val = BAD_ENUM[rtype.name]
            cols[names.index(col)][r] = val
        elif kind == "bad_unit":
            cols[names.index("unit_code")][r] = BAD_UNIT_CODE
        elif kind == "duplicate":
            k = names.index(rtype.key[0])
            cols[k][r] = cols[k][int(rng.integers(0, r))]


# --- writers ---------------------------------------------------------------

def write_csv(path: Path, head: list[str], cols: list, style: Style) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if style.crlf else "\n")
    w.writerow(head)
    null = style.null
    for row in zip(*cols):
        w.writerow([null if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(style.encoding))


def write_xlsx(path: Path, head: list[str], cols: list, style: Style, stamp: dt.datetime, sheet: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "云岚市公安局"
    ws = wb.create_sheet(sheet)
    if style.title:
        ws.append([style.title])
        ws.append([])
    ws.append(head)
    null = None if style.null == "" else style.null
    for row in zip(*cols):
        ws.append([null if v is None else v for v in row])
    raw = io.BytesIO()
    wb.save(raw)
    path.write_bytes(_stable_zip(raw.getvalue(), stamp))


def _stable_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Re-pack an XLSX with fixed entry times and fixed core-property dates."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{iso}\g<2>", text)
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
