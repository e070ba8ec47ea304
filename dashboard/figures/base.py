"""Figure pieces every chart shares: the empty state, peak bands, sparklines."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from dashboard import theme  # noqa: F401  (registers the template)
from dashboard.theme import MUTED, PEAK_BAND, POLICE_BLUE


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
    """Shade holidays and peak-season deployments on a time axis, labelled at the top."""
    for first, last, label in bands:
        if last < start or first > end:
            continue
        x0 = max(first, start)
        x1 = min(last, end) + dt.timedelta(days=1)
        fig.add_vrect(x0=x0, x1=x1, fillcolor=PEAK_BAND, line_width=0, layer="below",
                      annotation_text=label, annotation_position="top left",
                      annotation=dict(font=dict(size=11, color=MUTED)))
    return fig


def sparkline(x, y, color: str = POLICE_BLUE, fmt: str = ",d") -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(x), y=list(y), mode="lines", line=dict(color=color, width=2),
                               fill="tozeroy", fillcolor="rgba(31,78,140,0.08)",
                               hovertemplate=f"%{{x|%m-%d}}: %{{y:{fmt}}}<extra></extra>"))
    fig.update_layout(height=46, margin=dict(l=0, r=0, t=2, b=0), showlegend=False,
                      xaxis=dict(visible=False), yaxis=dict(visible=False, rangemode="tozero"))
    return fig
