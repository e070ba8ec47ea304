"""Figures and their changes as the briefing words them.

Quantities carry their Chinese measure words from the catalog (473人, 12个,
31支, 27起, 1632人次; visitors and yuan in 万 from ten thousand up), rates
always with their n (survey rates with the 95 % Wilson interval). A change is
worded by one convention, the KPI cards' too (`dashboard.format.change_form`):
counts and money in per cent of the earlier value (增加/减少 n on a base under
`small_base`, where a percentage of a handful misleads), rates in percentage
points, times, scores and rates per 10,000 visitors by how much in their own
unit; 显著 / "notable" only where `dashboard.model.judgements` judged the change notable.
"""
from __future__ import annotations

import re

from dashboard.briefing.model import Cell
from dashboard.format import change_form, change_in_units, shows_as_zero
from dashboard.model.catalog import BY_ID
from dashboard.model.values import MetricValue
from dashboard.text import t

MINUS = "\u2212"

# Names of figures inside a sentence where the catalog label does not read well there.
SENTENCE_NAMES = {
    "incidents.same_day_rate": ("警情处置不过夜率", "same-day closure"),
    "incidents.response_median_min": ("到场时间中位数", "median response time"),
    "survey.satisfaction_rate": ("群众满意率", "satisfaction"),
    "survey.safety_rate": ("安全感", "sense of safety"),
    "mediation.success_rate": ("调解成功率", "mediation success rate"),
}


def _strip_unit(label: str) -> str:
    return re.sub(r"[(（][^()（）]*[)）]$", "", label)


def name_of(metric_id: str, lang: str) -> str:
    if metric_id in SENTENCE_NAMES:
        return SENTENCE_NAMES[metric_id][lang == "en"]
    m = BY_ID[metric_id]
    if lang == "en":
        return m.en[0].lower() + m.en[1:]
    return _strip_unit(m.zh)


def qty(metric_id: str, value, lang: str) -> str:
    """A figure as a sentence states it: 473人, 22.55万人次, 91.1%, 12.0分钟; English 473, 225,514 …"""
    m = BY_ID[metric_id]
    if value is None:
        return "—"
    fmt = m.fmt
    if fmt == "rate":
        return f"{value * 100:.1f}%"
    if fmt == "yuan":
        if lang == "en":
            return f"¥{value:,.0f}"
        return f"{value / 10000:.2f}万元" if value >= 10000 else f"{value:.0f}元"
    if fmt == "minutes":
        return f"{value:.1f} min" if lang == "en" else f"{value:.1f}分钟"
    if fmt == "score":
        return f"{value:.2f}" if lang == "en" else f"{value:.2f}分"
    if fmt == "per10k":
        return f"{value:.2f}" if lang == "en" else f"{value:.2f}起"
    whole = int(round(value))
    if lang == "en":
        return f"{whole:,}"
    if metric_id == "visitors.total" and whole >= 10000:
        return f"{whole / 10000:.2f}万{m.unit_zh}"
    return f"{whole}{m.unit_zh}"


def with_n(metric_id: str, now: MetricValue, lang: str, ci: bool = True, inline: bool = False) -> str:
    """A rate (or median, score) with its n, and for survey rates the Wilson interval;
    `inline` for inside brackets already (85.3%，n=34)."""
    value = qty(metric_id, now.value, lang)
    n = f"{int(now.n):,}" if lang == "en" else str(int(now.n or 0))
    if inline:
        return t("briefing.rate_n_inline", lang, rate=value, n=n)
    if ci and now.low is not None:
        return t("briefing.rate_n_ci", lang, rate=value, n=n, low=f"{now.low * 100:.1f}%",
                 high=f"{now.high * 100:.1f}%")
    return t("briefing.rate_n", lang, rate=value, n=n)


def _shown_as_zero(metric_id: str, ch) -> bool:
    """Whether the change would print as 0.0 (then it reads 持平 / unchanged, not +0.0)."""
    return shows_as_zero(BY_ID[metric_id].fmt, ch, relative_places=1)


def _amount(metric_id: str, ch, lang: str) -> tuple[str, str]:
    """(direction word, amount) of a change, in the form `change_form` gives it."""
    up = ch.delta > 0
    form = change_form(BY_ID[metric_id].fmt, ch)
    if form == "points":
        return (t("briefing.up" if up else "briefing.down", lang),
                t("briefing.pp", lang, v=f"{abs(ch.delta) * 100:.1f}"))
    if form == "units" and BY_ID[metric_id].fmt == "minutes":
        return t("briefing.longer" if up else "briefing.shorter", lang), qty(metric_id, abs(ch.delta), lang)
    if form == "units":
        return t("briefing.up" if up else "briefing.down", lang), qty(metric_id, abs(ch.delta), lang)
    if form == "amount":   # nothing to compare a share with, or a small base: the count it moved by
        return t("briefing.more" if up else "briefing.less", lang), qty(metric_id, abs(ch.delta), lang)
    return t("briefing.up" if up else "briefing.down", lang), f"{abs(ch.relative) * 100:.1f}%"


def change_words(metric_id: str, ch, which: str, labels: tuple[str, str], lang: str,
                 mark_notable: bool = True) -> str | None:
    """环比显著上升25.0% / up 25.0% on the previous week (notable); None without a comparison.

    `which` is "prev" or "last"; `labels` name the previous period and last year's."""
    if ch.delta is None:
        return None
    words = dict(prev=labels[0], last=labels[1])
    if _shown_as_zero(metric_id, ch):
        return t("briefing.flat", lang, prefix=t(f"briefing.from_{which}", lang, **words))
    direction, amount = _amount(metric_id, ch, lang)
    notable = t("briefing.notable_word", lang) if ch.notable and mark_notable else ""
    if BY_ID[metric_id].fmt == "minutes":
        return t("briefing.change_time", lang, prefix=t(f"briefing.than_{which}", lang, **words),
                 notable=notable, direction=direction, amount=amount)
    return t("briefing.change", lang, prefix=t(f"briefing.vs_{which}", lang, **words), notable=notable,
             direction=direction, amount=amount)


def change_cell(metric_id: str, ch, lang: str) -> Cell:
    """A change as a table shows it: +12.5%, −0.8个百分点, +0.2分钟, +6次 on a small base, 持平, ● when notable."""
    if ch.delta is None:
        return Cell("—", "muted", numeric=True)
    m = BY_ID[metric_id]
    if _shown_as_zero(metric_id, ch):
        return Cell(t("briefing.flat_cell", lang), "notable" if ch.notable else None, numeric=True)
    form = change_form(m.fmt, ch)
    if form == "points":
        text = t("briefing.pp_short", lang, v=f"{ch.delta * 100:+.1f}")
    elif form == "units":
        text = change_in_units(m.fmt, ch.delta, lang)
    elif form == "amount":   # nothing to compare a share with, or a small base: the count it moved by
        text = f"{ch.delta:+,.0f}" + (m.unit_zh if lang != "en" and m.fmt == "count" else "")
    else:
        text = f"{ch.relative * 100:+.1f}%"
    text = text.replace("-", MINUS)
    return Cell(text + (" ●" if ch.notable else ""), "notable" if ch.notable else None, numeric=True)

