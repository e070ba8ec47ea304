"""Figure pieces every chart shares: empty states, time axes, peak bands, rate and money axes.

Time charts draw each week, month or day over its whole span (`period_x`),
so a bar stands between the days it counts and lines up with the shaded
holidays. A bucket the period covers only in part (the current week,
mostly) is drawn apart: its bar lighter and hatched, its rate point hollow at
the end of a dotted segment, and it is named in the chart's top strip. The
strip holds the peak-band captions too, laid out in up to two rows so no two
overprint; the y-axes keep it free (`reserve`), so no bar or line reaches
into it. Rate axes tick every 5, 10 or 20 points with room above 100 %;
money axes read as 元 / 万 in Chinese.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from dashboard.figures import lite as go

from dashboard.model.periods import bucket_after
from dashboard.text import t
from dashboard.theme import MUTED, PEAK_BAND, POLICE_BLUE

DAY_MS = 24 * 3600 * 1000
MONDAY = "2000-01-03"           # weeks run Monday to Sunday (Plotly's default weeks start on Sunday)
PLOT_PX = 520                   # a typical plot width, to lay captions out before the browser does
STRIP_ROW_PX = 15               # one row of captions above the data
PARTIAL_OPACITY = 0.45
HIGHLIGHT_FILL = "rgba(31,78,140,0.07)"    # the chosen period within a longer trend
HIGHLIGHT_LINE = "rgba(31,78,140,0.3)"


def empty_figure(message: str, height: int = 260) -> go.Figure:
    """No axes, just the sentence: an empty chart must say so in words."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=MUTED))
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False), height=height,
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def titled(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    fig.update_layout(title_text=title)
    if height:
        fig.update_layout(height=height)
    return fig


# ---------------------------------------------------------------- time buckets

def period_x(grain: str) -> dict:
    """Trace settings that put each point in the middle of its bucket (bars span it)."""
    if grain == "month":
        return dict(xperiod="M1", xperiod0="2000-01-01", xperiodalignment="middle")
    if grain == "week":
        return dict(xperiod=7 * DAY_MS, xperiod0=MONDAY, xperiodalignment="middle")
    return dict(xperiod=DAY_MS, xperiod0="2000-01-01", xperiodalignment="middle")


def as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):        # a Timestamp too: no new one needed
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def bucket_span(keys, grain: str) -> tuple[dt.date, dt.date]:
    """The first day of the first bucket and the day after the last one."""
    days = [as_date(k) for k in keys]
    return min(days), bucket_after(max(days), grain)


def time_axis(first: dt.date, after: dt.date, grain: str, lang: str = "zh") -> dict:
    """An x-axis from the first bucket's first day to the end of the last: ticks on bucket starts
    (months named in the middle of theirs, with the year only when the axis spans two)."""
    axis = dict(type="date", range=[first.isoformat(), after.isoformat()], showgrid=False)
    if grain == "month":
        months = (after.year - first.year) * 12 + after.month - first.month
        one_year = (after - dt.timedelta(days=1)).year == first.year
        fmt = ("%-m月" if lang == "zh" else "%b") if one_year else "%Y-%m"
        return {**axis, "tickformat": fmt, "ticklabelmode": "period", "tickangle": 0,
                "dtick": "M1" if months <= 12 else "M2" if months <= 24 else "M3"}
    days = (after - first).days
    if grain == "week":
        weeks = days // 7
        step = 7 if weeks <= 8 else 14 if weeks <= 18 else 28 if weeks <= 36 else None
        return {**axis, "tickformat": "%m-%d", **({"dtick": step * DAY_MS, "tick0": MONDAY} if step else {})}
    return {**axis, "tickformat": "%m-%d"}


@dataclass(frozen=True)
class Coverage:
    """Which buckets the period covers only in part, and the days each one counts."""
    partial: list[bool]
    counted_from: list[dt.date]
    counted_to: list[dt.date]


def coverage(df: pd.DataFrame, grain: str) -> Coverage:
    """From a frame's `partial`, `counted_from`, `counted_to` (breakdown.with_coverage); a frame
    without them is taken as whole buckets."""
    starts = [as_date(k) for k in df["key"]]
    if "partial" not in df:
        return Coverage([False] * len(starts), starts,
                        [bucket_after(s, grain) - dt.timedelta(days=1) for s in starts])
    return Coverage([bool(p) for p in df["partial"]], [as_date(v) for v in df["counted_from"]],
                    [as_date(v) for v in df["counted_to"]])


def span_coverage(keys, grain: str, start: dt.date, end: dt.date) -> Coverage:
    """`coverage` for buckets starting on `keys` of a period from `start` to `end`."""
    starts = [as_date(k) for k in keys]
    lasts = [bucket_after(s, grain) - dt.timedelta(days=1) for s in starts]
    return Coverage([s < start or last > end for s, last in zip(starts, lasts)],
                    [max(s, start) for s in starts], [min(last, end) for last in lasts])


def _md(day: dt.date) -> str:
    return f"{day.month:02d}-{day.day:02d}"


def bucket_text(key, grain: str, lang: str, cov: Coverage | None = None, i: int | None = None) -> str:
    """A bucket as a person names it (a week by its first and last day), and, when the period
    covers it only in part, which of its days are counted."""
    start = as_date(key)
    if grain == "month":
        text = f"{start.year}-{start.month:02d}"
    elif grain == "week":
        last = bucket_after(start, grain) - dt.timedelta(days=1)
        text = t("chart.week_span", lang, first=_md(start), last=_md(last))
    else:
        text = start.isoformat()
    if cov is not None and i is not None and cov.partial[i]:
        first, last = cov.counted_from[i], cov.counted_to[i]
        days = (last - first).days + 1
        text += t(f"chart.partial_{grain}_hover", lang, first=_md(first), last=_md(last), days=days)
    return text


def count_bars(x, y, partial: list[bool], *, name: str, color, hovertext: list[str], grain: str,
               opacity: float = 0.85, hovertemplate: str = "%{hovertext}<extra></extra>",
               customdata=None, **more) -> list[go.Bar]:
    """Bars of whole buckets, and the partial buckets' bars lighter and hatched: two traces in one
    legend entry and one bar slot (`offsetgroup`), so a grouped chart keeps its pairs."""
    x, y = list(x), list(y)
    colors = color if isinstance(color, list) else [color] * len(x)
    more = {"offsetgroup": name, "legendgroup": name, **period_x(grain), **more}
    traces = []
    for part in (False, True):
        idx = [i for i, p in enumerate(partial) if p == part]
        if not idx and part:
            continue

        def pick(seq, idx=idx):
            return [seq[i] for i in idx]
        # One colour goes as a colour, not a list of it: plotly.js hands a hatched trace's list whole
        # to its pattern code, which logs "Invalid color specifier: Array(n)" at every redraw.
        marker = dict(color=color if not isinstance(color, list) else pick(colors),
                      opacity=PARTIAL_OPACITY if part else opacity, line=dict(width=0))
        if part:
            marker["pattern"] = dict(shape="/", fillmode="overlay", fgcolor="white", size=6, solidity=0.35)
        traces.append(go.Bar(x=pick(x), y=pick(y), name=name, marker=marker, showlegend=not part,
                             hovertext=pick(hovertext), hovertemplate=hovertemplate,
                             customdata=None if customdata is None else pick(list(customdata)), **more))
    return traces


def widen_lone_bucket(fig: go.Figure, grain: str, axis: str = "x") -> go.Figure:
    """Bars at one bucket only (a one-week period) get the bucket's width: Plotly sizes bars by the
    gaps between them and, with none, draws a hairline. Stacked or overlaid bars only."""
    bars = [tr for tr in fig.data if tr.type == "bar" and (tr.xaxis or "x") == axis and tr.orientation != "h"]
    if len({str(x) for tr in bars for x in (tr.x if tr.x is not None else ())}) == 1:
        days = {"month": 30, "week": 7}.get(grain, 1)
        for tr in bars:
            tr.width = days * DAY_MS * 0.7
    return fig


def time_line(x, y, partial: list[bool], *, name: str, color: str, hovertext: list[str], grain: str,
              yaxis: str = "y", width: float = 2.5, marker_size: int = 7, legendgroup: str | None = None,
              hovertemplate: str = "%{hovertext}<extra></extra>", showlegend: bool = True,
              customdata=None) -> list[go.Scatter]:
    """A value over time: a solid line through whole buckets; a partial bucket's point hollow,
    reached by a dotted segment, so a week cut short never reads as a fall."""
    x, y = list(x), [None if v is None or pd.isna(v) else float(v) for v in y]
    group = legendgroup or name
    common = dict(yaxis=yaxis, legendgroup=group, **period_x(grain))
    whole = [None if p else v for v, p in zip(y, partial)]
    traces = [go.Scatter(x=x, y=whole, mode="lines+markers", name=name, connectgaps=False,
                         line=dict(color=color, width=width), marker=dict(size=marker_size, color=color),
                         hovertext=hovertext, hovertemplate=hovertemplate, showlegend=showlegend,
                         customdata=customdata, **common)]
    if not any(partial):
        return traces
    dash_x, dash_y = [], []
    for i in range(len(x) - 1):
        if (partial[i] or partial[i + 1]) and y[i] is not None and y[i + 1] is not None:
            dash_x += [x[i], x[i + 1], x[i + 1]]
            dash_y += [y[i], y[i + 1], None]
    if dash_x:
        traces.append(go.Scatter(x=dash_x, y=dash_y, mode="lines", line=dict(color=color, width=width * 0.7,
                                 dash="dot"), hoverinfo="skip", showlegend=False, **common))
    idx = [i for i, p in enumerate(partial) if p and y[i] is not None]
    if idx:
        traces.append(go.Scatter(
            x=[x[i] for i in idx], y=[y[i] for i in idx], mode="markers", name=name, showlegend=False,
            marker=dict(size=marker_size + 1, color="white", line=dict(color=color, width=2)),
            hovertext=[hovertext[i] for i in idx], hovertemplate=hovertemplate,
            customdata=None if customdata is None else [customdata[i] for i in idx], **common))
    return traces


# ---------------------------------------------------------------- the top strip: band captions, part-bucket notes

@dataclass
class Strip:
    """Shapes (peak bands) and captions for the top of a time chart, and the rows they use."""
    shapes: list = field(default_factory=list)
    annotations: list = field(default_factory=list)
    rows: int = 0

    def reserve(self, plot_height_px: float) -> float:
        """The share of the plot's height the captions take (keep the data below it)."""
        return 0.0 if not self.rows else min(0.4, (self.rows * STRIP_ROW_PX + 6) / max(plot_height_px, 80))

    def apply(self, fig: go.Figure) -> go.Figure:
        if self.shapes or self.annotations:
            fig.update_layout(shapes=list(fig.layout.shapes) + self.shapes,
                              annotations=list(fig.layout.annotations) + self.annotations)
        return fig


def text_px(text: str, size: int = 11) -> float:
    """Estimated width of a caption: CJK characters an em, others about 0.55 em."""
    return sum(size if ord(ch) > 0x2e80 else size * 0.56 for ch in text) + 4


def outside_label_room(texts, size: int = 14) -> int:
    """Right margin (px) that holds the widest label drawn past a bar's end: the longest bar reaches the
    plot's edge, so its label lies wholly in the margin (14 px: the theme's font, which such labels take)."""
    return math.ceil(max((text_px(s, size) for s in texts), default=0)) + 6


BAND_CAPTION = "tpd-band"       # a band's name: where it cannot stay clear of another caption it is left out


def _caption(text: str, x: dt.date, row: int, anchor: str, color: str = MUTED, name: str | None = None) -> dict:
    return dict(text=text, x=x.isoformat(), xref="x", y=1, yref="paper", yanchor="top", xanchor=anchor,
                yshift=-row * STRIP_ROW_PX, showarrow=False, font=dict(size=11, color=color),
                **({"name": name} if name else {}))


def top_strip(bands, first: dt.date, after: dt.date, lang: str, cov: Coverage | None = None,
              keys=None, grain: str = "week", plot_px: int = PLOT_PX, max_rows: int = 2,
              highlight: tuple[dt.date, dt.date, str] | None = None) -> Strip:
    """Peak bands shaded over [first, after), and the captions of the strip: the highlighted span
    (first day, last day, caption: the chosen period within a longer trend) and the part-bucket
    notes first, then each band's name at its start, in the first of `max_rows` rows where it
    overprints nothing. A band cut by the axis edge and too narrow for its name stays unnamed, as
    does one whose name finds no free place."""
    strip = Strip()
    total = max(1, (after - first).days)

    def px(day: dt.date) -> float:
        return (day - first).days / total * plot_px

    taken: list[list[tuple[float, float]]] = [[] for _ in range(max_rows)]

    def place(left: float, right: float) -> int | None:
        for row, spans in enumerate(taken):
            if all(right + 6 <= a or left >= b + 6 for a, b in spans):
                spans.append((left, right))
                strip.rows = max(strip.rows, row + 1)
                return row
        return None

    if highlight and (highlight[0] > first or highlight[1] + dt.timedelta(days=1) < after):
        x0, x1 = max(highlight[0], first), min(highlight[1] + dt.timedelta(days=1), after)
        strip.shapes.append(dict(type="rect", xref="x", yref="paper", x0=x0.isoformat(), x1=x1.isoformat(),
                                 y0=0, y1=1, fillcolor=HIGHLIGHT_FILL, line=dict(width=1, color=HIGHLIGHT_LINE),
                                 layer="below"))
        width = text_px(highlight[2])
        left, anchor, at = px(x0), "left", x0
        if left + width > plot_px:
            left, anchor, at = px(x1) - width, "right", x1
        row = place(left, left + width)
        if row is not None:
            strip.annotations.append(_caption(highlight[2], at, row, anchor, POLICE_BLUE))
    if cov is not None and keys is not None:
        for i, key in enumerate(keys):
            if not cov.partial[i]:
                continue
            start = as_date(key)
            end = bucket_after(start, grain)
            text = t(f"chart.partial_{grain}", lang)
            width = text_px(text)
            at_end = i == len(cov.partial) - 1
            left = px(end) - width if at_end else px(start)
            row = place(left, left + width)
            if row is not None:
                strip.annotations.append(_caption(text, end if at_end else start, row,
                                                  "right" if at_end else "left"))
    for band_first, band_last, kind in sorted(bands):
        label = t(f"band.{kind}", lang)
        band_after = band_last + dt.timedelta(days=1)
        if band_after <= first or band_first >= after:
            continue
        x0, x1 = max(band_first, first), min(band_after, after)
        strip.shapes.append(dict(type="rect", xref="x", yref="paper", x0=x0.isoformat(), x1=x1.isoformat(),
                                 y0=0, y1=1, fillcolor=PEAK_BAND, line_width=0, layer="below"))
        if not label:
            continue
        width, band_px = text_px(label), px(x1) - px(x0)
        clipped = band_first < first or band_after > after
        if band_px < 2 or (clipped and band_px < width * 0.6):
            continue   # a sliver at the edge: shaded, not named
        left, anchor, at = px(x0), "left", x0
        if left + width > plot_px:
            left, anchor, at = px(x1) - width, "right", x1
        row = place(left, left + width)
        if row is not None:
            strip.annotations.append(_caption(label, at, row, anchor, name=BAND_CAPTION))
    return strip


# ---------------------------------------------------------------- value axes

def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def count_axis(top: float, reserve: float = 0.0, **more) -> dict:
    """A count axis from 0 with whole-number ticks, its top kept below the caption strip."""
    top = float(top) if top and top > 0 else 1.0
    axis = dict(range=[0, top * 1.06 / (1 - reserve)], tickformat=",d", rangemode="tozero", **more)
    if top <= 6:
        axis["dtick"] = 1
    return axis


def rate_axis(values, reserve: float = 0.0) -> dict:
    """A rate axis that shows movement: round ticks (5, 10 or 20 points) from a little below the
    lowest value up to 100 %, with room above 100 % so a full mark is never cut."""
    found = [float(v) for v in values if v is not None and not pd.isna(v)]
    low = min(found) if found else 0.0
    span = 1.0 - low
    step = 0.05 if span <= 0.25 else 0.1 if span <= 0.55 else 0.2
    lo = max(0.0, math.floor((low - step * 0.3) / step + 1e-9) * step)
    top = 1.0 + 0.05 * (1.0 - lo) + 0.005
    hi = lo + (top - lo) / (1 - reserve)
    ticks, v = [], lo
    while v <= 1.0 + 1e-9:
        ticks.append(round(v, 4))
        v += step
    return dict(range=[lo, hi], tickvals=ticks, tickformat=".0%", zeroline=False)


def yuan_axis(top: float, lang: str, **more) -> dict:
    """A money axis: 元 with separators in Chinese (万 once it runs into the hundred thousands),
    ¥ with separators in English."""
    top = float(top) if top and top > 0 else 1.0
    if lang != "zh":
        return dict(tickformat=",.0f", tickprefix="¥", **more)
    if top < 100_000:
        return dict(tickformat=",d", **more)
    step = _nice_step(top / 4)
    ticks = [i * step for i in range(int(top // step) + 2)]
    return dict(tickvals=ticks, ticktext=[f"{v / 10000:,.4g}万" if v else "0" for v in ticks], **more)
