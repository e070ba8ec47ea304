"""Figures of the Incidents page: pure functions, DataFrame in, go.Figure out.

Category, source and case-type colours come from `theme.color_of`, so 盗窃 is
the same colour here as in every export. Charts that choose something (the
category and area bars) carry the recorded value in `customdata`, which is
what a click reports, whatever language the labels are in.
"""
from __future__ import annotations

import math

import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import (bucket_span, bucket_text, count_axis, count_bars, coverage, empty_figure,
                                    outside_label_room, rate_axis, text_px, time_line, time_axis, top_strip)
from dashboard.format import fmt_value
from dashboard.model.catalog import BY_ID
from dashboard.text import t, value_label
from dashboard.theme import GREY_OUT, GRID, MUTED, POLICE_BLUE, RAG, color_of
from warehouse.record_types import ADMINISTRATIVE_CASE, CRIMINAL_CASE

BLUES = [[0.0, "#f4f7fb"], [0.15, "#cfe0f3"], [0.45, "#7fb0e0"], [0.75, "#3b78bf"], [1.0, "#163a6b"]]


def _label(metric_id: str, lang: str) -> str:
    m = BY_ID[metric_id]
    return m.zh if lang == "zh" else m.en


BAR_HEIGHT = 340      # the page gives the category, source and area charts one height


def category_figure(df: pd.DataFrame, selected: str | None, lang: str) -> go.Figure:
    """Incidents per category, largest on top; the chosen category stands out, the others grey."""
    if df.empty or df["incidents"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    df = df.iloc[::-1]
    total = int(df["incidents"].sum())
    share = df["incidents"] / total
    colors = [color_of(c) if not selected or c == selected else GREY_OUT for c in df["category"]]
    labels = [f"{n:,} ({s:.0%})" for n, s in zip(df["incidents"], share)]
    fig = go.Figure(go.Bar(
        x=df["incidents"], y=[value_label(c, lang) for c in df["category"]], orientation="h",
        marker_color=colors, customdata=df["category"], text=labels, textposition="outside",
        cliponaxis=False,
        hovertext=[t("incidents.share", lang, v=f"{s:.1%}") for s in share],
        hovertemplate="%{y}: %{x:,d}<br>%{hovertext}<extra></extra>",
    ))
    fig.update_layout(height=BAR_HEIGHT, margin=dict(l=10, r=outside_label_room(labels), t=10, b=30),
                      showlegend=False, xaxis=dict(tickformat=",d", rangemode="tozero"), yaxis=dict(automargin=True))
    return fig


def source_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Incidents per source, largest on top, an unrecorded source last and named as such."""
    if df.empty or df["incidents"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    df = df.iloc[::-1]
    sources = [None if pd.isna(s) else s for s in df["source"]]
    total = int(df["incidents"].sum())
    labels = [t("chart.not_given", lang) if s is None else value_label(s, lang) for s in sources]
    counts = [f"{n:,} ({n / total:.0%})" for n in df["incidents"]]
    fig = go.Figure(go.Bar(
        x=df["incidents"], y=labels, orientation="h",
        marker_color=[color_of(s) for s in sources],
        text=counts, textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,d}<extra></extra>",
    ))
    fig.update_layout(height=BAR_HEIGHT, margin=dict(l=10, r=outside_label_room(counts), t=10, b=30),
                      showlegend=False, xaxis=dict(tickformat=",d", rangemode="tozero"), yaxis=dict(automargin=True))
    return fig


def area_figure(df: pd.DataFrame, selected: str | None, lang: str) -> go.Figure:
    """Per 10,000 visitors (left, the fair comparison, sorted) beside the raw count (right)."""
    if df.empty:
        return empty_figure(t("empty.no_data", lang))
    df = df.iloc[::-1]
    per10k = pd.to_numeric(df["incidents.per_10k_visitors"]).astype(float)
    visitors = pd.to_numeric(df["incidents.per_10k_visitors#n"]).astype(float)
    counts = pd.to_numeric(df["incidents.total"]).astype(int)
    names = list(df["name"])
    base = [POLICE_BLUE if not selected or k == selected else GREY_OUT for k in df["key"]]
    light = ["#7fb0e0" if not selected or k == selected else GREY_OUT for k in df["key"]]
    visitor_text = [t("incidents.visitors", lang, n=f"{int(v):,}") if pd.notna(v) and v > 0
                    else t("incidents.no_visitors", lang) for v in visitors]
    # Two x-axes side by side on one shared y-axis (cheaper than make_subplots, same picture).
    fig = go.Figure()
    fig.add_bar(x=per10k, y=names, orientation="h", marker_color=base, customdata=df["key"],
                text=[f"{v:.2f}" if pd.notna(v) else "—" for v in per10k], textposition="outside",
                cliponaxis=False, hovertext=visitor_text, xaxis="x",
                hovertemplate="%{y}<br>" + t("incidents.area_per10k", lang) + ": %{x:.2f}<br>%{hovertext}"
                              "<extra></extra>")
    fig.add_bar(x=counts, y=names, orientation="h", marker_color=light, customdata=df["key"],
                text=[f"{c:,}" for c in counts], textposition="outside", cliponaxis=False, xaxis="x2",
                hovertemplate="%{y}<br>" + t("incidents.area_total", lang) + ": %{x:,d}<extra></extra>")
    top_rate = per10k.max() if per10k.notna().any() else 1
    axis = dict(showticklabels=False, showgrid=False, zeroline=True, zerolinecolor=GRID, ticks="")
    fig.update_layout(
        height=BAR_HEIGHT, showlegend=False, margin=dict(l=10, r=40, t=34, b=20), bargap=0.3,
        # Room for the value labels outside the bars.
        xaxis=dict(domain=[0, 0.55], range=[0, top_rate * 1.3], **axis),
        xaxis2=dict(domain=[0.6, 1], range=[0, max(counts.max(), 1) * 1.3], anchor="y", **axis),
        annotations=[dict(text=t(key, lang), x=x, y=1.0, xref="paper", yref="paper", yanchor="bottom",
                          xanchor="center", showarrow=False, font=dict(size=13, color=MUTED))
                     for key, x in (("incidents.area_per10k", 0.275), ("incidents.area_total", 0.8))],
    )
    return fig


def heatmap_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Incidents by weekday (rows, Monday on top) and hour received (columns, 0–23)."""
    if df.empty or df["incidents"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    days = t("incidents.weekdays", lang).split(",")
    grid = [[0] * 24 for _ in range(7)]
    for d, h, n in zip(df["weekday"], df["hour"], df["incidents"]):
        grid[int(d) - 1][int(h)] = int(n)
    hour_word = t("incidents.hour", lang)
    top = max(max(row) for row in grid)
    fig = go.Figure(go.Heatmap(
        z=grid, x=list(range(24)), y=days, colorscale=BLUES, xgap=1, ygap=1, zmin=0,
        colorbar=dict(thickness=10, len=0.9, tickformat=",d", outlinewidth=0, tick0=0,
                      title=dict(text=t("incidents.area_total", lang), side="right", font=dict(size=12, color=MUTED)),
                      dtick=max(1, math.ceil(top / 4))),   # whole incidents only
        hovertemplate=f"%{{y}} %{{x}}{hour_word}: %{{z:,d}}<extra></extra>",
    ))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=40),
                      xaxis=dict(tickmode="array", tickvals=list(range(0, 24, 2)), showgrid=False,
                                 title_text=t("incidents.hour_axis", lang), ticks=""),
                      yaxis=dict(autorange="reversed", showgrid=False, ticks=""))
    return fig


def response_figure(df: pd.DataFrame, stats: dict, width: int, cap: int, lang: str) -> go.Figure:
    """Histogram of response minutes; the last bar holds everything from `cap` on;
    the median and P90 are drawn as lines and named."""
    if df.empty or df["incidents"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    lows = [int(b) for b in df["bin_min"]]
    hover = [t("incidents.minutes_over", lang, low=b) if b >= cap
             else t("incidents.minutes_range", lang, low=b, high=b + width) for b in lows]
    fig = go.Figure(go.Bar(
        x=[b + width / 2 for b in lows], y=df["incidents"], width=[width * 0.92] * len(lows),
        marker_color=[POLICE_BLUE if b < cap else MUTED for b in lows],
        hovertext=hover, hovertemplate="%{hovertext}: %{y:,d}<extra></extra>",
    ))
    ticks = list(range(0, cap + 1, 15))
    labels = [str(v) for v in ticks[:-1]] + [t("incidents.response_cap", lang, cap=cap)]
    fig.update_layout(height=300, showlegend=False, bargap=0, margin=dict(l=10, r=10, t=30, b=40),
                      xaxis=dict(tickmode="array", tickvals=ticks, ticktext=labels, range=[0, cap + width],
                                 title_text=t("incidents.response_axis", lang, width=width)),
                      yaxis=dict(tickformat=",d", rangemode="tozero",
                                 title=dict(text=t("incidents.area_total", lang), font=dict(size=12, color=MUTED))))
    for key, value, color, anchor in (("incidents.median", stats.get("median"), RAG["green"], "left"),
                                      ("incidents.p90", stats.get("p90"), RAG["amber"], "left")):
        if value is None or pd.isna(value):
            continue
        x = min(float(value), cap + width / 2)
        fig.add_vline(x=x, line=dict(color=color, width=2, dash="dash"))
        fig.add_annotation(x=x, y=1.0, yref="paper", yanchor="bottom", xanchor=anchor, showarrow=False,
                           text=t(key, lang, v=fmt_value("minutes", value)),
                           font=dict(size=12, color=color))
    return fig


PLOT_PX = 540     # the weekly charts' plot width on a 1440 px screen, to lay captions out


def _weeks(df: pd.DataFrame, lang: str):
    cov = coverage(df, "week")
    keys = list(df["key"])
    return keys, cov, [bucket_text(k, "week", lang, cov, i) for i, k in enumerate(keys)]


def same_day_figure(df: pd.DataFrame, bands, target: dict | None, lang: str) -> go.Figure:
    """Weekly same-day closure rate with its n in the hover, the target line and peak bands;
    a week the period covers only in part is a hollow point on a dotted segment."""
    rate_id = "incidents.same_day_rate"
    if df.empty or pd.to_numeric(df[f"{rate_id}#n"]).fillna(0).sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    rates = pd.to_numeric(df[rate_id]).astype(float)
    n = pd.to_numeric(df[f"{rate_id}#n"]).fillna(0).astype(int)
    keys, cov, weeks = _weeks(df, lang)
    hover = [f"{w}<br>" + ("—" if pd.isna(r) else f"{r:.1%}") + f" (n={c:,})" for w, r, c in zip(weeks, rates, n)]
    first, after = bucket_span(keys, "week")
    strip = top_strip(bands, first, after, lang, cov, keys, "week", plot_px=PLOT_PX)
    height, margin = 300, dict(l=10, r=10, t=30, b=30)
    reserve = strip.reserve(height - margin["t"] - margin["b"])
    goal = target["target"] if target else None
    fig = go.Figure(data=time_line(keys, rates, cov.partial, name=_label(rate_id, lang), color=POLICE_BLUE,
                                   grain="week", hovertext=hover, marker_size=7),
                    layout=dict(height=height, showlegend=False, margin=margin,
                                yaxis=rate_axis(list(rates) + ([goal] if goal else []), reserve),
                                xaxis=time_axis(first, after, "week")))
    if goal:
        # The caption in the right margin, beside the line's end, clear of the latest points.
        caption = t("incidents.target", lang, v=fmt_value("rate", goal))
        fig.update_layout(margin=dict(margin, r=max(margin["r"], round(text_px(caption, 12) + 8))))
        fig.add_hline(y=goal, line=dict(color=RAG["green"], width=1.5, dash="dash"), annotation_text=caption,
                      annotation_position="right", annotation_font=dict(size=12, color=RAG["green"]))
    return strip.apply(fig)


def cases_figure(df: pd.DataFrame, bands, lang: str) -> go.Figure:
    """Administrative and criminal cases per week, side by side, with peak bands; a week the
    period covers only in part is hatched."""
    ids = ("cases.administrative", "cases.criminal")
    if df.empty or sum(pd.to_numeric(df[i]).fillna(0).sum() for i in ids) == 0:
        return empty_figure(t("empty.no_data", lang))
    keys, cov, weeks = _weeks(df, lang)
    traces, top = [], 0.0
    for mid, value in zip(ids, (ADMINISTRATIVE_CASE, CRIMINAL_CASE)):
        counts = pd.to_numeric(df[mid]).fillna(0)
        top = max(top, float(counts.max()))
        name = _label(mid, lang)
        traces += count_bars(keys, counts, cov.partial, name=name, color=color_of(value), grain="week",
                             opacity=1.0, hovertext=[f"{w}<br>{name}: {c:,.0f}" for w, c in zip(weeks, counts)])
    first, after = bucket_span(keys, "week")
    strip = top_strip(bands, first, after, lang, cov, keys, "week", plot_px=PLOT_PX)
    height, margin = 300, dict(l=10, r=10, t=30, b=30)
    fig = go.Figure(data=traces, layout=dict(
        height=height, barmode="group", margin=margin, legend=dict(y=1.02),
        yaxis=count_axis(top, strip.reserve(height - margin["t"] - margin["b"])),
        xaxis=time_axis(first, after, "week")))
    return strip.apply(fig)
