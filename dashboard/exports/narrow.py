"""A chart fitted to a narrow medium (the WeChat preset: 360 px, the width a phone shows it at).

Charts are drawn for the page's width. On a phone, `fit_narrow` makes every
text at least the preset's `min_font` and keeps labels apart: month ticks
thinned, week ticks spaced out, listed ticks thinned from the top, crowded category labels tilted,
numbers too small for their bar left out, labels beside horizontal bars given
the margin they need, a chart's own long notes wrapped, tick labels off the
bars. (`frame.js` then moves any caption that still runs into another.)
"""
from __future__ import annotations

import datetime as dt

from dashboard.exports.lines import text_width, wrap

PAD = 20                  # the frame's left/right text margin and top padding, CSS px


FONT_KEYS = ("font", "textfont", "tickfont", "insidetextfont", "outsidetextfont", "titlefont")


def at_least(spec, size: int):
    """`spec` (a figure dict, or any part of one) with every font size raised to `size`; the text
    a chart hides when it does not fit (`uniformtext.minsize`) likewise."""
    if isinstance(spec, list):
        return [at_least(item, size) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {}
    for key, value in spec.items():
        if key in FONT_KEYS and isinstance(value, dict):
            value = dict(at_least(value, size))
            sizes = value.get("size")
            if isinstance(sizes, (int, float)):
                value["size"] = max(sizes, size)
            elif isinstance(sizes, (list, tuple)):
                value["size"] = [max(v, size) if isinstance(v, (int, float)) else v for v in sizes]
        elif key == "uniformtext" and isinstance(value, dict):
            value = {**value, "minsize": max(value.get("minsize") or 0, size)}
        else:
            value = at_least(value, size)
        out[key] = value
    return out


MONTH_STEPS = (1, 2, 3, 4, 6, 12)


def _months(axis: dict) -> int | None:
    try:
        first, after = (dt.date.fromisoformat(str(v)[:10]) for v in axis["range"])
    except (KeyError, TypeError, ValueError):
        return None
    return (after.year - first.year) * 12 + after.month - first.month


def fit_month_ticks(layout: dict, width: float, size: int) -> None:
    """Month ticks (dtick M1, M2 …) thinned to every 2nd, 3rd … month where a label each month
    would run into the next at `width` (layout px) and font `size`: 10月11月12月 reads as one word."""
    for name, axis in layout.items():
        if not (name.startswith("xaxis") and isinstance(axis, dict)) or not str(axis.get("dtick", "")).startswith("M"):
            continue
        months = _months(axis)
        if not months:
            continue
        domain = axis.get("domain") or [0, 1]
        room = (domain[1] - domain[0]) * (width - 2 * PAD - 50)
        label = text_width("12月" if "月" in str(axis.get("tickformat", "")) else "2026-12", size) + size
        step = max(int(str(axis["dtick"])[1:] or 1), 1)
        for candidate in MONTH_STEPS:
            if candidate >= step and months / candidate * label <= room:
                step = candidate
                break
        else:
            step = MONTH_STEPS[-1]
        axis["dtick"] = f"M{step}"


DAY_MS = 86_400_000


def fit_day_ticks(layout: dict, width: float, size: int) -> None:
    """Date ticks a fixed number of days apart (a week, two …) doubled until the labels (11-30)
    side by side fit the plot at `width` (layout px), the right margin (a target's caption) left out."""
    margin = layout.get("margin") or {}
    for name, axis in layout.items():
        if not (name.startswith("xaxis") and isinstance(axis, dict)) or axis.get("type") != "date":
            continue
        step = axis.get("dtick")
        if not isinstance(step, (int, float)) or step <= 0 or not axis.get("range"):
            continue
        try:
            first, after = (dt.date.fromisoformat(str(v)[:10]) for v in axis["range"])
        except (TypeError, ValueError):
            continue
        domain = axis.get("domain") or [0, 1]
        room = (domain[1] - domain[0]) * (width - 2 * PAD - 50 - (margin.get("r") or 0))
        label = text_width("12-30", size) + size
        days = (after - first).days
        while days * DAY_MS / step * label > room and step < days * DAY_MS:
            step *= 2
        axis["dtick"] = step


def _tick_label(value, tickformat: str) -> str:
    if isinstance(value, (int, float)) and tickformat.endswith("%"):
        return f"{value * 100:.0f}%"
    return str(value)


def fit_listed_ticks(layout: dict, width: float, size: int, labels_beside: float = 80) -> None:
    """An x-axis's listed ticks (tickvals: 60%, 70% … 100%) thinned to every 2nd, 3rd … counted
    back from the last, where they would touch at `width`; `labels_beside` is room left for the
    y-axis labels, which are only measured in the browser."""
    margin = layout.get("margin") or {}
    plot = width - (margin.get("l") or 0) - (margin.get("r") or 0) - labels_beside
    for name, axis in layout.items():
        if not (name.startswith("xaxis") and isinstance(axis, dict)) or not axis.get("tickvals"):
            continue
        values = list(axis["tickvals"])
        domain = axis.get("domain") or [0, 1]
        room = (domain[1] - domain[0]) * plot
        widest = max(text_width(_tick_label(v, str(axis.get("tickformat") or "")), size) for v in values) + size
        step = 1
        while len(values[::-1][::step]) * widest > room and step < len(values):
            step += 1
        if step > 1:
            axis["tickvals"] = values[::-1][::step][::-1]


def _axis_of(trace: dict, letter: str) -> str:
    ref = str(trace.get(f"{letter}axis") or letter)
    return f"{letter}axis{ref[1:]}"


def tilt_crowded_categories(spec: dict, width: float, size: int) -> None:
    """A category x-axis whose labels side by side are wider than it (半小时内1小时2小时…) gets
    them at an angle."""
    layout = spec["layout"]
    room = width - 2 * PAD - 50
    labels: dict[str, set[str]] = {}
    for trace in spec["data"]:
        values = trace.get("x")
        # A list of labels only: numbers come as typed arrays (a dict), and an empty trace has none.
        if trace.get("orientation") == "h" or not isinstance(values, (list, tuple)) or not values:
            continue
        if all(isinstance(v, str) for v in values):
            labels.setdefault(_axis_of(trace, "x"), set()).update(values)
    for name, values in labels.items():
        axis = layout.setdefault(name, {})
        domain = axis.get("domain") or [0, 1]
        widest = max(text_width(v, size) for v in values) + size / 2
        if len(values) * widest > (domain[1] - domain[0]) * room:
            axis["tickangle"] = -45


def room_for_bar_labels(spec: dict, size: int) -> None:
    """Labels beside horizontal bars are drawn past the axis's end, which Plotly does not widen
    for them: the right margin takes the widest, so 203.0（81人） is not cut at the image's edge."""
    widest = 0.0
    for trace in spec["data"]:
        position = trace.get("textposition")
        outside = position == "outside" or (isinstance(position, (list, tuple)) and "outside" in position)
        if trace.get("type") != "bar" or trace.get("orientation") != "h" or not outside:
            continue
        font = max((trace.get("textfont") or {}).get("size") or size, size)
        texts = trace.get("text")
        texts = texts if isinstance(texts, (list, tuple)) else [texts] if texts else []
        widest = max([widest] + [text_width(str(v), font) for v in texts if v is not None])
    if widest:
        margin = spec["layout"].setdefault("margin", {})
        margin["r"] = max(margin.get("r") or 0, round(widest + 8))


def wrap_own_notes(layout: dict, width: float, size: int) -> None:
    """A chart's own notes (a total, a median) placed for the page's width, wrapped where they
    would run off a narrow image."""
    room = width - 2 * PAD
    for note in layout.get("annotations") or []:
        text = note.get("text")
        if not isinstance(text, str) or "<br>" in text or str(note.get("name", "")).startswith("tpd-frame"):
            continue
        if note.get("xref", "paper") != "paper" or note.get("textangle"):
            continue
        x = note.get("x", 0.5) if isinstance(note.get("x", 0.5), (int, float)) else 0.5
        anchor = note.get("xanchor") or ("left" if x <= 1 / 3 else "right" if x >= 2 / 3 else "center")
        space = {"left": 1 - x, "right": x, "center": 2 * min(x, 1 - x)}.get(anchor, 1) * room
        font = (note.get("font") or {}).get("size") or size
        if text_width(text, font) > space > 4 * font:
            note["text"] = "<br>".join(wrap(text, space, font))


def fit_narrow(spec: dict, width: float, size: int) -> None:
    """Fit the figure dict `spec` (data and layout) to a medium `width` px wide, text at least `size`."""
    layout = spec["layout"]
    fit_month_ticks(layout, width, size)
    fit_day_ticks(layout, width, size)
    fit_listed_ticks(layout, width, size)
    tilt_crowded_categories(spec, width, size)
    room_for_bar_labels(spec, size)
    # Plotly shrinks a number to fit its bar: on a phone one that cannot stay readable is left out.
    layout.setdefault("uniformtext", {"minsize": size, "mode": "hide"})
    wrap_own_notes(layout, width, size)
    for name, axis in layout.items():     # tick labels a little off the bars they name
        if name.startswith("yaxis") and isinstance(axis, dict):
            axis["ticklabelstandoff"] = max(axis.get("ticklabelstandoff") or 0, 4)
