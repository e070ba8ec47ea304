"""What an export says about itself: title, filters, source, as-of, generation time, demo or not.

`export_context` reads the view (period, unit, area, season and the page's
own choices; the span a chart shows when it is not the period), the
warehouse (latest load, demo flag, the issuing unit) and `exports.toml` (the
source line, when set) into an `ExportContext`; charts put it into their frame, tables
into their 说明 sheet, and both into their file names.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import tomllib

from dashboard.clock import china_now
from dashboard.model.filters import Scope
from dashboard.queries import reference
from dashboard.session import scope_label
from dashboard.state import View
from dashboard.text import t, unit_with_kind

CONFIG_FILE = Path(__file__).resolve().parent.parent / "exports.toml"


@dataclass(frozen=True)
class ExportContext:
    lang: str
    title: str
    filters: list[str]            # period first, then unit, area, season, page choices
    source: str
    as_of: dt.datetime | None
    generated: dt.datetime
    demo: bool
    period_slug: str              # for file names: 2026-11-01至2026-11-23

    @property
    def times_line(self) -> str:
        parts = []
        if self.as_of:
            parts.append(t("export.as_of", self.lang, when=self.as_of.strftime("%Y-%m-%d %H:%M")))
        parts.append(t("export.generated", self.lang, when=self.generated.strftime("%Y-%m-%d %H:%M")))
        return " · ".join(parts)

    @property
    def filters_line(self) -> str:
        return " · ".join(self.filters)


# exports.toml as shipped named a made-up bureau; a line still carrying it was never set for real.
PLACEHOLDER_MARKS = ("示例市", "Example City")


def configured_source(lang: str, config_file: Path = CONFIG_FILE) -> str:
    """The source line `exports.toml` sets (its Chinese one when it has no English); "" when none."""
    try:
        with open(config_file, "rb") as fh:
            source = tomllib.load(fh).get("source", {})
    except FileNotFoundError:
        return ""
    line = str(source.get(lang) or source.get("zh") or "").strip()
    return "" if any(mark in line for mark in PLACEHOLDER_MARKS) else line


def source_line(lang: str, config_file: Path = CONFIG_FILE) -> str:
    """The line under every exported chart and on every spreadsheet's 说明 sheet: `exports.toml`'s
    when it sets one, else 数据来源：<the warehouse's own issuing unit>, so an export never names
    a bureau that does not exist."""
    configured = configured_source(lang, config_file)
    if configured:
        return configured
    unit = reference.issuing_unit()
    if not unit:
        return ""
    units = reference.units(Scope.city())
    level = units.loc[units.unit_name == unit, "unit_level"]
    return t("export.source", lang, unit=unit_with_kind(unit, level.iloc[0] if len(level) else None, lang))


def period_text(start: dt.date, end: dt.date, lang: str) -> str:
    """2026年11月1日至11月23日 / 1–23 Nov 2026, the way a report writes a period."""
    if lang == "zh":
        first = f"{start.year}年{start.month}月{start.day}日"
        if start == end:
            return first
        last = (f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日")
        return f"{first}至{last}"
    fmt = "%-d %b %Y"
    if start == end:
        return start.strftime(fmt)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.strftime(fmt)}"
    if start.year == end.year:
        return f"{start.strftime('%-d %b')} – {end.strftime(fmt)}"
    return f"{start.strftime(fmt)} – {end.strftime(fmt)}"


def view_filters(view: View, scope: Scope, with_place: bool = True,
                 span: tuple[dt.date, dt.date] | None = None) -> list[str]:
    """Period (or the `span` a chart shows, when it is not the period), unit (the top of the
    user's scope when none: 全市, or a unit user's own unit), scenic area and season of a view,
    as words; the period alone where a page does not filter by place or season."""
    lang = view.lang
    start, end = span or (view.start, view.end)
    parts = [period_text(start, end, lang)]
    if not with_place:
        return parts
    unit = reference.unit_names(scope).get(view.unit, view.unit) if view.unit else scope_label(scope, lang)
    parts.append(unit)
    if view.area:
        parts.append(reference.area_names(scope).get(view.area, view.area))
    if view.season:
        parts.append(t(f"season.{view.season}", lang))
    return parts


def export_context(view: View, scope: Scope, title: str, page_filters: list[str] = (),
                   now: dt.datetime | None = None, with_place: bool = True,
                   span: tuple[dt.date, dt.date] | None = None) -> ExportContext:
    """`span`: the days a chart shows when they are not the view's period (a 12-week trend
    ending with the selected week): the subtitle and the file name state those."""
    start, end = span or (view.start, view.end)
    return ExportContext(
        lang=view.lang, title=title, filters=[*view_filters(view, scope, with_place, span), *page_filters],
        source=source_line(view.lang), as_of=reference.as_of(), generated=now or china_now(),
        demo=reference.is_demo(),
        period_slug=(start.isoformat() if start == end
                     else f"{start.isoformat()}{'至' if view.lang == 'zh' else '_to_'}{end.isoformat()}"),
    )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


_SPACE_BY_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def file_name(*parts: str, ext: str) -> str:
    """A file name from parts joined by _, without characters Windows or a shell would object to:
    spaces beside Chinese text go, other spaces become hyphens."""
    def clean(part: str) -> str:
        return re.sub(r"\s+", "-", _SPACE_BY_CJK.sub("", _UNSAFE.sub("", part).strip()))
    stem = "_".join(clean(p) for p in parts if p and p.strip())
    return f"{stem[:150] or 'export'}.{ext}"
