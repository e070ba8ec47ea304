"""Figures of the 最美旅游警察 Nominations page.

Valid votes are police blue and repeat votes grey everywhere on the page: a
repeat vote is shown apart, never added to a nominee's tally. Outcomes keep
their theme colours (当选 green, 入围 blue, 候选 and 未当选 grey).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import count_axis, empty_figure, period_x, time_axis, top_strip, widen_lone_bucket
from dashboard.text import t, value_label
from dashboard.theme import MUTED, POLICE_BLUE, color_of
from warehouse.record_types import CANDIDATE, NOT_SELECTED, SELECTED, SHORTLISTED

VALID_COLOR = POLICE_BLUE
REPEAT_COLOR = "#b7c0cc"
TOP = 20
LEGEND_ORDER = (SELECTED, SHORTLISTED, CANDIDATE, NOT_SELECTED)   # the outcomes, best first
FITS_INSIDE = 0.12          # a bar this share of the longest holds its number


def _label(value, lang: str) -> str:
    return value_label(None if value is None or (not isinstance(value, str) and pd.isna(value)) else value, lang)


def ranking_height(bars: int) -> int:
    """The ranking's height for so many bars: the chart beside it matches it."""
    return max(180, 110 + 24 * min(bars, TOP))


def ranking_figure(df: pd.DataFrame, lang: str, highlight: str | None = None, top: int = TOP) -> go.Figure:
    """The top nominees by valid votes as horizontal bars, coloured by outcome, best on top.

    Each bar's customdata starts with the person_id, so a click can select the nominee.
    """
    if df.empty or df["valid"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=320)
    shown = df[df["valid"] > 0].head(top)
    order = list(shown["nomination_id"])
    ticks = [f"{r}. {n}" for r, n in zip(shown["rank"], shown["name"])]
    fig = go.Figure()
    votes_word, repeat_word = t("nominations.valid_votes", lang), t("nominations.repeat_votes", lang)
    outcomes = [o for o in LEGEND_ORDER if o in set(shown["outcome"])]
    for outcome in outcomes:
        part = shown[shown["outcome"] == outcome]
        line_width = [3 if p == highlight else 0 for p in part["person_id"]]
        fig.add_bar(
            y=part["nomination_id"], x=part["valid"], orientation="h", name=_label(outcome, lang),
            showlegend=len(outcomes) > 1,      # a legend of one outcome tells nothing: its hover names it
            marker=dict(color=color_of(outcome), line=dict(color="#1d2733", width=line_width)),
            text=[t("nominations.bar_text", lang, valid=f"{v:,}", repeat=f"{r:,}")
                  for v, r in zip(part["valid"], part["repeat"])],
            textposition="outside", cliponaxis=False, textfont=dict(size=12, color=MUTED),
            customdata=part[["person_id", "name", "unit_name", "person_type", "nominated_by", "repeat",
                             "rank"]].assign(
                person_type=[_label(v, lang) for v in part["person_type"]],
                nominated_by=[_label(v, lang) for v in part["nominated_by"]]).to_numpy(),
            hovertemplate=(f"%{{customdata[6]}}. <b>%{{customdata[1]}}</b> · %{{customdata[2]}}<br>"
                           f"%{{customdata[3]}} · %{{customdata[4]}} · {_label(outcome, lang)}<br>"
                           f"{votes_word}: %{{x:,d}}<br>{repeat_word}: %{{customdata[5]:,d}}<extra></extra>"),
        )
    height = ranking_height(len(shown))
    fig.update_layout(
        height=height, barmode="overlay", bargap=0.3,
        yaxis=dict(categoryorder="array", categoryarray=order[::-1], tickvals=order, ticktext=ticks,
                   type="category"),
        xaxis=dict(rangemode="tozero", tickformat=",d", title=t("nominations.valid_votes", lang)),
        margin=dict(l=10, r=110, t=40, b=56), clickmode="event", legend=dict(traceorder="normal"),
    )
    return fig


def votes_over_time_figure(df: pd.DataFrame, bands, start: dt.date, end: dt.date, lang: str,
                           height: int = 300) -> go.Figure:
    """Valid and repeat votes per day, stacked, each day's bar over its day, peak periods shaded."""
    if df.empty or (df["valid"].sum() + df["repeat"].sum()) == 0:
        return empty_figure(t("empty.no_data", lang), height=height)
    total = df["valid"] + df["repeat"]
    share = (df["repeat"] / total.where(total > 0)).fillna(0)
    custom = pd.DataFrame({"total": total, "share": share}).to_numpy()
    after = end + dt.timedelta(days=1)
    strip = top_strip(bands, start, after, lang, grain="day", plot_px=560)
    margin = dict(l=56, r=20, t=48, b=44)
    fig = go.Figure()
    fig.add_bar(x=df["day"], y=df["valid"], name=t("nominations.valid_votes", lang), marker_color=VALID_COLOR,
                customdata=custom, **period_x("day"),
                hovertemplate=f"{t('nominations.valid_votes', lang)}: %{{y:,d}}<extra></extra>")
    fig.add_bar(x=df["day"], y=df["repeat"], name=t("nominations.repeat_apart", lang),
                marker_color=REPEAT_COLOR, customdata=custom, **period_x("day"),
                hovertemplate=(f"{t('nominations.repeat_votes', lang)}: %{{y:,d}} "
                               f"(%{{customdata[1]:.1%}}, n=%{{customdata[0]:,d}})<extra></extra>"))
    fig.update_layout(height=height, barmode="stack", bargap=0.15, hovermode="x unified", margin=margin,
                      legend=dict(traceorder="normal"),
                      yaxis=count_axis(float(total.max()), strip.reserve(height - margin["t"] - margin["b"])),
                      xaxis=dict(time_axis(start, after, "day"), hoverformat="%Y-%m-%d"))
    return widen_lone_bucket(strip.apply(fig), "day")


def channel_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Valid and repeat votes per channel (horizontal, stacked), the repeat share with its n."""
    if df.empty or df["total"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=260)
    labels = [t("nominations.no_channel", lang) if c is None else _label(c, lang) for c in df["channel"]]
    share = df["repeat"] / df["total"].where(df["total"] > 0)
    custom = pd.DataFrame({"total": df["total"], "share": share.fillna(0)}).to_numpy()
    fig = go.Figure()
    # A valid count too short a bar to hold its number says it beside the bar, with the repeat share.
    fits = [v >= FITS_INSIDE * df["total"].max() for v in df["valid"]]
    fig.add_bar(y=labels, x=df["valid"], orientation="h", name=t("nominations.valid_votes", lang),
                marker_color=VALID_COLOR, customdata=custom, text=[f"{v:,}" for v in df["valid"]],
                textposition=["inside" if f else "none" for f in fits], insidetextanchor="start",
                textfont=dict(color="white"),
                hovertemplate=f"%{{y}}<br>{t('nominations.valid_votes', lang)}: %{{x:,d}}<extra></extra>")
    fig.add_bar(y=labels, x=df["repeat"], orientation="h", name=t("nominations.repeat_apart", lang),
                marker_color=REPEAT_COLOR, customdata=custom,
                text=[("" if f else f"{v:,} · ") + t("nominations.share_text", lang, share=f"{s:.1%}")
                      for v, s, f in zip(df["valid"], share.fillna(0), fits)],
                textposition="outside", cliponaxis=False, textfont=dict(size=12, color=MUTED),
                hovertemplate=(f"%{{y}}<br>{t('nominations.repeat_votes', lang)}: %{{x:,d}}<br>"
                               f"{t('nominations.repeat_share', lang)}: %{{customdata[1]:.1%}} "
                               f"(n=%{{customdata[0]:,d}})<extra></extra>"))
    fig.update_layout(height=max(220, 90 + 46 * len(df)), barmode="stack", legend=dict(traceorder="normal"),
                      yaxis=dict(categoryorder="array", categoryarray=labels[::-1], type="category"),
                      xaxis=dict(rangemode="tozero", tickformat=",d"),
                      margin=dict(l=10, r=90, t=40, b=36))
    return fig


def by_unit_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Nominees and those selected per unit (horizontal, grouped); customdata[0] is the unit code
    ("" for the row of a unit's own, directly attached staff, which is not a drill target)."""
    if df.empty or df["nominees"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=260)
    labels = [t("nominations.direct", lang, unit=n or "") if d else n for n, d in zip(df["name"], df["direct"])]
    keys = [k if isinstance(k, str) else "" for k in df["key"]]
    custom = pd.DataFrame({"key": keys, "valid": df["valid"], "nominees": df["nominees"],
                           "selected": df["selected"]}).to_numpy()
    fig = go.Figure()
    fig.add_bar(y=labels, x=df["nominees"], orientation="h", name=t("nominations.nominees", lang),
                marker_color=POLICE_BLUE, customdata=custom, text=df["nominees"], textposition="outside",
                cliponaxis=False,
                hovertemplate=(f"<b>%{{y}}</b><br>{t('nominations.nominees', lang)}: %{{x:,d}}<br>"
                               f"{t('nominations.selected', lang)}: %{{customdata[3]:,d}}<br>"
                               f"{t('nominations.valid_votes', lang)}: %{{customdata[1]:,d}}<extra></extra>"))
    if df["selected"].sum() > 0:      # no 当选 in the legend before anyone is selected
        fig.add_bar(y=labels, x=df["selected"], orientation="h", name=t("nominations.selected", lang),
                    marker_color=color_of(SELECTED), customdata=custom,
                    text=[f"{v:,}" if v else "" for v in df["selected"]], textposition="outside",
                    cliponaxis=False,
                    hovertemplate=(f"<b>%{{y}}</b><br>{t('nominations.selected', lang)}: %{{x:,d}} / "
                                   f"%{{customdata[2]:,d}}<extra></extra>"))
    fig.update_layout(height=max(180, 100 + 40 * len(df)), barmode="group", bargap=0.25, bargroupgap=0.05,
                      legend=dict(traceorder="normal"),
                      yaxis=dict(categoryorder="array", categoryarray=labels[::-1], type="category"),
                      xaxis=dict(rangemode="tozero", tickformat=",d", dtick=1 if df["nominees"].max() <= 8 else None),
                      margin=dict(l=10, r=30, t=40, b=36))
    return fig

