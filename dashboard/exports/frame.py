"""A chart in its publication frame: title, filters, source, as-of, and a demo watermark.

`framed(fig, preset, text)` returns a plain figure dict sized for the
preset. Title and subtitle go on top, source and times at the bottom, all
left-aligned on one margin; the watermark crosses the chart. The frame's
annotations are named `tpd-frame-*` and placed in image pixels (x from the
left, y from the top): `frame.js`, loaded into the export browser, first lets
Plotly lay out the bare chart (its axes and legend push the margins as they
need), then reserves the header and footer bands around exactly that and
converts the frame's positions. So long tick labels or a two-row legend never
run into the source line, whatever the chart.

Text widths are estimated (CJK one em, Latin about half) to wrap long
titles and filter lines; the estimate only decides where lines break.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from dashboard.exports.presets import Preset
from dashboard.theme import INK, MUTED

PAD = 20                  # left/right text margin and top padding, CSS px
TITLE_SIZE, TITLE_LINE = 20, 27
SUBTITLE_SIZE, SUBTITLE_LINE = 13, 19
FOOTER_SIZE, FOOTER_LINE = 11, 16
HEADER_GAP = 14           # between the subtitle and the chart
FOOTER_GAP = 14           # between the chart and the source line
WATERMARK_COLOR = "rgba(184, 50, 39, 0.11)"


@dataclass(frozen=True)
class FrameText:
    title: str
    subtitle: list[str] = field(default_factory=list)    # period, unit, area, season, page filters …
    footer: list[str] = field(default_factory=list)      # source line, as-of and generation times
    watermark: str | None = None                         # 演示数据 on a demo warehouse


def text_width(text: str, size: float) -> float:
    """Estimated width in px: CJK and full-width characters one em, others about half."""
    em = 0.0
    for ch in text:
        code = ord(ch)
        if code >= 0x2E80 or 0xFF00 <= code <= 0xFFEF:
            em += 1.0
        elif ch in "mwMW@":
            em += 0.85
        elif ch.isupper() or ch.isdigit():
            em += 0.62
        else:
            em += 0.5
    return em * size


# Chinese text breaks after its punctuation where it can: a line ending in 不 and the next
# beginning 完整周 splits a word. A phrase wider than a line still breaks between characters.
BREAK_AFTER = frozenset("，、；。：！？）》」』·")


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break `text` into lines no wider than `width`: after Chinese punctuation, at spaces and ·
    where there are some, else between characters."""
    lines: list[str] = []
    current = ""
    for phrase in _phrases(text):
        tokens = [phrase] if text_width(phrase.strip(), size) <= width else _tokens(phrase)
        for token in tokens:
            candidate = current + token
            if current and text_width(candidate.rstrip(), size) > width:
                lines.append(current.rstrip())
                current = token.lstrip()
            else:
                current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _phrases(text: str) -> list[str]:
    """Runs of text ending after a space or a Chinese punctuation mark."""
    phrases, current = [], ""
    for ch in text:
        current += ch
        if ch == " " or ch in BREAK_AFTER:
            phrases.append(current)
            current = ""
    if current:
        phrases.append(current)
    return phrases


def _tokens(text: str) -> list[str]:
    """Latin words and separators stay whole; each CJK character is its own token."""
    tokens, word = [], ""
    for ch in text:
        if ord(ch) >= 0x2E80:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + ch)
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    header: int
    footer: int
    title_lines: list[str]
    subtitle_lines: list[str]
    footer_lines: list[str]


def geometry(preset: Preset, text: FrameText, chart_height: int | None = None) -> Geometry:
    """Where everything goes for `preset`; `chart_height` is the figure's own height, if it set one."""
    room = preset.width - 2 * PAD
    title_lines = wrap(text.title, room, TITLE_SIZE)
    subtitle_lines = [line for part in text.subtitle if part for line in wrap(part, room, SUBTITLE_SIZE)]
    footer_lines = [line for part in text.footer if part for line in wrap(part, room, FOOTER_SIZE)]
    header = PAD + TITLE_LINE * len(title_lines) + SUBTITLE_LINE * len(subtitle_lines) + HEADER_GAP
    footer = FOOTER_GAP + FOOTER_LINE * len(footer_lines) + PAD - 6
    if preset.height:
        height = preset.height
    else:
        height = header + max(preset.body_height, chart_height or 0) + footer
    return Geometry(preset.width, height, header, footer, title_lines, subtitle_lines, footer_lines)


def _note(name: str, text: str, x: float, y: float, size: int, color: str, **more) -> dict:
    return {"name": name, "text": text, "x": x, "y": y, "xanchor": "left", "yanchor": "top",
            "showarrow": False, "align": "left", "font": {"size": size, "color": color}, **more}


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
        if trace.get("orientation") == "h" or values is None:
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


def framed(fig, preset: Preset, text: FrameText) -> dict:
    """The figure as a dict, sized for `preset`, with its frame annotations (see module doc)."""
    spec = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    spec = {"data": list(spec.get("data") or []), "layout": dict(spec.get("layout") or {})}
    layout = spec["layout"]
    own_title = layout.pop("title", None)
    own_title = own_title.get("text") if isinstance(own_title, dict) else getattr(own_title, "text", None)
    if own_title:   # a figure's own title (e.g. a total) becomes the first filter line
        text = FrameText(text.title, [own_title, *text.subtitle], text.footer, text.watermark)
    if preset.min_font:
        fit_month_ticks(layout, preset.width, preset.min_font)
        fit_listed_ticks(layout, preset.width, preset.min_font)
        tilt_crowded_categories(spec, preset.width, preset.min_font)
        room_for_bar_labels(spec, preset.min_font)
        # Plotly shrinks a number to fit its bar: on a phone one that cannot stay readable is left out.
        layout.setdefault("uniformtext", {"minsize": preset.min_font, "mode": "hide"})
        wrap_own_notes(layout, preset.width, preset.min_font)
        for name, axis in layout.items():     # tick labels a little off the bars they name
            if name.startswith("yaxis") and isinstance(axis, dict):
                axis["ticklabelstandoff"] = max(axis.get("ticklabelstandoff") or 0, 4)
    chart_height = layout.get("height") if isinstance(layout.get("height"), (int, float)) else None
    g = geometry(preset, text, int(chart_height) if chart_height else None)

    margin = dict(layout.get("margin") or {})
    margin.update({"l": max(margin.get("l", 0) or 0, PAD), "r": max(margin.get("r", 0) or 0, PAD),
                   "t": max(margin.get("t", 0) or 0, 8), "b": max(margin.get("b", 0) or 0, 8)})
    notes = list(layout.get("annotations") or [])
    y = PAD
    for line in g.title_lines:
        notes.append(_note("tpd-frame-title", f"<b>{_esc(line)}</b>", PAD, y, TITLE_SIZE, INK))
        y += TITLE_LINE
    for line in g.subtitle_lines:
        notes.append(_note("tpd-frame-subtitle", _esc(line), PAD, y + 2, SUBTITLE_SIZE, MUTED))
        y += SUBTITLE_LINE
    y = g.height - g.footer + FOOTER_GAP
    for line in g.footer_lines:
        notes.append(_note("tpd-frame-footer", _esc(line), PAD, y, FOOTER_SIZE, MUTED))
        y += FOOTER_LINE
    if text.watermark:
        body_middle = g.header + (g.height - g.header - g.footer) / 2
        notes.append({"name": "tpd-frame-watermark", "text": _esc(text.watermark), "x": g.width / 2,
                      "y": body_middle, "xanchor": "center", "yanchor": "middle", "textangle": -24,
                      "showarrow": False, "font": {"size": round(g.width / 7), "color": WATERMARK_COLOR}})
    layout.update({
        "width": g.width, "height": g.height, "margin": margin, "annotations": notes,
        "paper_bgcolor": "white", "autosize": False,
        # unclash: frame.js moves a caption down where it runs into another (narrow media only)
        "meta": {"tpd_frame": {"header": g.header, "footer": g.footer, "unclash": bool(preset.min_font)}},
    })
    return at_least(spec, preset.min_font) if preset.min_font else spec
