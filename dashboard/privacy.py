"""Masking personal numbers in free text before anyone sees it.

Incident summaries, survey comments and nomination reasons are stored as
written, but shown and exported only through `mask_sql` (inside DuckDB, in
bulk) or `mask_text` (the same rules in Python). Full-width digits and
signs (１３８－…) are read as ASCII first; full-width parentheses and spaces
count as separators. Masked:

- 18-digit ID card numbers (last character may be X), also written in groups
  (`450103 19900101 1234`): the region code stays, the rest is masked;
- any other run of 15 to 19 digits: 15-digit old ID numbers, an 18-digit
  number with an impossible birth date, bank cards (also in groups of four);
- mobile numbers with or without +86 / 0086 / (+86), with spaces, dots or
  dashes: the first three and last four digits stay;
- landlines with an area code, in parentheses or not, with spaces or dashes;
- passport numbers (E/G and eight digits, or E, a letter and seven);
- e-mail addresses: the first character and the domain stay.

Codes the dashboard itself shows (JQ…, TJ… record numbers, unit codes) have
letters in front of their digits and are never masked.
"""
from __future__ import annotations

import re

_B = "(?<![0-9A-Za-z])"       # no digit or letter just before
_E = "(?![0-9A-Za-z])"        # no digit or letter just after
_ED = "(?![0-9])"             # no digit just after
_SEP = "[ .　-]?"
# Order matters: the longest numbers first, so a shorter pattern never eats part of one.
PATTERNS: tuple[tuple[str, str], ...] = (
    # 18-digit ID card number (valid birth date), optionally as 6 8 4 groups
    (_B + r"([1-9][0-9]{5}) ?(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]) ?[0-9]{3}[0-9Xx]" + _E,
     r"\1************"),
    # bank card in groups of four (16 to 19 digits)
    (_B + r"([0-9]{4})(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?" + _ED, r"\1 **** **** ****"),
    # any other 15 to 19 digits: old 15-digit IDs, malformed IDs, card numbers
    (_B + r"([1-9][0-9]{5})[0-9]{8,12}[0-9Xx]" + _E, r"\1*********"),
    # mobile, with an optional country code
    (_B + r"(?:[(（]?(?:\+|00)?86[)）]?[ -]?)?(1[3-9][0-9])" + _SEP + r"[0-9]{4}" + _SEP + r"([0-9]{4})" + _ED,
     r"\1****\2"),
    # landline with an area code: (0773) 285 1234, 010-12345678, 0773－2851234
    (_B + r"[(（]?(0[1-9][0-9]{1,2})[)）]?[ -]?[0-9]{3,4}[ -]?[0-9]{2}([0-9]{2})" + _ED, r"\1-****\2"),
    # passport
    (_B + r"([EeGg])(?:[0-9]{8}|[A-Za-z][0-9]{7})" + _E, r"\1********"),
    # e-mail address
    (r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", r"\1***@\2"),
)
_FULL = "０１２３４５６７８９＋－＠"
_HALF = "0123456789+-@"
_FOLD = str.maketrans(_FULL, _HALF)


def mask_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text).translate(_FOLD)
    for pattern, replacement in PATTERNS:
        text = re.sub(pattern, replacement, text)
    return text


# DuckDB's RE2 has neither look-behind nor look-ahead: the SQL form captures the character
# before and after instead (or the start / end of the text) and puts it back.
def _sql_pattern(pattern: str) -> tuple[str, int, bool]:
    """(RE2 pattern, the group number shift in front, whether a trailing group was added)."""
    shift, tail = 0, False
    for look, cls in ((_B, "0-9A-Za-z"),):
        if pattern.startswith(look):
            pattern = f"(^|[^{cls}])" + pattern[len(look):]
            shift = 1
    for look, cls in ((_E, "0-9A-Za-z"), (_ED, "0-9")):
        if pattern.endswith(look):
            pattern = pattern[:-len(look)] + f"([^{cls}]|$)"
            tail = True
    return pattern, shift, tail


def _sql_replacement(replacement: str, shift: int, groups: int, tail: bool) -> str:
    shifted = re.sub(r"\\(\d)", lambda m: "\\" + str(int(m.group(1)) + shift), replacement)
    return ("\\1" if shift else "") + shifted + (f"\\{groups}" if tail else "")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mask_sql(expr: str) -> str:
    """SQL that masks `expr` the way `mask_text` does."""
    out = f"translate(cast({expr} as varchar), {_sql_literal(_FULL)}, {_sql_literal(_HALF)})"
    for pattern, replacement in PATTERNS:
        sql_pattern, shift, tail = _sql_pattern(pattern)
        groups = re.compile(sql_pattern).groups
        repl = _sql_replacement(replacement, shift, groups, tail)
        # Twice when anchored: a match consumes the character after it, which the next number needs
        # as its anchor (two numbers one character apart).
        for _ in range(2 if (shift or tail) else 1):
            out = f"regexp_replace({out}, {_sql_literal(sql_pattern)}, {_sql_literal(repl)}, 'g')"
    return out
