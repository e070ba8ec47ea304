"""Numbers as a person reads them: counts with separators, rates in %, yuan, minutes."""
from __future__ import annotations

import math


def fmt_value(fmt: str, value, lang: str = "zh", symbol: bool = True) -> str:
    """`symbol`: yuan with its ¥ (off where the unit 元 is written beside the number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if fmt == "rate":
        return f"{value * 100:.1f}%"
    if fmt == "yuan":
        return f"¥{value:,.0f}" if symbol else f"{value:,.0f}"
    if fmt in ("minutes", "per10k"):
        return f"{value:,.1f}" if fmt == "minutes" else f"{value:,.2f}"
    if fmt == "score":
        return f"{value:.2f}"
    return f"{int(round(value)):,}"


def fmt_change(fmt: str, change, lang: str = "zh") -> str:
    """Rates change in percentage points, counts in per cent of the earlier value."""
    if fmt == "rate":
        return f"{change.delta * 100:+.1f}" + ("个百分点" if lang == "zh" else " pp")
    if change.relative is not None:
        return f"{change.relative * 100:+.0f}%"
    return f"{change.delta:+,.1f}"
