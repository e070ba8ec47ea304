"""Figures of the Staffing page: the officer treemap, deployments, person-times, areas."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import add_peak_bands, empty_figure
from dashboard.queries.catalog import BY_ID
from dashboard.text import t, value_label
from dashboard.theme import GRID, MUTED, POLICE_BLUE, color_of
from etl.record_types import DEPLOY_MODES, PERSON_TYPES, SEASONS

UNIT_FILL = "#eef2f7"


def _metric_label(mid: str, lang: str) -> str:
    m = BY_ID[mid]
    return m.zh if lang == "zh" else m.en


def _short_names(df: pd.DataFrame) -> dict[str, str]:
    """A unit's name without its parent's name in front (市公安局旅游警察支队 under 市公安局 → 旅游警察支队)."""
    names = dict(zip(df["unit_code"], df["name"]))
    out = {}
    for code, parent in zip(df["id"], df["parent"]):
        name = names[code] if code in names else ""
        prefix = names.get(parent, "")
        out[code] = name[len(prefix):] if prefix and name.startswith(prefix) and len(name) > len(prefix) else name
    return out


def officer_treemap(df: pd.DataFrame, lang: str) -> go.Figure:
    """Units nest as boxes; leaves are each unit's own officers by person type, in the type's colour."""
    if df.empty or df["value"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=440)
    is_leaf = df["person_type"].notna()
    short = _short_names(df[~is_leaf])
    labels = [value_label(p, lang) if leaf else short[i]
              for leaf, p, i in zip(is_leaf, df["person_type"], df["id"])]
    colors = [color_of(p) if leaf else UNIT_FILL for leaf, p in zip(is_leaf, df["person_type"])]
    word = t("staffing.officers", lang)
    custom = [[code, value_label(p, lang) if leaf else value_label(lvl, lang), name]
              for code, p, leaf, lvl, name in zip(df["unit_code"], df["person_type"], is_leaf, df["level"], df["name"])]
    fig = go.Figure(go.Treemap(
        ids=df["id"], parents=df["parent"], labels=labels, values=df["value"], branchvalues="total",
        marker=dict(colors=colors, line=dict(color="white", width=1)),
        customdata=custom, maxdepth=-1, sort=True,
        texttemplate="%{label}<br>%{value:,d}",
        hovertemplate=f"%{{customdata[2]}}<br>%{{customdata[1]}}: %{{value:,d}} {word}<extra></extra>",
        pathbar=dict(visible=True, thickness=22, textfont=dict(size=12)),
        tiling=dict(pad=2), root=dict(color=UNIT_FILL),
    ))
    # A legend of person types, which a treemap cannot draw itself.
    for p in PERSON_TYPES:
        fig.add_scatter(x=[None], y=[None], mode="markers", name=value_label(p, lang),
                        marker=dict(size=11, symbol="square", color=color_of(p)), hoverinfo="skip")
    fig.update_layout(height=440, margin=dict(l=4, r=4, t=30, b=4), uniformtext=dict(minsize=10, mode="hide"),
                      xaxis=dict(visible=False), yaxis=dict(visible=False), showlegend=True,
                      legend=dict(y=1.0, yanchor="bottom", x=0, xanchor="left"))
    return fig


def _bucket_span(start: dt.date, end: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """From the first bucket's first day to the day after the last bucket, for an axis range."""
    if grain == "month":
        first = start.replace(day=1)
        after = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        first = start - dt.timedelta(days=start.weekday())
        after = end - dt.timedelta(days=end.weekday()) + dt.timedelta(days=7)
    return first, after


def _count_axis(top: float) -> dict:
    """Whole-number ticks: a count axis up to a handful never shows 0.5 as '1'."""
    return dict(rangemode="tozero", tickformat=",d", **({"dtick": 1} if top <= 6 else {}))


def deployments_figure(by_time: pd.DataFrame, by_mode: pd.DataFrame, start: dt.date, end: dt.date,
                       grain: str, lang: str) -> go.Figure:
    """Deployments per week or month stacked by season (left), and by mode stacked by season (right)."""
    if by_time.empty or by_time["deployments"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=360)
    count_word = t("staffing.deploy_count", lang)
    pt_word = _metric_label("deploy.person_times", lang)
    bucket = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    modes = [m for m in DEPLOY_MODES if m in set(by_mode["mode"])]
    mode_labels = [value_label(m, lang) for m in modes]
    traces = []
    for season in SEASONS:
        part = by_time[by_time["season"] == season]
        name = t(f"season.{season}", lang)
        traces.append(go.Bar(
            x=part["key"], y=part["deployments"], name=name, legendgroup=season, marker_color=color_of(season),
            customdata=part[["person_times"]].to_numpy(), **_period_axis(grain),
            hovertemplate=f"{name} %{{x|{bucket}}}<br>{count_word}: %{{y:,d}}<br>"
                          f"{pt_word}: %{{customdata[0]:,.0f}}<extra></extra>"))
        mpart = (by_mode[by_mode["season"] == season].set_index("mode")[["deployments", "person_times"]]
                 .reindex(modes).fillna(0))
        traces.append(go.Bar(
            y=mode_labels, x=mpart["deployments"], orientation="h", name=name, legendgroup=season,
            showlegend=False, marker_color=color_of(season), xaxis="x2", yaxis="y2",
            customdata=mpart[["person_times"]].to_numpy(),
            hovertemplate=f"{name} · %{{y}}<br>{count_word}: %{{x:,d}}<br>"
                          f"{pt_word}: %{{customdata[0]:,.0f}}<extra></extra>"))
    first, after = _bucket_span(start, end, grain)
    top_time = by_time.groupby("key")["deployments"].sum().max()
    top_mode = by_mode.groupby("mode")["deployments"].sum().max() if not by_mode.empty else 0
    subtitle = dict(xref="paper", yref="paper", y=1.0, yanchor="bottom", showarrow=False,
                    font=dict(size=13, color=MUTED))
    return go.Figure(data=traces, layout=dict(
        barmode="stack", height=360, margin=dict(l=56, r=16, t=56, b=40),
        legend=dict(y=1.1, yanchor="bottom"),
        xaxis=dict(domain=[0, 0.54], range=[first, after], tickformat="%Y-%m" if grain == "month" else "%m-%d"),
        yaxis=dict(title_text=count_word, **_count_axis(top_time)),
        xaxis2=dict(domain=[0.74, 1], anchor="y2", showgrid=True, gridcolor=GRID, **_count_axis(top_mode)),
        yaxis2=dict(anchor="x2", autorange="reversed", showgrid=False),
        annotations=[dict(text=t("staffing.by_time", lang), x=0.27, **subtitle),
                     dict(text=t("staffing.by_mode", lang), x=0.87, **subtitle)],
    ))


def fit_bands(bands, start: dt.date, end: dt.date, plot_px: int = 430) -> list[tuple[dt.date, dt.date, str]]:
    """Overlapping peak bands merged into one, named after the most specific (shortest) of them;
    a caption wider than its band is dropped, so captions never overprint one another."""
    groups: list[list] = []
    for first, last, label in sorted(bands):
        if groups and first <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], last)
            groups[-1][2].append((last - first, label))
        else:
            groups.append([first, last, [(last - first, label)]])
    days = max(1, (end - start).days + 1)
    out = []
    for first, last, labels in groups:
        label = min(labels)[1]
        width = ((min(last, end) - max(first, start)).days + 1) / days * plot_px
        text_px = sum(13 if ord(ch) > 0x2e80 else 7 for ch in label)
        out.append((first, last, label if text_px <= width + 24 else ""))
    return out


def _period_axis(grain: str) -> dict:
    """Monthly points sit in the middle of their month, so they line up with the shaded days."""
    return dict(xperiod="M1", xperiodalignment="middle") if grain == "month" else \
        dict(xperiod=7 * 24 * 3600 * 1000, xperiodalignment="middle")


def person_times_figure(df: pd.DataFrame, bands, grain: str, lang: str) -> go.Figure:
    """Person-times deployed per week or month, police and auxiliary in the hover, peaks shaded."""
    mid = "deploy.person_times"
    if df.empty or pd.to_numeric(df[mid]).sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=360)
    label = _metric_label(mid, lang)
    bucket = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    word = t("common.month" if grain == "month" else "common.week", lang)
    police, aux = t("staffing.police", lang), t("staffing.auxiliary", lang)
    first, after = _bucket_span(df["key"].min().date(), df["key"].max().date(), grain)
    fig = go.Figure(go.Scatter(
        x=df["key"], y=df[mid], mode="lines+markers", name=label, line=dict(color=POLICE_BLUE, width=2.5),
        marker=dict(size=7), fill="tozeroy", fillcolor="rgba(31,78,140,0.08)", **_period_axis(grain),
        customdata=df[["police", "auxiliary"]].to_numpy(),
        hovertemplate=(f"{word} %{{x|{bucket}}}<br>{label}: %{{y:,d}}<br>{police} %{{customdata[0]:,d}} · "
                       f"{aux} %{{customdata[1]:,d}}<extra></extra>"),
    ), layout=dict(
        height=360, showlegend=False, margin=dict(l=56, r=16, t=40, b=40),
        yaxis=dict(title_text=label, **_count_axis(float(df[mid].max()))),
        xaxis=dict(range=[first, after], tickformat="%Y-%m" if grain == "month" else "%m-%d"),
    ))
    last = after - dt.timedelta(days=1)
    return add_peak_bands(fig, fit_bands(bands, first, last), first, last)


def area_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Officers per 10,000 daily visitors by scenic area, with the officers and visitors behind it."""
    if df.empty or df["officers"].sum() == 0 or df["per_10k_daily"].notna().sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=360)
    ratio_word = t("staffing.per_10k_daily", lang)
    daily_word = t("staffing.daily_visitors", lang)
    unit_word = t("staffing.responsible_unit", lang)
    officers_word = t("staffing.officers", lang)
    no_visitors = t("staffing.no_visitors", lang)
    ratio = pd.to_numeric(df["per_10k_daily"]).astype(float)
    labels = [f"{r:,.1f}（{o:,d}{officers_word}）" if lang == "zh" and pd.notna(r)
              else f"{r:,.1f} ({o:,d} {officers_word})" if pd.notna(r)
              else no_visitors for r, o in zip(ratio, df["officers"])]
    names = [f"{n} {g}" if isinstance(g, str) and g else n for n, g in zip(df["area_name"], df["grade"])]
    custom = df[["area_code", "officers", "staff.fulltime", "staff.parttime", "staff.auxiliary",
                 "daily_visitors", "unit_name"]].astype(object).where(df.notna(), None).to_numpy()
    types = " · ".join(f"{value_label(p, lang)} %{{customdata[{i}]:,d}}" for i, p in enumerate(PERSON_TYPES, start=2))
    height = max(170, 80 + 32 * len(df))
    top = float(ratio.max()) if ratio.notna().any() else 1.0
    return go.Figure(go.Bar(
        y=names, x=ratio.fillna(0), orientation="h", marker_color=POLICE_BLUE, text=labels,
        textposition="outside", cliponaxis=False, customdata=custom, width=0.7,
        hovertemplate=(f"%{{y}}<br>{ratio_word}: %{{x:,.1f}}<br>{officers_word}: %{{customdata[1]:,d}} "
                       f"({types})<br>{daily_word}: %{{customdata[5]:,.0f}}<br>"
                       f"{unit_word}: %{{customdata[6]}}<extra></extra>"),
    ), layout=dict(
        height=height, margin=dict(l=10, r=20, t=20, b=40), showlegend=False,
        xaxis=dict(title_text=ratio_word, range=[0, top * 1.4], showgrid=True, gridcolor=GRID),
        yaxis=dict(autorange="reversed"),
    ))
