"""Figures of the Mediation page: pure builders, DataFrame in, go.Figure out.

Dispute types and results keep their product-wide colours (`theme.color_of`:
调解成功 green, 调解失败 red …). Bars that a click acts on carry the raw code
(dispute type, unit or area code) as the first item of their customdata, so
the page's drill callback never has to parse a label. Rates always show
their n; rates resting on too few cases are grey, last and not ranked.
"""
from __future__ import annotations

import pandas as pd
from dashboard.figures import lite as go

from dashboard.figures.base import (bucket_span, bucket_text, count_axis, count_bars, coverage, empty_figure,
                                    rate_axis, time_line, time_axis, top_strip, yuan_axis)
from dashboard.format import fmt_value
from dashboard.model import judgements
from dashboard.model.breakdowns import CLOSE_BIN_EDGES
from dashboard.model.catalog import BY_ID
from dashboard.text import t, value_label
from dashboard.theme import GREY_OUT, MUTED, POLICE_BLUE, RAG, color_of
from warehouse.record_types import DISPUTE_TYPES, MEDIATION_RESULTS

DIMMED = 0.28


def _count_ticks(top: float) -> dict:
    """Whole-number ticks: with small counts Plotly would otherwise label 0, 0.5, 1 as 0, 1, 1."""
    return {"tickformat": ",d", **({"dtick": 1} if top <= 6 else {})}


def _bar_width(n: int) -> float:
    """A lone bar stays a bar, not a slab."""
    return min(0.8, 0.28 * n)


def _hours(value: float | None, lang: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.1f} {t('mediation.hours_unit', lang)}"


def type_result_figure(df: pd.DataFrame, lang: str, selected: str | None = None) -> go.Figure:
    """Stacked horizontal bars: one per dispute type, split by result; the selected type stands out."""
    if df.empty or df["count"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    found = dict(zip(zip(df["dispute_type"], df["result"]), df["count"].astype(int)))
    types = [d for d in DISPUTE_TYPES if d in set(df["dispute_type"])]
    labels = [value_label(d, lang) for d in types]
    opacity = [1.0 if selected in (None, d) else DIMMED for d in types]
    totals = [sum(found.get((d, r), 0) for r in MEDIATION_RESULTS) for d in types]
    traces = []
    for result in MEDIATION_RESULTS:
        values = [int(found.get((d, result), 0)) for d in types]
        if sum(values) == 0:
            continue
        name = value_label(result, lang)
        traces.append(dict(
            type="bar", y=labels, x=values, orientation="h", name=name,
            marker=dict(color=color_of(result), opacity=opacity, line=dict(width=0)),
            customdata=[[d, v / tot if tot else 0, tot] for d, v, tot in zip(types, values, totals)],
            hovertemplate=f"%{{y}} · {name}: %{{x:,d}} "
                          f"(%{{customdata[1]:.0%}} / %{{customdata[2]:,d}})<extra></extra>",
        ))
    traces.append(dict(  # totals at the end of each bar, part of no legend
        type="scatter", y=labels, x=totals, mode="text", text=[f" {v:,d}" for v in totals],
        textposition="middle right", showlegend=False, hoverinfo="skip", customdata=[[d] for d in types],
        textfont=dict(size=12, color=MUTED)))
    return go.Figure(data=traces, layout=dict(
        barmode="stack", height=max(280, 44 + 34 * len(types)), margin=dict(l=10, r=30, t=40, b=30),
        yaxis=dict(autorange="reversed", ticksuffix=" "),
        xaxis=dict(range=[0, max(totals) * 1.12 or 1], title=dict(text=t("mediation.count_axis", lang),
                                                                   font=dict(size=12, color=MUTED)),
                   **_count_ticks(max(totals))),
        legend=dict(traceorder="normal"),
    ))


def share_bars_figure(df: pd.DataFrame, rate_col: str, lang: str, min_cases: int,
                      small_col: str = "small", target: float | None = None,
                      metric_id: str | None = None, empty_text: str | None = None) -> go.Figure:
    """Horizontal bars of one rate per unit or area, labelled with hits/n; too-small groups last, unranked.

    `df` holds key, name, `rate_col`, `<rate_col>#n`, `<rate_col>#hits` and `small_col`. Ranked
    groups come first, best first, as bars; groups with too few cases (`min_cases`, applied by the
    query into `small_col`) follow below a dashed line, largest first, as a mark at the axis with
    their counts and "not ranked", never as a bar. With `metric_id` and a configured target, bars
    are coloured red / amber / green against it and the target is drawn as a line.
    """
    rows = [r for r in df.to_dict("records") if r.get(f"{rate_col}#n")] if not df.empty else []
    if not rows:
        return empty_figure(empty_text or t("empty.no_data", lang))
    rows.sort(key=lambda r: (bool(r[small_col]), -r[f"{rate_col}#n"] if r[small_col] else -r[rate_col]))
    ranked = [r for r in rows if not r[small_col]]
    small = [r for r in rows if r[small_col]]
    names = [r["name"] or r["key"] for r in rows]
    hover = t("mediation.hits_of", lang, hits="%{customdata[1]:,d}", n="%{customdata[2]:,d}")
    traces = []
    if ranked:
        rates = [float(r[rate_col]) for r in ranked]
        ns = [int(r[f"{rate_col}#n"]) for r in ranked]
        hits = [int(r[f"{rate_col}#hits"]) for r in ranked]
        colors = []
        for rate in rates:
            status = judgements.rag(metric_id, rate) if metric_id else None
            colors.append(RAG[status] if status else POLICE_BLUE)
        traces.append(dict(
            type="bar", y=names[:len(ranked)], x=rates, orientation="h", marker=dict(color=colors, line=dict(width=0)),
            width=_bar_width(len(rows)), text=[f" {r:.1%} ({h}/{n})" for r, h, n in zip(rates, hits, ns)],
            textposition="outside", cliponaxis=False, textfont=dict(size=12),
            customdata=[[r["key"], h, n] for r, h, n in zip(ranked, hits, ns)],
            hovertemplate="%{y}: %{x:.1%}<br>" + hover + "<extra></extra>",
        ))
    if small:
        # Too few cases to rank: no bar (a full grey 100 % bar would outrank the leaders), only a
        # mark at the axis that says so, with the counts.
        ns = [int(r[f"{rate_col}#n"]) for r in small]
        hits = [int(r[f"{rate_col}#hits"]) for r in small]
        note = t("mediation.small_mark", lang, n=min_cases)
        traces.append(dict(
            type="scatter", y=names[len(ranked):], x=[0] * len(small), mode="markers+text", cliponaxis=False,
            marker=dict(symbol="line-ns-open", size=12, color=MUTED, line=dict(width=2, color=MUTED)),
            text=[f"  {h}/{n} · {note}" for h, n in zip(hits, ns)], textposition="middle right",
            textfont=dict(size=12, color=MUTED),
            customdata=[[r["key"], h, n, float(r[rate_col])] for r, h, n in zip(small, hits, ns)],
            hovertemplate="%{y}: %{customdata[3]:.1%}<br>" + hover + f" · {t('mediation.small_tag', lang)}"
                          "<extra></extra>",
        ))
    shapes, notes = [], []
    if ranked and small:
        shapes.append(dict(type="line", x0=0, x1=1, xref="paper", y0=len(ranked) - 0.5, y1=len(ranked) - 0.5,
                           yref="y", line=dict(color=GREY_OUT, dash="dash", width=1)))
    if target is not None and ranked:
        shapes.append(dict(type="line", x0=target, x1=target, y0=0, y1=1, xref="x", yref="paper",
                           line=dict(color=MUTED, dash="dash", width=1)))
        notes.append(dict(x=target, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                          text=t("mediation.target", lang, target=f"{target:.0%}"), font=dict(size=11, color=MUTED)))
    return go.Figure(data=traces, layout=dict(
        height=max(240, 60 + 30 * len(names)), margin=dict(l=10, r=20, t=30, b=30), showlegend=False,
        yaxis=dict(autorange="reversed", ticksuffix=" ", type="category", categoryorder="array",
                   categoryarray=names),
        xaxis=dict(tickformat=".0%", range=[0, 1.32], tickvals=[0, 0.25, 0.5, 0.75, 1.0]),
        shapes=shapes, annotations=notes,
    ))


def _bin_of(hours: float) -> int:
    return next((i for i, edge in enumerate(CLOSE_BIN_EDGES) if hours < edge), len(CLOSE_BIN_EDGES))


# Where the median and P90 marks' labels stand, in heights of the tallest bar: over every bar's
# number (up to ~15 px over its bar, ~0.12 of the tallest at the chart's 320 px), one row, and a
# second over it for the first of two marks near each other. The y axis reaches 1.7 × the tallest
# bar; the line of figures over the plot, wrapped on a phone, comes down to ~1.6.
MARK_ROWS = (1.2, 1.4)
NEAR_BINS = 3    # bins: marks this close would overlap at a phone's width


def _close_marks(marks: dict[int, list[str]], labels: list[str], counts: list[int], top: int) -> list[dict]:
    """An arrow from each mark's label down to its bar. The labels stand at fixed heights over the
    tallest bar, not lifted over their own: a label lifted over a low bar stood among its taller
    neighbours' numbers, and over the other mark, on a phone's narrow bars."""
    bins = sorted(marks)
    near = len(bins) == 2 and bins[1] - bins[0] <= NEAR_BINS
    out = []
    for k, i in enumerate(bins):
        row = 1 if near and k == 0 else 0
        # The second of two near marks reads to the right of its arrow, clear of the first's.
        anchor = "left" if near and k == 1 and i < len(labels) - 2 else "center"
        out.append(dict(x=labels[i], y=counts[i], text="<br>".join(marks[i]), showarrow=True, arrowhead=2,
                        arrowcolor=RAG["amber"], ax=0, ay=top * MARK_ROWS[row], ayref="y", standoff=16,
                        xanchor=anchor, yanchor="bottom", font=dict(size=12, color=RAG["amber"]),
                        bgcolor="rgba(255,255,255,0.85)"))
    return out


def close_time_figure(bins: pd.DataFrame, stats: dict, lang: str) -> go.Figure:
    """Closed mediations by time to close (uneven bins, minutes to days), median and P90 marked."""
    if bins.empty or bins["count"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    counts = [int(v) for v in bins["count"]]
    labels = [t(f"mediation.bin.{i}", lang) for i in bins["bin"]]
    top = max(counts)
    notes = [dict(
        x=0, y=1.1, xref="paper", yref="paper", xanchor="left", showarrow=False, font=dict(size=12, color=MUTED),
        text=t("mediation.close_stats", lang, median=_hours(stats.get("median_hours"), lang),
               p90=_hours(stats.get("p90_hours"), lang), closed=f"{stats.get('closed') or 0:,}",
               open=f"{stats.get('still_open') or 0:,}"))]
    marks: dict[int, list[str]] = {}
    for word, key in ((t("mediation.median", lang), "median_hours"), ("P90", "p90_hours")):
        if stats.get(key) is not None:
            marks.setdefault(_bin_of(stats[key]), []).append(f"{word} {_hours(stats[key], lang)}")
    notes += _close_marks(marks, labels, counts, top)
    bar = dict(type="bar", x=labels, y=counts, marker=dict(color=POLICE_BLUE), opacity=0.85,
               text=[f"{v:,d}" if v else "" for v in counts], textposition="outside", cliponaxis=False,
               name=t("mediation.close_cases", lang), hovertemplate="%{x}: %{y:,d}<extra></extra>")
    return go.Figure(data=[bar], layout=dict(
        height=320, margin=dict(l=10, r=10, t=44, b=30), showlegend=False, annotations=notes,
        yaxis=dict(range=[0, top * 1.7 + 1], title=dict(text=t("mediation.close_cases", lang)),
                   **_count_ticks(top * 1.7 + 1)),
        xaxis=dict(type="category", tickangle=0, tickfont=dict(size=11)),
    ))


def compensation_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Left: the sum of compensation per dispute type; right: the per-case amount (quartile box,
    whiskers to min and max, P90 marked) over cases with compensation. One y axis, two x axes."""
    if df.empty or df["cases"].sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    if df["total_yuan"].sum() == 0:
        return empty_figure(t("mediation.no_compensation", lang, cases=f"{int(df['cases'].sum()):,}"))
    rows = df.to_dict("records")
    labels = [value_label(r["dispute_type"], lang) for r in rows]
    hover = t("mediation.comp_hover", lang, total="%{x:,.0f}", cases="%{customdata[1]:,d}",
              paid="%{customdata[2]:,d}")
    traces = [dict(
        type="bar", y=labels, x=[r["total_yuan"] for r in rows], orientation="h", xaxis="x", yaxis="y",
        marker=dict(color=[color_of(r["dispute_type"]) for r in rows]), width=_bar_width(len(labels)),
        # "auto": a sum inside its bar where it fits, past it where not; all past their bars, the long ones
        # ran under the box panel on a phone ("¥222,84…").
        text=[fmt_value("yuan", r["total_yuan"]) for r in rows], textposition="auto", cliponaxis=False,
        textfont=dict(size=12), customdata=[[r["dispute_type"], r["cases"], r["paid"]] for r in rows],
        hovertemplate="%{y}: " + hover + "<extra></extra>", showlegend=False,
    )]
    paid = [(label, r) for label, r in zip(labels, rows) if r["paid"]]
    for label, r in paid:
        color = color_of(r["dispute_type"])
        traces.append(dict(
            type="box", y=[label], q1=[r["q1_yuan"]], median=[r["median_yuan"]], q3=[r["q3_yuan"]],
            lowerfence=[r["min_yuan"]], upperfence=[r["max_yuan"]], orientation="h", xaxis="x2", yaxis="y",
            marker=dict(color=color), fillcolor=color, opacity=0.75, line=dict(width=1.5),
            showlegend=False, name=label, hoverinfo="x"))
    if paid:
        traces.append(dict(
            type="scatter", y=[label for label, _ in paid], x=[r["p90_yuan"] for _, r in paid], mode="markers",
            xaxis="x2", yaxis="y", marker=dict(symbol="diamond", size=8, color=MUTED), name="P90", showlegend=False,
            customdata=[[r["dispute_type"], r["paid"]] for _, r in paid],
            hovertemplate="%{y} P90: ¥%{x:,.0f} (n=%{customdata[1]:,d})<extra></extra>"))
    top = max(r["total_yuan"] for r in rows) or 1.0
    title = dict(xref="paper", yref="paper", y=1.0, yanchor="bottom", showarrow=False, font=dict(size=13, color=MUTED))
    return go.Figure(data=traces, layout=dict(
        height=max(300, 80 + 32 * len(labels)), margin=dict(l=10, r=20, t=40, b=30),
        xaxis=yuan_axis(top, lang, domain=[0, 0.4], range=[0, top * 1.35]),
        xaxis2=yuan_axis(max((r["max_yuan"] or 0) for _, r in paid) if paid else 1, lang, domain=[0.46, 1],
                         rangemode="tozero"),
        yaxis=dict(autorange="reversed", ticksuffix=" ", type="category", categoryorder="array",
                   categoryarray=labels),
        # Left-aligned over each part, so the two headings never meet on a narrow chart (or export).
        annotations=[dict(title, x=0, xanchor="left", text=t("mediation.comp_total", lang)),
                     dict(title, x=0.46, xanchor="left", text=t("mediation.comp_dist", lang))],
    ))


def weekly_figure(df: pd.DataFrame, bands, lang: str) -> go.Figure:
    """Mediations per week (bars) and the success rate (line, right axis, n in the hover), each
    week over its seven days. A week the period covers only in part is hatched, its rate point
    hollow on a dotted segment, and its hover says which days it counts."""
    if df.empty or pd.to_numeric(df["mediation.total"]).sum() == 0:
        return empty_figure(t("empty.no_data", lang))
    total, rate = BY_ID["mediation.total"], BY_ID["mediation.success_rate"]
    cov = coverage(df, "week")
    keys = list(df["key"])
    weeks = [bucket_text(k, "week", lang, cov, i) for i, k in enumerate(keys)]
    counts = [int(v) for v in df["mediation.total"]]
    rates = [None if pd.isna(v) else float(v) for v in df["mediation.success_rate"]]
    ns = [int(n) for n in df["mediation.success_rate#n"]]
    bars = count_bars(keys, counts, cov.partial, name=total.zh if lang == "zh" else total.en, color=POLICE_BLUE,
                      grain="week", hovertext=[f"{w}<br>{c:,d}" for w, c in zip(weeks, counts)])
    line = time_line(keys, rates, cov.partial, name=rate.zh if lang == "zh" else rate.en, color=RAG["green"],
                     grain="week", yaxis="y2",
                     hovertext=["—" if r is None else f"{r:.1%} (n={n:,})" for r, n in zip(rates, ns)])
    first, after = bucket_span(keys, "week")
    strip = top_strip(bands, first, after, lang, cov, keys, "week", plot_px=520)
    height, margin = 320, dict(l=10, r=10, t=40, b=30)
    reserve = strip.reserve(height - margin["t"] - margin["b"])
    fig = go.Figure(data=[*bars, *line], layout=dict(
        height=height, hovermode="x unified", margin=margin,
        yaxis=count_axis(max(counts), reserve, title=dict(text=t("mediation.count_axis", lang))),
        yaxis2=dict(overlaying="y", side="right", showgrid=False, **rate_axis(rates, reserve)),
        xaxis=time_axis(first, after, "week"),
    ))
    return strip.apply(fig)
