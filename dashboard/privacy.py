"""Masking personal numbers in free text before anyone sees it.

Incident summaries, survey comments and nomination reasons are stored as
written, but shown and exported only through `mask_sql` (inside DuckDB, in
bulk) or `mask_text` (the same rules in Python): 18-digit ID card numbers
(last character may be X), 15-digit old ID numbers, mobile numbers with or
without +86 and with spaces or dashes, and landlines with an area code keep
only their first and last digits.
"""
from __future__ import annotations

import re

# Order matters: ID numbers first, so a mobile pattern never eats part of one.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(?<![0-9])([1-9][0-9]{5})(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])",
     r"\1********####"),
    (r"(?<![0-9])([1-9][0-9]{5})[0-9]{6}[0-9]{3}(?![0-9])", r"\1******###"),
    (r"(?<![0-9])((?:\+|00)?86[ -]?)?(1[3-9][0-9])[ -]?[0-9]{4}[ -]?([0-9]{4})(?![0-9])", r"\2****\3"),
    (r"(?<![0-9])(0[1-9][0-9]{1,2})[ -]?[0-9]{5,6}([0-9]{2})(?![0-9])", r"\1-****\2"),
)
# DuckDB's RE2 has no look-behind: the SQL form anchors on a non-digit or the start instead.
_SQL_PATTERNS = tuple(
    (p.replace("(?<![0-9])", "(^|[^0-9])").replace("(?![0-9])", "([^0-9]|$)"), r) for p, r in PATTERNS
)


def mask_text(text: str | None) -> str | None:
    if text is None:
        return None
    for pattern, replacement in PATTERNS:
        text = re.sub(pattern, replacement, text)
    return text.replace("####", "****").replace("###", "***")


def _sql_replacement(replacement: str) -> str:
    # Shift group numbers by one for the leading anchor group, keep the anchors.
    shifted = re.sub(r"\\(\d)", lambda m: "\\" + str(int(m.group(1)) + 1), replacement)
    return "\\1" + shifted + "\\LAST"


def mask_sql(expr: str) -> str:
    """SQL that masks `expr` the way `mask_text` does."""
    out = expr
    for pattern, replacement in _SQL_PATTERNS:
        groups = re.compile(pattern).groups
        repl = _sql_replacement(replacement).replace("\\LAST", f"\\{groups}")
        # Twice: a match consumes the non-digit after it, which the next number needs as its anchor.
        for _ in range(2):
            out = f"regexp_replace({out}, '{pattern}', '{repl}', 'g')"
    return f"replace(replace({out}, '####', '****'), '###', '***')"
