"""Which record type a file holds, and which row of it is the header.

The type comes from `--type` or the file name (English or Chinese type name,
or an alias, as its prefix). The header is the first of the top
`HEADER_SCAN_ROWS` rows whose cells match the type's headers (full-width
folded, case-free, units in brackets and required-field marks dropped), so
title rows above it are fine.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from etl.errors import FileRefused
from warehouse.record_types import RECORD_TYPES, RecordType

HEADER_SCAN_ROWS = 50


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
