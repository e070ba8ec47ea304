"""Wording helpers of the briefing: dates and periods as a report writes them, sentences joined
and finished in Chinese or English, and `Words`, the wording context of one briefing in one
language that the document sections (`sections.py`, `lagging.py`) write with."""
from __future__ import annotations

import calendar
import datetime as dt

from dashboard.briefing.model import Briefing, Figure
from dashboard.briefing.quantities import change_words, qty
from dashboard.text import t

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


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


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def finish(text: str, lang: str) -> str:
    if lang == "en":
        text = cap(text)
        return text if text.endswith(".") else text + "."
    return text if text.endswith("。") else text + "。"



class Words:
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
        return cap(self.this)

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

