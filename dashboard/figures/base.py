"""Figure pieces every chart shares: the empty state, peak bands, sparklines."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from dashboard.theme import FONT_FAMILY, MUTED, PEAK_BAND, POLICE_BLUE


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


def add_peak_bands(fig: go.Figure, bands: list[tuple[dt.date, dt.date, str]], start: dt.date,
                   end: dt.date, legend_label: str | None = None) -> go.Figure:
    """Shade holidays and peak-season deployments on a time axis, labelled at the top.

    All shapes and labels go in with one layout update (add_vrect per band is slow),
    and a label that would crowd the previous one goes on a second row.
    """
    shapes, labels, previous = [], [], None
    min_gap = max(7, (end - start).days // 12)
    for first, last, label in sorted(bands):
        if last < start or first > end:
            continue
        x0 = max(first, start)
        x1 = min(last, end) + dt.timedelta(days=1)
        crowded = previous is not None and (x0 - previous).days < min_gap
        previous = x0
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=x0, x1=x1, y0=0, y1=1,
                           fillcolor=PEAK_BAND, line_width=0, layer="below"))
        labels.append(dict(text=label, xref="x", yref="paper", x=x0, y=0.91 if crowded else 0.99,
                           xanchor="left", yanchor="top", showarrow=False,
                           font=dict(size=11, color=MUTED)))
    if shapes:
        fig.update_layout(shapes=list(fig.layout.shapes) + shapes,
                          annotations=list(fig.layout.annotations) + labels)
    return fig


def sparkline(x, y, color: str = POLICE_BLUE, fmt: str = ",d") -> dict:
    """A tiny trend for a KPI card, as a plain figure dict: a page shows a dozen of
    these, and building validated go.Figure objects would cost most of the callback."""
    xs = [v.isoformat() if hasattr(v, "isoformat") else v for v in x]
    ys = [None if v is None or v != v else float(v) for v in y]
    return {
        "data": [{"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                  "line": {"color": color, "width": 2}, "fill": "tozeroy",
                  "fillcolor": "rgba(31,78,140,0.08)",
                  "hovertemplate": f"%{{x|%m-%d}}: %{{y:{fmt}}}<extra></extra>"}],
        "layout": {"height": 46, "margin": {"l": 0, "r": 0, "t": 2, "b": 0}, "showlegend": False,
                   "xaxis": {"visible": False}, "yaxis": {"visible": False, "rangemode": "tozero"},
                   "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                   "font": {"family": FONT_FAMILY}},
    }
