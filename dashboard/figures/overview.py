"""Figures of the Overview page."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import add_peak_bands, empty_figure
from dashboard.queries.catalog import BY_ID
from dashboard.text import t
from dashboard.theme import POLICE_BLUE, RAG


def rate_range(rates: pd.Series) -> list[float]:
    """A rate axis that shows movement: from a little below the lowest week to 100 %."""
    low = pd.to_numeric(rates, errors="coerce").min()
    if pd.isna(low):
        return [0, 1.0]
    return [max(0.0, math.floor((low - 0.05) * 20) / 20), 1.0]


def weekly_trend_figure(df: pd.DataFrame, bands, lang: str) -> go.Figure:
    """Incidents per week (bars) with the same-day closure rate (line, right axis)."""
    if df.empty or pd.to_numeric(df["incidents.total"]).sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    incidents = BY_ID["incidents.total"]
    rate = BY_ID["incidents.same_day_rate"]
    fig = go.Figure()
    week_word = t("common.week", lang)
    fig.add_bar(x=df["key"], y=df["incidents.total"], name=incidents.zh if lang == "zh" else incidents.en,
                marker_color=POLICE_BLUE, opacity=0.85,
                customdata=df[["incidents.per_10k_visitors"]].to_numpy(),
                hovertemplate=f"{week_word} %{{x|%Y-%m-%d}}<br>%{{y:,d}}<br>"
                              f"{t('common.per_10k', lang)}: %{{customdata[0]:.2f}}<extra></extra>")
    fig.add_scatter(x=df["key"], y=df["incidents.same_day_rate"], yaxis="y2", mode="lines+markers",
                    name=rate.zh if lang == "zh" else rate.en, line=dict(color=RAG["green"], width=2.5),
                    customdata=df[["incidents.same_day_rate#n"]].to_numpy(),
                    hovertemplate="%{x|%Y-%m-%d}<br>%{y:.1%} (n=%{customdata[0]:,})<extra></extra>")
    fig.update_layout(
        height=330, hovermode="x unified",
        yaxis=dict(rangemode="tozero", tickformat=",d"),
        yaxis2=dict(overlaying="y", side="right", tickformat=".0%", showgrid=False,
                    range=rate_range(df["incidents.same_day_rate"])),
        xaxis=dict(tickformat="%m-%d"),
    )
    start = df["key"].min().date()
    end = df["key"].max().date() + dt.timedelta(days=6)
    return add_peak_bands(fig, bands, start, end)
