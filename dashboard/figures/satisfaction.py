"""Figures of the Satisfaction page: rate trends with Wilson bands, dot-and-interval segments,
diverging five-point answers, comment keywords.

Every rate is drawn with its 95 % Wilson interval and its n; segments too
small to judge are grey, labelled 样本不足 and drawn after the ranked ones.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from dashboard.figures import lite as go

from dashboard import theme
from dashboard.figures.base import (as_date, bucket_span, bucket_text, coverage, empty_figure, period_x, rate_axis,
                                    text_px, time_line, time_axis, top_strip)
from dashboard.model import judgements
from dashboard.model.breakdowns import KEYWORD_MIN_COMMENTS, OTHER
from dashboard.model.catalog import BY_ID
from dashboard.text import t, value_label
from dashboard.text.satisfaction import ORIGINS_EN
from dashboard.theme import GREY_OUT, INK, LIKERT_COLORS, MUTED, POLICE_BLUE, RAG
from warehouse.record_types import LIKERT

TREND_COLORS = {"survey.satisfaction_rate": POLICE_BLUE, "survey.safety_rate": RAG["green"]}
BAND_COLORS = {"survey.satisfaction_rate": "rgba(31,78,140,0.14)", "survey.safety_rate": "rgba(46,125,79,0.14)"}
GRID_LINE = "#c5ccd6"


def metric_label(metric_id: str, lang: str) -> str:
    m = BY_ID[metric_id]
    return m.zh if lang == "zh" else m.en


def _pct(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v * 100:.1f}%"


def rate_hover(label: str, rate, low, high, n, lang: str, small: bool = False) -> str:
    """One rate as a person should read it: value, 95 % interval, n (and a warning when n is small)."""
    if rate is None or pd.isna(rate):
        return f"{label}: — (n=0)"
    text = (f"{label}: <b>{_pct(rate)}</b><br>{t('satisfaction.ci', lang)} {_pct(low)}–{_pct(high)}"
            f"<br>n={int(n):,}")
    return text + (f" · {t('satisfaction.small', lang)}" if small else "")


def whole_buckets(selected: tuple[dt.date, dt.date], keys, grain: str) -> tuple[dt.date, dt.date]:
    """The selected days widened to the buckets that hold them: each point sits in the middle of
    its bucket, so a box ending on the selected last day would stop short of the last point."""
    starts = sorted(as_date(k) for k in keys)
    ends = starts[1:] + [bucket_span(keys, grain)[1]]
    first = max((s for s in starts if s <= selected[0]), default=selected[0])
    after = min((e for e in ends if e > selected[1]), default=selected[1] + dt.timedelta(days=1))
    return first, after - dt.timedelta(days=1)


def trend_figure(df: pd.DataFrame, bands, grain: str, lang: str, metric_ids=None,
                 selected: tuple[dt.date, dt.date] | None = None) -> go.Figure:
    """Satisfaction and safety rate per week or month: a line with its Wilson band, n in the hover.

    Each bucket is drawn over its span; a bucket the period covers only in part is a hollow point
    on a dotted segment; one with too few answers a hollow point off the line with a faint
    interval. `selected` (first and last day of the chosen period, when the chart shows more
    than it) is tinted and named."""
    metric_ids = metric_ids or ["survey.satisfaction_rate", "survey.safety_rate"]
    if df.empty or pd.to_numeric(df["survey.responses"]).fillna(0).sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=320)
    minimum = judgements.min_survey_answers()
    cov = coverage(df, grain)
    keys = list(pd.to_datetime(df["key"]))
    buckets = [bucket_text(k, grain, lang, cov, i) for i, k in enumerate(keys)]
    traces, shown = [], []
    for mid in metric_ids:
        label = metric_label(mid, lang)
        # A few dozen buckets: numpy arrays, not Series (pandas' per-operation cost was most of the chart's).
        n = pd.to_numeric(df[f"{mid}#n"]).fillna(0).to_numpy()
        rate, low, high = (pd.to_numeric(df[c]).astype(float).to_numpy() for c in (mid, f"{mid}#low", f"{mid}#high"))
        solid = (n >= minimum) & ~np.isnan(rate)
        whole = solid & ~np.array(cov.partial, dtype=bool)
        runs = _runs(list(whole))
        # The band: one closed shape per run of whole buckets with enough answers (gaps stay gaps);
        # a part bucket's wider interval is a whisker on its own point, not a dip in the band.
        band_x, band_y = [], []
        for first, last in runs:
            if last > first:
                band_x += keys[first:last + 1] + keys[first:last + 1][::-1] + [None]
                band_y += list(high[first:last + 1]) + list(low[first:last + 1])[::-1] + [None]
        if band_x:
            traces.append(go.Scatter(x=band_x, y=band_y, mode="lines", line=dict(width=0), fill="toself",
                                     fillcolor=BAND_COLORS[mid], hoverinfo="skip", showlegend=False,
                                     legendgroup=mid, **period_x(grain)))
        hover = [f"{b}<br>" + rate_hover(label, r, lo, hi, c, lang, c < minimum)
                 for b, r, lo, hi, c in zip(buckets, rate, low, high, n)]
        line = time_line(keys, np.where(solid, rate, np.nan), cov.partial, name=label, color=TREND_COLORS[mid], grain=grain,
                         hovertext=hover, legendgroup=mid)
        # A lone bucket has no band to show its interval: whiskers instead.
        lone = [bool(whole[i]) and any(f == last == i for f, last in runs) for i in range(len(keys))]
        if any(lone):
            line[0].error_y = dict(type="data", symmetric=False, color=TREND_COLORS[mid], thickness=1.2, width=3,
                                   array=[(h - r) if ln else 0 for h, r, ln in zip(high, rate, lone)],
                                   arrayminus=[(r - lo) if ln else 0 for lo, r, ln in zip(low, rate, lone)])
        for part in (tr for tr in line if tr.mode == "markers"):   # the part buckets' hollow points
            at = [i for i, p in enumerate(cov.partial) if p and bool(solid[i])]
            part.error_y = dict(type="data", symmetric=False, color=TREND_COLORS[mid], thickness=1, width=3,
                                array=[high[i] - rate[i] for i in at], arrayminus=[rate[i] - low[i] for i in at])
        traces += line
        shown += list(np.where(solid, rate, np.nan)) + list(np.where(whole, low, np.nan))   # whole buckets' intervals stay on the axis
        few = (~solid) & ~np.isnan(rate)
        if few.any():
            # Too few answers: a hollow point with a faint interval, not joined to the line.
            traces.append(go.Scatter(
                x=[k for k, f in zip(keys, few) if f], y=rate[few], mode="markers",
                name=f"{label} · {t('satisfaction.small', lang)}", legendgroup=mid, showlegend=False,
                marker=dict(size=8, color="white", line=dict(color=TREND_COLORS[mid], width=1.5)),
                error_y=dict(type="data", symmetric=False, color=GREY_OUT, thickness=1, width=0,
                             array=(high[few] - rate[few]).tolist(), arrayminus=(rate[few] - low[few]).tolist()),
                hovertext=[h for h, f in zip(hover, few) if f], hovertemplate="%{hovertext}<extra></extra>",
                **period_x(grain)))
            shown += list(rate[few])
    first, after = bucket_span(keys, grain)
    mark = (*whole_buckets(selected, keys, grain), t("satisfaction.selected_period", lang)) if selected else None
    strip = top_strip(bands, first, after, lang, cov, keys, grain, plot_px=1100, highlight=mark)
    height, margin = 340, dict(l=56, r=20, t=56, b=44)
    target = judgements.target_of("survey.satisfaction_rate")
    goal = target["target"] if target else None
    fig = go.Figure(data=traces, layout=dict(
        height=height, hovermode="closest", legend=dict(y=1.08), margin=margin,
        yaxis=rate_axis(shown + ([goal] if goal else []), strip.reserve(height - margin["t"] - margin["b"])),
        xaxis=time_axis(first, after, grain, lang)))
    if goal:
        # The caption in the right margin, beside the line's end: inside the plot it sat on the
        # latest points (the figures live near their target).
        caption = t("kpi.target", lang, target=_pct(goal))
        fig.update_layout(margin=dict(margin, r=max(margin["r"], round(text_px(caption) + 8))))
        fig.add_hline(y=goal, line=dict(color=MUTED, width=1, dash="dot"), annotation_text=caption,
                      annotation_position="right", annotation_font=dict(size=11, color=MUTED))
    return strip.apply(fig)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of each run of consecutive True values."""
    runs, first = [], None
    for i, flag in enumerate(flags + [False]):
        if flag and first is None:
            first = i
        elif not flag and first is not None:
            runs.append((first, i - 1))
            first = None
    return runs


def origin_label(origin, lang: str) -> str:
    """An origin (free text, in Chinese) as the reader reads it; an unknown one as recorded."""
    if origin is None or (isinstance(origin, float) and pd.isna(origin)) or origin == "":
        return t("chart.not_given", lang)
    return ORIGINS_EN.get(str(origin), str(origin)) if lang == "en" else str(origin)


def segment_label(by: str, key, name, lang: str) -> str:
    if key is None or (isinstance(key, float) and pd.isna(key)):
        return t("satisfaction.no_area", lang) if by == "area" else t("chart.not_given", lang)
    if key == OTHER:
        return t("satisfaction.other_origins", lang)
    if by == "origin":
        return origin_label(key, lang)
    return str(name) if by == "area" and isinstance(name, str) else value_label(key, lang)


def _ranked(rank) -> bool:
    return rank is not None and not (isinstance(rank, float) and pd.isna(rank))


def segment_figure(df: pd.DataFrame, by: str, metric_id: str, lang: str) -> go.Figure:
    """Dot-and-interval chart: ranked segments best first, then the small samples in grey and the
    catch-all groups (未关联景区, 其他客源地, 未填写), both unnumbered."""
    if df.empty:
        return empty_figure(t("empty.no_data", lang), height=220)
    label = metric_label(metric_id, lang)
    keys = [None if (isinstance(k, float) and pd.isna(k)) else k for k in df["key"]]
    names = [segment_label(by, k, nm, lang) for k, nm in zip(keys, df["name"])]
    ylabels = [f"{int(r)}. {nm}" if _ranked(r) else nm for nm, r in zip(names, df["rank"])]
    # Keep labels unique, since they are the category axis.
    seen: dict[str, int] = {}
    for i, y in enumerate(ylabels):
        seen[y] = seen.get(y, 0) + 1
        if seen[y] > 1:
            ylabels[i] = f"{y} ({seen[y]})"
    # A few dozen rows: numpy arrays, not Series (pandas' per-operation cost was most of the chart's).
    rate, low, high = (df[c].to_numpy() for c in (metric_id, f"{metric_id}#low", f"{metric_id}#high"))
    counts, ranks, smalls = df["n"].to_numpy(), df["rank"].to_numpy(), df["small"].to_numpy()
    fig = go.Figure()
    for small in (False, True):
        mask = smalls == small
        if not mask.any():
            continue
        part_keys = [k for k, m in zip(keys, mask) if m]
        colors = [GREY_OUT if small else theme.color_of(k) for k in part_keys]
        hover = [f"<b>{nm}</b><br>" + rate_hover(label, r, lo, hi, n, lang, small)
                 + (f"<br>{t('satisfaction.rank', lang, rank=int(rk))}" if _ranked(rk) else "")
                 for nm, r, lo, hi, n, rk in zip([n for n, m in zip(names, mask) if m], rate[mask], low[mask],
                                                 high[mask], counts[mask], ranks[mask])]
        fig.add_scatter(
            x=rate[mask], y=[y for y, m in zip(ylabels, mask) if m], mode="markers",
            marker=dict(size=11, color=colors, line=dict(color="white", width=1),
                        symbol="circle-open" if small else "circle"),
            error_x=dict(type="data", symmetric=False, array=(high[mask] - rate[mask]).tolist(),
                         arrayminus=(rate[mask] - low[mask]).tolist(), color=GREY_OUT if small else MUTED,
                         thickness=2, width=5),
            customdata=[k or "" for k in part_keys], hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
            name=t("satisfaction.small", lang) if small else label,
        )
        if small:
            fig.data[-1].marker.line = dict(color=GREY_OUT, width=2)
    texts = [f"n={int(n):,}" + (f" · {t('satisfaction.small', lang)}" if s else "")
             for n, s in zip(counts, smalls)]
    # The n labels start right of the interval's end, clear of a point drawn there (a rate of 100 %):
    # an invisible marker as wide as the point moves them off it.
    fig.add_scatter(x=high, y=ylabels, mode="markers+text", text=texts, textposition="middle right",
                    marker=dict(size=14, color="rgba(0,0,0,0)"),
                    textfont=dict(size=11, color=[GREY_OUT if s else MUTED for s in smalls]),
                    hoverinfo="skip", showlegend=False, cliponaxis=False)
    ranked = sum(_ranked(r) for r in ranks)
    if 0 < ranked < len(df):
        fig.add_hline(y=ranked - 0.5, line=dict(color=GRID_LINE, width=1, dash="dash"))
    target = judgements.target_of(metric_id)
    x_axis = rate_axis(list(pd.to_numeric(low)))
    if target and target["target"] >= x_axis["range"][0]:
        fig.add_vline(x=target["target"], line=dict(color=RAG["amber"], width=1, dash="dot"))
    fig.update_layout(
        height=max(200, 70 + 30 * len(df)), hovermode="closest",
        xaxis=dict(**x_axis, showgrid=True, gridcolor=theme.GRID),
        yaxis=dict(categoryorder="array", categoryarray=ylabels, autorange="reversed", showgrid=False,
                   tickfont=dict(size=12)),
        margin=dict(l=10, r=110, t=10, b=36),
    )
    return fig


def likert_figure(df: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """Diverging stacked bars: 1–2 to the left of zero, 3 centred on it, 4–5 to the right."""
    if df.empty or df["count"].sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=300)
    questions = list(dict.fromkeys(df["question"]))
    # A few dozen cells: plain lists per score, in the questions' order (a missing cell counts 0).
    cells = {(q, int(s)): (0.0 if pd.isna(v) else float(v), int(c))
             for q, s, v, c in zip(df["question"], df["score"], df["share"], df["count"])}
    n: dict = {}
    for q, answered in zip(df["question"], df["n"]):
        n.setdefault(q, int(answered))
    wide = {s: [cells.get((q, s), (0.0, 0))[0] for q in questions] for s in range(1, 6)}
    ylabels = [f"{labels.get(q, q)}（n={n[q]:,}）" if lang == "zh" else f"{labels.get(q, q)} (n={n[q]:,})"
               for q in questions]
    half = [w / 2 for w in wide[3]]
    below2 = [-h - w for h, w in zip(half, wide[2])]
    bases = {3: [-h for h in half], 2: below2, 1: [b - w for b, w in zip(below2, wide[1])], 4: half,
             5: [h + w for h, w in zip(half, wide[4])]}
    fig = go.Figure()
    for score in (1, 2, 3, 4, 5):
        word = value_label(LIKERT[score], lang)
        share = wide[score]
        fig.add_bar(
            y=ylabels, x=share, base=bases[score], orientation="h",
            name=f"{score} {word}", marker=dict(color=LIKERT_COLORS[score], line=dict(color="white", width=0.5)),
            text=[f"{s:.0%}" if s >= 0.06 else "" for s in share], textposition="inside",
            insidetextanchor="middle", textangle=0,
            textfont=dict(color="white" if score in (1, 5) else INK, size=12),
            customdata=[(cells.get((q, score), (0.0, 0))[1], n[q]) for q in questions],
            hovertemplate=(f"%{{y}}<br>{score} {word}: %{{customdata[0]:,}} "
                           f"({'%{x:.1%}'})<extra></extra>"),
        )
    left = max(a + b + h for a, b, h in zip(wide[1], wide[2], half))
    right = max(a + b + h for a, b, h in zip(wide[4], wide[5], half))
    ticks = [v / 100 for v in range(-100, 101, 25) if -left - 0.05 <= v / 100 <= right + 0.05]
    fig.update_layout(
        barmode="overlay", height=110 + 62 * len(questions), bargap=0.35,
        xaxis=dict(range=[-left - 0.04, right + 0.04], tickvals=ticks, ticktext=[f"{abs(v):.0%}" for v in ticks],
                   zeroline=True, zerolinecolor=MUTED, zerolinewidth=1, showgrid=True, gridcolor=theme.GRID),
        yaxis=dict(autorange="reversed", tickfont=dict(size=13)),
        legend=dict(traceorder="normal", y=1.02), margin=dict(l=10, r=20, t=40, b=30),
        # A share too wide for its segment is left out, not turned on its side and shrunk past reading
        # (on a phone the 一般 segment showed "12%" sideways at 6 px).
        uniformtext=dict(minsize=12, mode="hide"),
    )
    return fig


def keywords_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """The most used words of the comments, most used on top; the share is of the comments read.
    Over a handful of comments word counts say nothing: the chart says to read them instead."""
    if df.empty:
        return empty_figure(t("satisfaction.no_comments", lang), height=260)
    total = int(df["of"].iloc[0]) or 1
    if total < KEYWORD_MIN_COMMENTS:
        return empty_figure(t("satisfaction.few_comments", lang, n=total), height=200)
    shares = df["comments"] / total
    fig = go.Figure(go.Bar(
        y=df["word"], x=df["comments"], orientation="h", marker_color=POLICE_BLUE, opacity=0.88,
        text=[f"{c:,}" for c in df["comments"]], textposition="outside", cliponaxis=False,
        customdata=shares, hovertemplate=(f"%{{y}}<br>{t('satisfaction.mentions', lang)}: %{{x:,}}"
                                          f" (%{{customdata:.1%}})<extra></extra>"),
    ))
    fig.update_layout(height=max(240, 50 + 19 * len(df)), bargap=0.3,
                      xaxis=dict(title=t("satisfaction.mentions", lang), showgrid=True, gridcolor=theme.GRID,
                                 tickformat=",d", **({"dtick": 1} if df["comments"].max() <= 8 else {})),
                      yaxis=dict(autorange="reversed", tickfont=dict(size=12)),
                      margin=dict(l=10, r=40, t=10, b=40))
    return fig
