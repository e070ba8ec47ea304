"""Figures of the Data page: quarantined rows by reason."""
from __future__ import annotations

import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import empty_figure
from dashboard.text import t
from dashboard.theme import MUTED, color_of


def reason_label(reason: str, lang: str) -> str:
    key = f"data.reason.{reason}"
    try:
        return t(key, lang)
    except KeyError:  # a reason a newer loader writes: shown as stored
        return str(reason)


def quarantine_reasons_figure(df: pd.DataFrame, total: int, lang: str) -> go.Figure:
    """Horizontal bars, most frequent on top: quarantined rows per reason, labelled with their count.

    `df` has `reason`, `n_rows` (distinct rows) and `problems` (checks failed);
    `total` is the number of distinct quarantined rows, shown in the title.
    """
    if df.empty or total == 0:
        return empty_figure(t("data.no_quarantine", lang), height=220)
    labels = [reason_label(r, lang) for r in df["reason"]]
    row_word = t("data.rows_word", lang)
    fig = go.Figure(go.Bar(
        y=labels, x=df["n_rows"], orientation="h",
        marker_color=[color_of(r) for r in df["reason"]],
        text=[f"{int(n):,}" for n in df["n_rows"]], textposition="outside", cliponaxis=False,
        customdata=df[["reason", "problems"]].to_numpy(),
        hovertemplate=f"%{{y}}: %{{x:,d}} {row_word}<br>"
                      f"{t('data.problems_word', lang)}: %{{customdata[1]:,d}}<extra></extra>",
    ))
    fig.update_layout(
        title=dict(text=t("data.quarantine_total", lang, n=f"{total:,}"), font=dict(size=14)),
        height=90 + 32 * len(df), showlegend=False, bargap=0.3,
        margin=dict(l=10, r=40, t=40, b=30),
        yaxis=dict(autorange="reversed", automargin=True, title=None),
        xaxis=dict(title=dict(text=t("data.rows_axis", lang), font=dict(size=12, color=MUTED)),
                   tickformat=",d", rangemode="tozero", showgrid=True, gridcolor="#eef1f5"),
    )
    return fig
