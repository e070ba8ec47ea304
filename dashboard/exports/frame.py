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

Long titles and filter lines are wrapped (`lines.py`); a narrow medium gets
its chart fitted first (`narrow.py`).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from dashboard.exports.lines import text_width, wrap  # noqa: F401  (text_width: the frame's measure, for its callers)
from dashboard.exports.narrow import PAD, at_least, fit_narrow
from dashboard.exports.presets import Preset
from dashboard.theme import INK, MUTED

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
        fit_narrow(spec, preset.width, preset.min_font)
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
