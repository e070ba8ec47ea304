"""Figures of the Overview page."""
from __future__ import annotations

import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import (bucket_span, bucket_text, count_axis, count_bars, coverage, empty_figure,
                                    rate_axis, time_line, time_axis, top_strip)
from dashboard.model.catalog import BY_ID
from dashboard.text import t
from dashboard.theme import POLICE_BLUE, RAG

HEIGHT = 330
MARGIN = dict(l=56, r=20, t=48, b=44)


def weekly_trend_figure(df: pd.DataFrame, bands, lang: str) -> go.Figure:
    """Incidents per week (bars) with the same-day closure rate (line, right axis), each week drawn
    over its seven days; a week the period covers only in part is hatched and its rate hollow."""
    if df.empty or pd.to_numeric(df["incidents.total"]).sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    incidents, rate = BY_ID["incidents.total"], BY_ID["incidents.same_day_rate"]
    cov = coverage(df, "week")
    keys = list(df["key"])
    weeks = [bucket_text(k, "week", lang, cov, i) for i, k in enumerate(keys)]
    counts = pd.to_numeric(df["incidents.total"]).fillna(0)
    per10k = pd.to_numeric(df["incidents.per_10k_visitors"]).astype(float)
    rates = pd.to_numeric(df["incidents.same_day_rate"]).astype(float)
    n = pd.to_numeric(df["incidents.same_day_rate#n"]).fillna(0).astype(int)
    per10k_word = t("common.per_10k", lang)
    bars = count_bars(
        keys, counts, cov.partial, name=incidents.zh if lang == "zh" else incidents.en, color=POLICE_BLUE,
        grain="week", hovertext=[f"{w}<br>{c:,.0f}<br>{per10k_word}: " + ("—" if pd.isna(p) else f"{p:.2f}")
                                 for w, c, p in zip(weeks, counts, per10k)])
    line = time_line(keys, rates, cov.partial, name=rate.zh if lang == "zh" else rate.en, color=RAG["green"],
                     grain="week", yaxis="y2",
                     hovertext=["—" if pd.isna(r) else f"{r:.1%} (n={c:,})" for r, c in zip(rates, n)])
    first, after = bucket_span(keys, "week")
    strip = top_strip(bands, first, after, lang, cov, keys, "week", plot_px=620)
    reserve = strip.reserve(HEIGHT - MARGIN["t"] - MARGIN["b"])
    fig = go.Figure(data=[*bars, *line], layout=dict(
        height=HEIGHT, hovermode="x unified", margin=MARGIN,
        yaxis=count_axis(counts.max(), reserve),
        yaxis2=dict(overlaying="y", side="right", showgrid=False, **rate_axis(rates, reserve)),
        xaxis=time_axis(first, after, "week"),
    ))
    return strip.apply(fig)
