"""Figures of the Staffing page: officers by unit and type, deployments, person-times, areas."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import (bucket_span, bucket_text, count_axis, count_bars, coverage, empty_figure,
                                    span_coverage, time_axis, time_line, top_strip, widen_lone_bucket)
from dashboard.model.catalog import BY_ID
from dashboard.model.periods import bucket_after, bucket_start
from dashboard.text import t, value_label
from dashboard.theme import GRID, MUTED, POLICE_BLUE, color_of
from warehouse.record_types import DEPLOY_MODES, PERSON_TYPES, SEASONS

OFFICER_TYPES = ("staff.fulltime", "staff.parttime", "staff.auxiliary")   # in PERSON_TYPES order


def _metric_label(mid: str, lang: str) -> str:
    m = BY_ID[mid]
    return m.zh if lang == "zh" else m.en


def officers_by_unit_figure(rows: list[dict], lang: str) -> go.Figure:
    """Officers on the last day per unit one level down (each counting its whole subtree), stacked by
    person type, most on top, the node's own staff last; each bar's customdata[0] is the unit code
    a click drills into ("" for the own-staff row)."""
    rows = [r for r in rows if r.get("staff.officers")]
    if not rows:
        return empty_figure(t("empty.no_data", lang), height=300)
    units = sorted((r for r in rows if r["kind"] == "unit"), key=lambda r: -r["staff.officers"])
    rows = units + [r for r in rows if r["kind"] != "unit"]
    names = [r["name"] or "" for r in rows]
    totals = [int(r["staff.officers"]) for r in rows]
    word = t("staffing.officers", lang)
    traces = []
    for mid, person_type in zip(OFFICER_TYPES, PERSON_TYPES):
        label = value_label(person_type, lang)
        values = [int(r[mid]) for r in rows]
        traces.append(go.Bar(
            y=names, x=values, orientation="h", name=label, marker=dict(color=color_of(person_type)),
            text=[f"{v:,d}" if v and v / max(totals) >= 0.06 else "" for v in values], textposition="inside",
            insidetextanchor="middle", textangle=0, textfont=dict(size=10, color="white"),
            customdata=[[r["key"] if r["kind"] == "unit" else "", tot] for r, tot in zip(rows, totals)],
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,d}} {word} / %{{customdata[1]:,d}}<extra></extra>"))
    traces.append(go.Scatter(  # the total at the end of each bar, part of no legend
        y=names, x=totals, mode="text", text=[f" {v:,d}" for v in totals], textposition="middle right",
        showlegend=False, hoverinfo="skip", cliponaxis=False, textfont=dict(size=12, color=MUTED),
        customdata=[[r["key"] if r["kind"] == "unit" else ""] for r in rows]))
    return go.Figure(data=traces, layout=dict(
        barmode="stack", height=officers_height(len(rows)), bargap=0.25, uniformtext=dict(minsize=9, mode="hide"),
        margin=dict(l=10, r=30, t=34, b=30), legend=dict(y=1.0, yanchor="bottom", x=0, traceorder="normal"),
        yaxis=dict(type="category", categoryorder="array", categoryarray=names, autorange="reversed",
                   ticksuffix=" ", automargin=True),
        xaxis=count_axis(max(totals) * 1.08, showgrid=True, gridcolor=GRID),
    ))


def officers_height(rows: int) -> int:
    return max(260, 80 + 28 * rows)


def _count_axis(top: float) -> dict:
    """Whole-number ticks: a count axis up to a handful never shows 0.5 as '1'."""
    return dict(rangemode="tozero", tickformat=",d", **({"dtick": 1} if top <= 6 else {}))


def deployments_figure(by_time: pd.DataFrame, by_mode: pd.DataFrame, start: dt.date, end: dt.date,
                       grain: str, lang: str) -> go.Figure:
    """Deployments per week or month stacked by season (left), and by mode stacked by season (right);
    a bucket the period covers only in part is hatched."""
    if by_time.empty or by_time["deployments"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=360)
    count_word = t("staffing.deploy_count", lang)
    pt_word = _metric_label("deploy.person_times", lang)
    # Plain lists: a few dozen rows, where pandas' filtering and reindexing cost more than the scan.
    times = list(zip(*(by_time[c].tolist() for c in ("key", "season", "deployments", "person_times"))))
    by_mode_season = {(m, s): (d, p) for m, s, d, p in
                      zip(*(by_mode[c].tolist() for c in ("mode", "season", "deployments", "person_times")))}
    modes = [m for m in DEPLOY_MODES if m in {m for m, _ in by_mode_season}]
    mode_labels = [value_label(m, lang) for m in modes]
    traces = []
    for season in SEASONS:
        part = [(k, d, p) for k, s, d, p in times if s == season]
        name = t(f"season.{season}", lang)
        keys = [k for k, _, _ in part]
        cov = span_coverage(keys, grain, start, end)
        hover = [f"{name} · {bucket_text(k, grain, lang, cov, i)}<br>{count_word}: {d:,d}<br>{pt_word}: {p:,.0f}"
                 for i, (k, d, p) in enumerate(part)]
        traces += count_bars(keys, [d for _, d, _ in part], cov.partial, name=name, color=color_of(season),
                             grain=grain, opacity=1.0, hovertext=hover, offsetgroup="time")
        counts, person_times = _by_mode(by_mode, by_mode_season, modes, season)
        traces.append(go.Bar(
            y=mode_labels, x=counts, orientation="h", name=name, legendgroup=name,
            showlegend=False, marker_color=color_of(season), xaxis="x2", yaxis="y2",
            customdata=person_times,
            hovertemplate=f"{name} · %{{y}}<br>{count_word}: %{{x:,d}}<br>"
                          f"{pt_word}: %{{customdata[0]:,.0f}}<extra></extra>"))
    first, after = _bucket_span(start, end, grain)
    top_time = max(_sums((k, d) for k, _, d, _ in times).values())
    top_mode = max(_sums((m, d) for (m, _), (d, _) in by_mode_season.items() if isinstance(m, str)).values(),
                   default=0)
    subtitle = dict(xref="paper", yref="paper", y=1.0, yanchor="bottom", showarrow=False,
                    font=dict(size=13, color=MUTED))
    return widen_lone_bucket(go.Figure(data=traces, layout=dict(
        barmode="stack", height=360, margin=dict(l=56, r=16, t=56, b=40),
        legend=dict(y=1.1, yanchor="bottom"),
        xaxis=dict(domain=[0, 0.56], **time_axis(first, after, grain, lang)),
        yaxis=dict(title_text=count_word, **_count_axis(top_time)),
        xaxis2=dict(domain=[0.66, 1], anchor="y2", showgrid=True, gridcolor=GRID, **_count_axis(top_mode)),
        # The modes' names on the right, in a margin sized to them: on the left they overprinted
        # the time panel's last bars wherever the gap between the panels was narrower than a name (phones).
        yaxis2=dict(anchor="x2", autorange="reversed", showgrid=False, side="right", automargin=True),
        annotations=[dict(text=t("staffing.by_time", lang), x=0.28, **subtitle),
                     dict(text=t("staffing.by_mode", lang), x=0.83, **subtitle)],
    )), grain)


def _sums(pairs) -> dict:
    out: dict = {}
    for key, value in pairs:
        out[key] = out.get(key, 0) + value
    return out


def _by_mode(by_mode: pd.DataFrame, found: dict, modes: list[str], season: str) -> tuple[np.ndarray, np.ndarray]:
    """One season's deployments per mode (x) and person-times as customdata, as a reindex over
    the modes with missing modes as 0 gives them: the columns' types, floats when one is missing."""
    cells = [found.get((m, season)) for m in modes]
    whole = all(c is not None for c in cells)
    types = [by_mode[c].dtype if whole else np.result_type(by_mode[c].dtype, np.float64)
             for c in ("deployments", "person_times")]
    counts = np.array([c[0] if c else 0 for c in cells], dtype=types[0])
    return counts, np.array([[c[1] if c else 0] for c in cells], dtype=types[1]).reshape(len(cells), 1)


def _bucket_span(start: dt.date, end: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """From the first bucket's first day to the day after the last bucket, for an axis range."""
    return bucket_start(start, grain), bucket_after(bucket_start(end, grain), grain)


def person_times_figure(df: pd.DataFrame, bands, grain: str, lang: str) -> go.Figure:
    """Person-times deployed per week or month, police and auxiliary in the hover, peaks shaded;
    a bucket the period covers only in part is a hollow point on a dotted segment."""
    mid = "deploy.person_times"
    if df.empty or pd.to_numeric(df[mid]).sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=360)
    label = _metric_label(mid, lang)
    police, aux = t("staffing.police", lang), t("staffing.auxiliary", lang)
    cov = coverage(df, grain)
    keys = list(df["key"])
    values = pd.to_numeric(df[mid]).fillna(0)
    hover = [f"{bucket_text(k, grain, lang, cov, i)}<br>{label}: {v:,.0f}<br>{police} {p:,.0f} · {aux} {a:,.0f}"
             for i, (k, v, p, a) in enumerate(zip(keys, values, df["police"], df["auxiliary"]))]
    first, after = bucket_span(keys, grain)
    strip = top_strip(bands, first, after, lang, cov, keys, grain, plot_px=430)
    height, margin = 360, dict(l=56, r=16, t=40, b=40)
    fig = go.Figure(data=time_line(keys, values, cov.partial, name=label, color=POLICE_BLUE, grain=grain,
                                   hovertext=hover),
                    layout=dict(height=height, showlegend=False, margin=margin,
                                yaxis=count_axis(values.max(), strip.reserve(height - margin["t"] - margin["b"]),
                                                 title_text=label),
                                xaxis=time_axis(first, after, grain, lang)))
    return strip.apply(fig)


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
