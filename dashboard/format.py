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


# Figures whose change is stated by how much, in their own unit (+0.2 分钟, +1.26): a per cent
# of a median time or of a rate per 10,000 visitors reads as a count's change and says less.
CHANGE_IN_UNITS = frozenset({"minutes", "score", "per10k"})


def change_form(fmt: str, change) -> str:
    """How a change is worded, on the KPI cards and in the briefing alike: "points" for rates
    (percentage points), "units" for times, scores and rates per 10,000 visitors, "relative"
    for counts and money (per cent of the earlier value), "amount" for those on a small base,
    where `analysis.change` gives no relative change (增加/减少 n)."""
    if fmt == "rate":
        return "points"
    if fmt in CHANGE_IN_UNITS:
        return "units"
    return "relative" if change.relative is not None else "amount"


def fmt_change(fmt: str, change, lang: str = "zh") -> str:
    """A change as `change_form` words it: +1.2个百分点, +0.2分钟, +12%, +6."""
    form = change_form(fmt, change)
    if form == "points":
        return f"{change.delta * 100:+.1f}" + ("个百分点" if lang == "zh" else " pp")
    if form == "relative":
        return f"{change.relative * 100:+.0f}%"
    if form == "units":
        return change_in_units(fmt, change.delta, lang)
    return f"{change.delta:+,.0f}"


def shows_as_zero(fmt: str, change, relative_places: int = 0) -> bool:
    """Whether `change` prints as zero in `change_form`'s wording (then it reads 持平 / unchanged):
    per cent with `relative_places` decimals (the cards 0, the briefing 1), points and units as
    `fmt_change` prints them, amounts as whole numbers."""
    if not change.delta:
        return True
    form = change_form(fmt, change)
    if form == "points":
        return abs(change.delta) * 100 < 0.05
    if form == "units":
        return abs(change.delta) < (0.05 if fmt == "minutes" else 0.005)
    if form == "relative":
        return abs(change.relative) * 100 < 0.5 * 10 ** -relative_places
    return abs(change.delta) < 0.5


def change_in_units(fmt: str, delta: float, lang: str = "zh") -> str:
    """+0.2分钟 / +0.2 min for times; +0.05 for scores and rates per 10,000 visitors."""
    if fmt == "minutes":
        return f"{delta:+.1f}" + ("分钟" if lang == "zh" else " min")
    return f"{delta:+.2f}"
