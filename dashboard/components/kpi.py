"""KPI cards: value, change against the period before and last year, n, target, sparkline.

A card is compact (the Overview shows eight on the first screen with the
trend and the lag tables). The red/amber/green badge is given only on
enough records (`judgements.rag` with n: "few" otherwise, grey, 样本不足). A
change reads 持平 when it would print as zero, in absolute terms on a small
base, and 显著 in words when `judgements.change` judged it notable, green when
that is for the better and red when for the worse (the catalog's
`higher_is_better`; neutral figures stay ink). With the view, a card shows
only 同比 where the period before and last year are the same days (本年),
and names the length of a shorter period before. The sparkline is a small
SVG image built here, not a Plotly graph: a page shows up to a dozen of
them, and each Plotly graph costs the browser tens of milliseconds. A catalog figure's card has
an ⓘ: a tap on its head opens its 口径 (dashboard.components.definition).
"""
from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import html

from dashboard import theme
from dashboard.components.definition import definition_popover, info_button, metric_of
from dashboard.format import change_form, fmt_change, fmt_value, shows_as_zero
from dashboard.model import judgements
from dashboard.model.catalog import BY_ID
from dashboard.model.values import KpiFigures
from dashboard.state import View
from dashboard.text import t

MINUS = "\u2212"
SPARK_W, SPARK_H, SPARK_PAD = 112, 32, 3


def is_flat(fmt: str, ch: judgements.Change) -> bool:
    """Whether the change prints as zero at the card's precision (then it reads 持平)."""
    return shows_as_zero(fmt, ch)


def change_text(fmt: str, ch: judgements.Change, lang: str, unit: str = "") -> str:
    """As the briefing words it (`change_form`): +12%, −0.4个百分点, +0.2分钟, +1.26, +6起 on a small base."""
    text = fmt_change(fmt, ch, lang)
    if change_form(fmt, ch) == "amount" and lang == "zh" and fmt == "count":
        text += unit
    return text.replace("-", MINUS)


def _titled(judgement: str, lang: str) -> str:
    """A change's tooltip: what the test made of it, and how changes are written (the same as the briefing)."""
    return judgement + ("\n" + t("kpi.change_rule", lang))


def change_item(label: str, fmt: str, now, before, lang: str, higher_is_better: bool | None = True,
                unit: str = "") -> html.Span:
    ch = judgements.change(fmt, now.value, before.value, now.n, before.n)
    head = html.Span(label + " ", className="tpd-change-label")
    if ch.delta is None:
        return html.Span([head, html.Span(t("kpi.no_base", lang), className="text-muted")], className="tpd-change")
    if is_flat(fmt, ch):
        return html.Span([head, html.Span(t("kpi.flat", lang), className="tpd-change-flat")],
                         className="tpd-change", title=_titled(t("kpi.not_notable", lang), lang))
    arrow = "▲" if ch.delta > 0 else "▼"
    if not ch.notable:
        return html.Span([head, html.Span(f"{arrow} {change_text(fmt, ch, lang, unit)}", className="tpd-change-quiet")],
                         className="tpd-change", title=_titled(t("kpi.not_notable", lang), lang))
    tone = judgements.verdict(higher_is_better, ch.delta) or "neutral"
    return html.Span([
        head,
        html.Span(f"{arrow} {change_text(fmt, ch, lang, unit)} ", className=f"tpd-change-{tone}"),
        html.Span(t(f"kpi.notable_{tone}", lang), className=f"tpd-change-word tpd-change-{tone}"),
    ], className="tpd-change", title=_titled(t(f"kpi.notable_{tone}_title", lang), lang))


def comparisons(view: View | None, lang: str) -> list[tuple[str, str]]:
    """(which, label) of the changes a card shows for the view: both, or only 同比 for 本年,
    whose period before is last year's same days."""
    both = [("previous", t("kpi.vs_previous", lang)), ("last_year", t("kpi.vs_last_year", lang))]
    if view is None:
        return both
    against = view.comparison
    if against.previous == against.last_year:
        return both[1:]
    days, prev_days = view.filters.days, against.previous.days
    if prev_days != days:   # 本月 on the 31st against a 30-day month: counts are not like for like
        return [("previous", t("kpi.vs_previous_days", lang, days=prev_days)), both[1]]
    return both


def _points(values: list[float | None], low: float, high: float) -> list[tuple[float, float]]:
    step = (SPARK_W - 2 * SPARK_PAD) / max(1, len(values) - 1)
    span = (high - low) or 1.0
    out = []
    for i, v in enumerate(values):
        if v is None:
            continue
        y = SPARK_H - SPARK_PAD - (v - low) / span * (SPARK_H - 2 * SPARK_PAD) if high > low else SPARK_H / 2
        out.append((round(SPARK_PAD + i * step, 1), round(y, 1)))
    return out


def sparkline_svg(values: list[float | None], from_zero: bool = True, least_span: float = 0.0,
                  partial_last: bool = False) -> str:
    """A line of the weeks (gaps bridged), its area, and a dot on the latest week; a latest week
    the period cuts short (`partial_last`) is joined by a dotted segment and drawn hollow, as the
    page's charts draw part periods, so a week of three days does not read as a fall.

    Counts rise from zero; rates and medians span the weeks' range, but at least `least_span`,
    so that real movement shows and a wobble of a point or two does not look like a cliff."""
    present = [v for v in values if v is not None]
    high, low = max(present), min(present)
    if from_zero:
        low = min(0.0, low)
    else:
        span = max(high - low, least_span) * 1.15
        middle = (high + low) / 2
        low, high = middle - span / 2, middle + span / 2
    pts = _points(values, low, high)
    part = partial_last and values[-1] is not None and len(pts) > 2
    solid = pts[:-1] if part else pts
    line = " ".join(f"{x},{y}" for x, y in solid)
    area = f"{solid[0][0]},{SPARK_H} {line} {solid[-1][0]},{SPARK_H}"
    last_x, last_y = pts[-1]
    colour = theme.POLICE_BLUE
    tail = ""
    if part:
        tail = (f'<line x1="{solid[-1][0]}" y1="{solid[-1][1]}" x2="{last_x}" y2="{last_y}" stroke="{colour}" '
                f'stroke-width="1.4" stroke-dasharray="2 2"/>')
    dot = (f'<circle cx="{last_x}" cy="{last_y}" r="2.4" fill="#fff" stroke="{colour}" stroke-width="1.2"/>'
           if part else f'<circle cx="{last_x}" cy="{last_y}" r="2.4" fill="{colour}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_W}" height="{SPARK_H}" '
            f'viewBox="0 0 {SPARK_W} {SPARK_H}">'
            f'<polygon points="{area}" fill="{colour}" fill-opacity="0.08"/>'
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.6" '
            f'stroke-linejoin="round" stroke-linecap="round"/>{tail}{dot}</svg>')


def sparkline_image(weekly, fmt: str, label: str, lang: str, image_id: str):
    """The 12 weeks as an <img> of inline SVG, its figures in words for the alt text and tooltip."""
    if weekly is None or weekly.empty:
        return html.Div(className="tpd-kpi-spark")
    values = [None if v is None or v != v else float(v) for v in weekly["value"].tolist()]
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return html.Div(className="tpd-kpi-spark")
    words = t("kpi.sparkline_words", lang, label=label, first=fmt_value(fmt, present[0], lang),
              last=fmt_value(fmt, present[-1], lang), low=fmt_value(fmt, min(present), lang),
              high=fmt_value(fmt, max(present), lang), weeks=len(values))
    least = 0.10 if fmt == "rate" else 0.25 * max(abs(v) for v in present)
    partial = "partial" in weekly and bool(weekly["partial"].iloc[-1])
    if partial:
        words += t("kpi.sparkline_partial", lang)
    svg = sparkline_svg(values, from_zero=fmt in ("count", "yuan"), least_span=least, partial_last=partial)
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return html.Img(src=src, alt=words, title=words, className="tpd-kpi-spark", id=image_id)


def kpi_card(metric_id: str, fig: KpiFigures, lang: str, card_id: str, view: View | None = None,
             pending: str | None = None) -> dbc.Card:
    """A card for a catalog metric: its label, unit, format, direction and target come from the catalog."""
    m = BY_ID[metric_id]
    return figure_card(m.zh if lang == "zh" else m.en, m.fmt, m.unit_zh if lang == "zh" else m.unit_en,
                       fig, lang, card_id, target_id=metric_id, higher_is_better=m.higher_is_better,
                       view=view, pending=pending)


def figure_card(label: str, fmt: str, unit: str, fig: KpiFigures, lang: str, card_id: str,
                target_id: str | None = None, higher_is_better: bool | None = None,
                view: View | None = None, pending: str | None = None, metric_id: str | None = None) -> dbc.Card:
    """A KPI card for any figure with now / previous / last year / weekly history.

    `view`: the page's view, so 本年 shows only 同比. `pending`: the figure is not final yet
    (a selection still open): this sentence replaces the changes, and no badge is given.
    `metric_id` (default `target_id`): the catalog figure whose 口径 a tap on the card's head shows."""
    metric_id = metric_id or target_id
    defined = metric_id is not None and metric_of(metric_id) is not None
    status = None if pending or not target_id else judgements.rag(target_id, fig.now.value, fig.now.n)
    target = judgements.target_of(target_id) if target_id else None
    footer = []
    if fig.now.n is not None and fmt in ("rate", "minutes", "score", "per10k"):
        footer.append(t("kpi.n", lang, n=f"{int(fig.now.n):,}"))
    if fig.now.low is not None:
        footer.append(t("kpi.ci", lang, low=fmt_value("rate", fig.now.low), high=fmt_value("rate", fig.now.high)))
    if target:
        footer.append(t("kpi.target", lang, target=fmt_value(fmt, target["target"])))
    if pending:
        changes = [html.Span(pending, className="tpd-change-pending")]
    else:
        before = {"previous": fig.previous, "last_year": fig.last_year}
        changes = [change_item(name, fmt, fig.now, before[which], lang, higher_is_better, unit)
                   for which, name in comparisons(view, lang)]
    badge = None
    if status:
        title = t("kpi.few_title", lang, min=judgements.min_survey_answers()) if status == "few" else None
        badge = html.Span(t(f"rag.{status}", lang), className=f"tpd-rag tpd-rag-{status}", title=title)
    head = [html.Span(label, className="tpd-kpi-label")]
    if defined:
        head.append(info_button(card_id, label, lang))
    return dbc.Card(dbc.CardBody([
        html.Div([html.Div(head, className="tpd-kpi-name"), badge], className="tpd-kpi-head",
                 **({"id": f"{card_id}-head"} if defined else {})),
        html.Div([
            html.Div([
                html.Span(fmt_value(fmt, fig.now.value, lang, symbol=not unit), className="tpd-kpi-value"),
                html.Span(" " + unit if unit and fmt != "rate" else "", className="tpd-kpi-unit"),
            ], className="tpd-kpi-figure"),
            sparkline_image(fig.weekly, fmt, label, lang, f"{card_id}-spark"),
        ], className="tpd-kpi-main"),
        html.Div(changes, className="tpd-kpi-changes"),
        html.Div(" · ".join(footer), className="tpd-kpi-foot"),
        *([definition_popover(metric_id, label, fig.now.n, view, lang, f"{card_id}-head")] if defined else []),
    ]), className=f"tpd-kpi tpd-kpi-compact h-100 tpd-kpi-{status or 'none'}", id=card_id)


def plain_card(label: str, value: str, foot: str, card_id: str, value_class: str = "") -> dbc.Card:
    """A card for a figure with nothing to compare (a share of this period only, an outcome still
    pending): its label, its value or a word instead, and a line under it."""
    return dbc.Card(dbc.CardBody([
        html.Span(label, className="tpd-kpi-label"),
        html.Div(html.Span(value, className=f"tpd-kpi-value {value_class}".strip())),
        html.Div(foot, className="tpd-kpi-foot"),
    ]), className="tpd-kpi h-100 tpd-kpi-none", id=card_id)
