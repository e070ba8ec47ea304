"""A Briefing worded as a Document, in Chinese (in the seed reports' style) or English.

Quantities carry their Chinese measure words from the catalog (473人, 12个,
31支, 27起, 1632人次; visitors and yuan in 万 from ten thousand up), rates
always with their n (survey rates with the 95 % Wilson interval), changes
as 环比/同比上升/下降 x% (percentage points for rates; 增加/减少 n on a base
under `small_base`, where a percentage of a handful misleads), and the word 显著 /
"notable" only where `dashboard.model.judgements` judged the change notable. A
clause whose figure is zero is left out, as a person writing the report
would; the tables keep every figure, zeros included. Sentence templates
live in `dashboard/text/briefing.py`.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from dashboard.briefing import compose
from dashboard.briefing.model import Briefing, Cell, Document, Figure, Heading, LagRow, Paragraph, Table
from dashboard.format import fmt_value
from dashboard.model import judgements
from dashboard.model.catalog import BY_ID
from dashboard.model.values import MetricValue
from dashboard.text import TEXT, t

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
MINUS = "\u2212"
NOTABLE_LISTED = 8          # the summary names this many notable changes, then counts the rest

# Names of figures inside a sentence where the catalog label does not read well there.
SENTENCE_NAMES = {
    "incidents.same_day_rate": ("警情处置不过夜率", "same-day closure"),
    "incidents.response_median_min": ("到场时间中位数", "median response time"),
    "survey.satisfaction_rate": ("群众满意率", "satisfaction"),
    "survey.safety_rate": ("安全感", "sense of safety"),
    "mediation.success_rate": ("调解成功率", "mediation success rate"),
}


# --- dates and periods ----------------------------------------------------------------

def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def en_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def date_range(a: dt.date, b: dt.date, lang: str) -> str:
    if lang == "en":
        if a == b:
            return en_date(a)
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}\u2013{b.day} {MONTHS_EN[a.month - 1]} {a.year}"
        if a.year == b.year:
            return f"{a.day} {MONTHS_EN[a.month - 1]} \u2013 {en_date(b)}"
        return f"{en_date(a)} \u2013 {en_date(b)}"
    if a == b:
        return zh_date(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{zh_date(a)}至{b.day}日"
    if a.year == b.year:
        return f"{zh_date(a)}至{b.month}月{b.day}日"
    return f"{zh_date(a)}至{zh_date(b)}"


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_kind(period: str, start: dt.date, end: dt.date) -> str:
    """week / month / quarter / year when the period is one, else period."""
    if period in ("this_week", "last_week") or (start.weekday() == 0 and (end - start).days == 6):
        return "week"
    if period == "this_month" or (start.day == 1 and end == _month_end(start)):
        return "month"
    quarter_end = _month_end(start.replace(month=min(start.month + 2, 12))) if start.month in (1, 4, 7, 10) else None
    if period == "this_quarter" or (start.day == 1 and end == quarter_end):
        return "quarter"
    if period == "this_year" or (start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31)):
        return "year"
    return "period"


# --- quantities and changes --------------------------------------------------------

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
    fmt = BY_ID[metric_id].fmt
    if ch.delta == 0:
        return True
    if fmt == "rate":
        return abs(ch.delta) * 100 < 0.05
    if fmt == "minutes":
        return abs(ch.delta) < 0.05
    if fmt in ("score", "per10k"):
        return abs(ch.delta) < 0.005
    if ch.relative is not None:
        return abs(ch.relative) * 100 < 0.05
    return False


def _amount(metric_id: str, ch, lang: str) -> tuple[str, str]:
    """(direction word, amount) of a change."""
    m = BY_ID[metric_id]
    up = ch.delta > 0
    if m.fmt == "rate":
        return (t("briefing.up" if up else "briefing.down", lang),
                t("briefing.pp", lang, v=f"{abs(ch.delta) * 100:.1f}"))
    if m.fmt == "minutes":
        return t("briefing.longer" if up else "briefing.shorter", lang), qty(metric_id, abs(ch.delta), lang)
    if m.fmt == "score":
        return t("briefing.up" if up else "briefing.down", lang), qty(metric_id, abs(ch.delta), lang)
    if ch.relative is None:   # nothing to compare a share with, or a small base: the count it moved by
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
    """A change as a table shows it: +12.5%, −0.8个百分点, +6次 on a small base, 持平, ● when notable."""
    if ch.delta is None:
        return Cell("—", "muted", numeric=True)
    m = BY_ID[metric_id]
    if _shown_as_zero(metric_id, ch):
        return Cell(t("briefing.flat_cell", lang), "notable" if ch.notable else None, numeric=True)
    if m.fmt == "rate":
        text = t("briefing.pp_short", lang, v=f"{ch.delta * 100:+.1f}")
    elif m.fmt in ("minutes", "score", "per10k"):
        text = f"{ch.delta:+.{2 if m.fmt != 'minutes' else 1}f}"
    elif ch.relative is None:   # nothing to compare a share with, or a small base: the count it moved by
        text = f"{ch.delta:+,.0f}" + (m.unit_zh if lang != "en" and m.fmt == "count" else "")
    else:
        text = f"{ch.relative * 100:+.1f}%"
    text = text.replace("-", MINUS)
    return Cell(text + (" ●" if ch.notable else ""), "notable" if ch.notable else None, numeric=True)


# --- sentence assembly ------------------------------------------------------------

def join_items(items: list[str], lang: str) -> str:
    if lang != "en":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def join_clauses(clauses: list[str], lang: str, sep_zh: str = "，") -> str:
    if lang != "en":
        return sep_zh.join(clauses)
    if len(clauses) <= 1:
        return "".join(clauses)
    sep = "; " if sep_zh == "；" else ", "
    return sep.join(clauses[:-1]) + sep + "and " + clauses[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def finish(text: str, lang: str) -> str:
    if lang == "en":
        text = _cap(text)
        return text if text.endswith(".") else text + "."
    return text if text.endswith("。") else text + "。"


class _Words:
    """The wording context of one briefing in one language."""

    def __init__(self, b: Briefing, lang: str):
        self.b, self.lang = b, lang
        v = b.view
        self.kind = period_kind(v.period, v.start, v.end)
        self.year_only = b.previous == b.last_year
        self.this = t(f"briefing.this.{self.kind}", lang)
        self.prev_label = t(f"briefing.prev.{self.kind}", lang)
        self.last_label = t(f"briefing.last.{self.kind}", lang)
        self.labels = (self.prev_label, self.last_label)
        self.where = b.where or t("briefing.where_city", lang)
        self.comma = ", " if lang == "en" else "，"

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def fig(self, mid: str) -> Figure:
        return self.b.figures[mid]

    def value(self, mid: str):
        return self.b.figures[mid].now.value

    def q(self, mid: str, value=None) -> str:
        return qty(mid, self.value(mid) if value is None else value, self.lang)

    def item(self, mid: str, key: str | None = None, **extra) -> str | None:
        """The item clause of a metric, or None when its figure is zero (or missing)."""
        if not self.value(mid):
            return None
        return self.t(key or f"briefing.item.{mid}", q=self.q(mid), s=self.s(mid), **extra)

    def s(self, mid: str) -> str:
        """The English plural ending for a count."""
        return "" if self.value(mid) == 1 else "s"

    def changes(self, mid: str) -> str:
        fig = self.fig(mid)
        parts = []
        if not self.year_only:
            parts.append(change_words(mid, fig.vs_previous, "prev", self.labels, self.lang))
        parts.append(change_words(mid, fig.vs_last_year, "last", self.labels, self.lang))
        parts = [p for p in parts if p]
        return ("，" if self.lang != "en" else " and ").join(parts)

    def with_changes(self, text: str, mid: str) -> str:
        changes = self.changes(mid)
        return text + self.comma + changes if changes else text

    @property
    def This(self) -> str:
        return _cap(self.this)

    def flow_sentence(self, clauses: list[str]) -> str:
        """本周实行……，开展……。 / This week, the city ran … and deployed …."""
        if self.lang == "en":
            return finish(f"{self.this}, {self.where} " + join_clauses(clauses, "en"), "en")
        return finish(self.this + "，".join(clauses), self.lang)

    def lead(self) -> str:
        """本周 / This week, the city …"""
        if self.lang == "en":
            return f"{self.this}, {self.where} "
        return f"{self.this}，{self.where}"


# --- sections ---------------------------------------------------------------------

def _summary(w: _Words) -> list:
    clauses = []
    if w.value("visitors.total"):
        visitors = w.t("briefing.s.visitors", q=w.q("visitors.total"), s=w.s("visitors.total"))
        clauses.append(w.with_changes(visitors, "visitors.total"))
    if w.value("incidents.total"):
        text = w.with_changes(w.t("briefing.s.incidents", q=w.q("incidents.total"), s=w.s("incidents.total")),
                              "incidents.total")
        if w.value("incidents.per_10k_visitors") is not None:
            text += w.comma + w.t("briefing.s.per10k", q=w.q("incidents.per_10k_visitors"))
        clauses.append(text)
        for mid, key in (("incidents.same_day_rate", "briefing.s.same_day"),
                         ("incidents.response_median_min", "briefing.s.response")):
            if w.value(mid) is not None:
                clauses.append(w.with_changes(w.t(key, q=with_n(mid, w.fig(mid).now, w.lang)), mid))
    else:
        clauses.append(w.t("briefing.s.no_incidents"))
    first = finish(w.lead() + join_clauses(clauses, w.lang, "；"), w.lang)
    blocks = [Paragraph(first)]
    notable = []
    for mid in compose.METRICS:
        fig = w.fig(mid)
        parts = []
        if not w.year_only and fig.vs_previous.notable:
            parts.append(change_words(mid, fig.vs_previous, "prev", w.labels, w.lang, mark_notable=False))
        if fig.vs_last_year.notable:
            parts.append(change_words(mid, fig.vs_last_year, "last", w.labels, w.lang, mark_notable=False))
        if parts:
            change = w.comma.join(parts)
            notable.append(w.t("briefing.s.notable_item", name=name_of(mid, w.lang), change=change))
    sep = "、" if w.lang != "en" else "; "
    items = sep.join(notable[:NOTABLE_LISTED])
    if len(notable) > NOTABLE_LISTED:
        items += w.t("briefing.s.notable_more", n=len(notable), more=len(notable) - NOTABLE_LISTED)
    if w.year_only:
        key = "briefing.s.notable_year" if notable else "briefing.s.no_notable_year"
    else:
        key = "briefing.s.notable" if notable else "briefing.s.no_notable"
    blocks.append(Paragraph(w.t(key, prev=w.prev_label, last=w.last_label, items=items)))
    blocks.append(_headline_table(w))
    return blocks


def _headline_table(w: _Words) -> Table:
    lang = w.lang
    columns = [t("briefing.col.metric", lang), t(f"briefing.col.now.{w.kind}", lang)]
    if not w.year_only:
        columns += [t(f"briefing.col.prev.{w.kind}", lang), t("briefing.col.change_prev", lang)]
    columns += [t(f"briefing.col.last.{w.kind}", lang), t("briefing.col.change_last", lang),
                t("briefing.col.n", lang)]
    rows = []
    for mid in compose.HEADLINE:
        fig, m = w.fig(mid), BY_ID[mid]
        cells = [Cell(m.zh if lang != "en" else m.en), Cell(fmt_value(m.fmt, fig.now.value, lang), numeric=True)]
        if not w.year_only:
            cells += [Cell(fmt_value(m.fmt, fig.previous.value, lang), "muted", numeric=True),
                      change_cell(mid, fig.vs_previous, lang)]
        cells += [Cell(fmt_value(m.fmt, fig.last_year.value, lang), "muted", numeric=True),
                  change_cell(mid, fig.vs_last_year, lang)]
        has_n = getattr(m, "n_expr", None) and fig.now.n is not None
        cells.append(Cell(f"{int(fig.now.n):,}" if has_n else "", "muted", numeric=True))
        rows.append(tuple(cells))
    return Table(tuple(columns), tuple(rows), caption=t("briefing.table.headline", lang),
                 note=t("briefing.table.headline_note", lang, base=judgements.small_base()))


def _strength(w: _Words) -> list:
    end = zh_date(w.b.view.end) if w.lang != "en" else en_date(w.b.view.end)
    groups = []
    for group, mids in (("staff", ("staff.tourism_police", "staff.auxiliary")),
                        ("posts", ("posts.police_rooms_standardized", "posts.service_points")),
                        ("teams", ("teams.volunteer", "teams.prevention"))):
        items = [i for i in (w.item(mid) for mid in mids) if i]
        if items:
            groups.append(w.t(f"briefing.group.{group}", items=join_items(items, w.lang)))
    if groups:
        stock = finish(w.t("briefing.stock_lead", end=end, where=w.where) + join_clauses(groups, w.lang), w.lang)
    else:
        stock = w.t("briefing.stock_none", end=end, where=w.where)
    items = [i for i in (w.item(mid) for mid in compose.DEPLOYMENT) if i]
    if items:
        flow = w.flow_sentence(items)
    else:
        flow = w.t("briefing.deploy_none", this=w.this, This=w.This, where=w.where)
    return [Paragraph(stock + ("" if w.lang != "en" else " ") + flow)]


def _control(w: _Words) -> list:
    clauses = [i for i in (w.item(mid) for mid in compose.ENFORCEMENT) if i]
    cases = [i for i in (w.item(mid) for mid in compose.CASES) if i]
    if cases:
        clauses.append(w.t("briefing.group.cases", items=join_items(cases, w.lang)))
    if not clauses:
        return [Paragraph(w.t("briefing.control_none", this=w.this, This=w.This, where=w.where))]
    return [Paragraph(w.flow_sentence(clauses))]


def _service(w: _Words) -> list:
    clauses = [w.item("service.warnings_pushed"), w.item("service.convenience")]
    if w.value("mediation.total"):
        rate = w.fig("mediation.success_rate")
        if rate.now.value is not None:
            clauses.append(w.t("briefing.item.mediation.success", q=w.q("mediation.total"), s=w.s("mediation.total"),
                               rate=with_n("mediation.success_rate", rate.now, w.lang, inline=True)))
        else:
            clauses.append(w.item("mediation.total"))
    clauses += [w.item("mediation.compensation_yuan"), w.item("service.found"), w.item("service.rescued"),
                w.item("nominations.selected")]
    clauses = [c for c in clauses if c]
    if not clauses:
        return [Paragraph(w.t("briefing.service_none", this=w.this, This=w.This, where=w.where))]
    return [Paragraph(w.flow_sentence(clauses))]


def _survey(w: _Words) -> list:
    This = w.This
    if not w.value("survey.responses"):
        return [Paragraph(w.t("briefing.survey_none", this=w.this, This=This))]
    first = w.t("briefing.survey_count", this=w.this, This=This, q=w.q("survey.responses"),
                s=w.s("survey.responses"))
    clauses = []
    for mid, label in (("survey.satisfaction_rate", "briefing.label.satisfaction"),
                       ("survey.safety_rate", "briefing.label.safety")):
        fig = w.fig(mid)
        if fig.now.value is None:
            continue
        changes = w.changes(mid)
        text = w.t("briefing.survey_rate", label=w.t(label), value=with_n(mid, fig.now, w.lang),
                   changes=(w.comma + changes) if changes else "")
        if fig.now.n is not None and fig.now.n < w.b.min_answers:
            text += w.t("briefing.small_sample", min=w.b.min_answers)
        clauses.append(text)
    if w.value("survey.satisfaction_mean") is not None:
        clauses.append(w.t("briefing.survey_mean", q=w.q("survey.satisfaction_mean")))
    second = finish(join_clauses(clauses, w.lang, "；"), w.lang)
    return [Paragraph(first + ("" if w.lang != "en" else " ") + second)]


def _target_words(w: _Words, mid: str, status: str, target) -> str:
    lower = (judgements.target_of(mid) or {}).get("lower_is_better", False)
    near = status == "amber"
    key = ("briefing.lag_near_above" if near else "briefing.lag_above") if lower else \
          ("briefing.lag_near_below" if near else "briefing.lag_below")
    return w.t(key), qty(mid, target, w.lang)


def _lag_entry(w: _Words, row: LagRow) -> str:
    items = []
    for lm in row.lagging:
        status, target = _target_words(w, lm.metric_id, lm.status, lm.target)
        items.append(w.t("briefing.lag_item", label=name_of(lm.metric_id, w.lang),
                         value=with_n(lm.metric_id, MetricValue(lm.value, lm.n), w.lang, ci=False), status=status, target=target))
    return w.t("briefing.lag_entry", name=row.name, items=join_clauses(items, w.lang) if w.lang == "en"
               else "，".join(items))


def _lag_cell(w: _Words, row: LagRow, mid: str) -> Cell:
    lm = next(m for m in row.metrics if m.metric_id == mid)
    if lm.value is None:
        return Cell("—", "muted", numeric=True)
    text = with_n(mid, MetricValue(lm.value, lm.n), w.lang, ci=False)
    return Cell(text, lm.status if lm.status in ("red", "amber") else None, numeric=True)


def _judgement(w: _Words, row: LagRow) -> Cell:
    statuses = [m.status for m in row.metrics if m.status]
    for s in ("red", "amber", "green"):
        if s in statuses:
            return Cell(w.t(f"briefing.judge.{s}"), s)
    return Cell(w.t("briefing.judge.none"), "muted")


def _lag_table(w: _Words, rows: tuple[LagRow, ...], kind: str, caption: str) -> Table:
    columns = [w.t(f"briefing.col.{kind}"), w.t("briefing.col.incidents")]
    columns += [_cap(name_of(mid, w.lang)) for mid in compose.LAG_JUDGED] + [w.t("briefing.col.judgement")]
    out = []
    for row in rows:
        name = TEXT["overview.own_level"][w.lang == "en"] if row.own_level else row.name
        cells = [Cell(name), Cell("—" if row.incidents is None else f"{row.incidents:,}", numeric=True)]
        cells += [_lag_cell(w, row, mid) for mid in compose.LAG_JUDGED]
        cells.append(_judgement(w, row))
        out.append(tuple(cells))
    return Table(tuple(columns), tuple(out), caption=caption,
                 note=w.t("briefing.table.lag_note", min=w.b.min_answers))


def _lagging(w: _Words) -> list:
    b = w.b
    blocks = []
    units = [r for r in b.units if r.lagging and not r.own_level]
    if not b.units:
        blocks.append(Paragraph(w.t("briefing.lag_leaf")))
    elif units:
        sep = "；" if w.lang != "en" else "; "
        blocks.append(Paragraph(w.t("briefing.lag_lead", items=sep.join(_lag_entry(w, r) for r in units))))
    else:
        blocks.append(Paragraph(w.t("briefing.lag_none", min=b.min_answers)))
    if b.units:
        blocks.append(_lag_table(w, b.units, "unit", w.t("briefing.table.units")))
    areas = [r for r in b.areas if r.lagging]
    if areas:
        sep = "；" if w.lang != "en" else "; "
        blocks.append(Paragraph(w.t("briefing.lag_area_lead", items=sep.join(_lag_entry(w, r) for r in areas))))
        blocks.append(_lag_table(w, tuple(areas), "area", w.t("briefing.table.areas")))
    elif b.areas:
        blocks.append(Paragraph(w.t("briefing.lag_area_none", min=b.min_answers)))
    return blocks


def _notes(w: _Words) -> list:
    targets = []
    for mid, spec in judgements.settings().get("metrics", {}).items():
        if mid not in BY_ID:
            continue
        bound = ("不高于" if spec.get("lower_is_better") else "不低于") if w.lang != "en" else \
                ("at most" if spec.get("lower_is_better") else "at least")
        target = qty(mid, spec["target"], w.lang)
        targets.append(f"{name_of(mid, w.lang)}{bound}{target}" if w.lang != "en"
                       else f"{name_of(mid, w.lang)} {bound} {target}")
    end = zh_date(w.b.view.end) if w.lang != "en" else en_date(w.b.view.end)
    return [
        Paragraph(w.t("briefing.note.source"), "note"),
        Paragraph(w.t("briefing.note.stock", end=end), "note"),
        Paragraph(w.t("briefing.note.change", base=judgements.small_base()), "note"),
        Paragraph(w.t("briefing.note.targets", targets=("，" if w.lang != "en" else "; ").join(targets),
                      min=w.b.min_answers), "note"),
    ]


# --- the document ------------------------------------------------------------------

def document(b: Briefing, lang: str | None = None) -> Document:
    lang = lang or b.view.lang
    w = _Words(b, lang)
    v = b.view
    kind_word = t(f"briefing.kind.{w.kind}", lang)
    title = t("briefing.title", lang, issuer=b.issuer, kind=kind_word)
    rng = date_range(v.start, v.end, lang)
    if w.kind == "week" and v.start.weekday() == 0:
        iso = v.start.isocalendar()
        subtitle = t("briefing.week_label", lang, year=iso.year, week=iso.week, range=rng)
    else:
        subtitle = t("briefing.range_label", lang, range=rng)
    if v.period.startswith("this_"):
        subtitle += t("briefing.to_date", lang)
    subtitle = t("briefing.issuer_line", lang, issuer=b.issuer) + subtitle
    if b.area_name:
        scope_line = t("briefing.meta.scope_area", lang, area=b.area_name)
    elif b.unit_name:
        scope_line = t("briefing.meta.scope_unit", lang, unit=b.unit_name)
    else:
        scope_line = t("briefing.meta.scope_city", lang)
    if v.season:
        scope_line += t("briefing.meta.season", lang, season=t(f"season.{v.season}", lang))
    last = date_range(*b.last_year, lang)
    if w.year_only:
        compare = t("briefing.meta.compare_year", lang, last=last)
    else:
        compare = t("briefing.meta.compare", lang, prev_label=w.prev_label, prev=date_range(*b.previous, lang),
                    last_label=w.last_label, last=last)
    as_of = b.as_of.strftime("%Y-%m-%d %H:%M") if b.as_of else t("briefing.meta.no_loads", lang)
    generated = t("briefing.meta.generated", lang, as_of=as_of, at=b.generated_at.strftime("%Y-%m-%d %H:%M"))
    blocks = [
        Heading(t("briefing.h.summary", lang)), *_summary(w),
        Heading(t("briefing.h.strength", lang)), *_strength(w),
        Heading(t("briefing.h.control", lang)), *_control(w),
        Heading(t("briefing.h.service", lang)), *_service(w),
        Heading(t("briefing.h.survey", lang)), *_survey(w),
        Heading(t("briefing.h.lagging", lang)), *_lagging(w),
        Heading(t("briefing.h.notes", lang), level=2), *_notes(w),
    ]
    if lang == "en":
        stem = f"tourism-policing-{w.kind}-briefing_{v.unit or 'city'}" + (f"_{v.area}" if v.area else "")
    else:
        stem = title + (f"_{b.area_name}" if b.area_name else "")
    stem += f"_{v.start.isoformat()}_{v.end.isoformat()}"
    return Document(lang=lang, title=title, subtitle=subtitle, meta=(scope_line, compare, generated),
                    demo_notice=t("briefing.demo", lang) if b.demo else None, blocks=tuple(blocks),
                    file_stem=stem)
