"""A Briefing worded as a Document, in Chinese (in the seed reports' style) or English.

The title, subtitle and lines under it are made here; the sections come from
`sections.py` and `lagging.py`, written with the helpers of `wording.py`
(dates, sentences) and `quantities.py` (figures and their changes).
"""
from __future__ import annotations

from dashboard.briefing import sections
from dashboard.briefing.lagging import lagging, notes
from dashboard.briefing.model import Briefing, Document, Heading
from dashboard.briefing.wording import Words, date_range
from dashboard.text import t, unit_with_kind


def document(b: Briefing, lang: str | None = None) -> Document:
    lang = lang or b.view.lang
    w = Words(b, lang)
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
    subtitle = t("briefing.issuer_line", lang, issuer=unit_with_kind(b.issuer, b.issuer_level, lang)) + subtitle
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
        Heading(t("briefing.h.summary", lang)), *sections.summary(w),
        Heading(t("briefing.h.strength", lang)), *sections.strength(w),
        Heading(t("briefing.h.control", lang)), *sections.control(w),
        Heading(t("briefing.h.service", lang)), *sections.service(w),
        Heading(t("briefing.h.survey", lang)), *sections.survey(w),
        Heading(t("briefing.h.lagging", lang)), *lagging(w),
        Heading(t("briefing.h.notes", lang), level=2), *notes(w),
    ]
    if lang == "en":
        stem = f"tourism-policing-{w.kind}-briefing_{v.unit or 'city'}" + (f"_{v.area}" if v.area else "")
    else:
        stem = title + (f"_{b.area_name}" if b.area_name else "")
    stem += f"_{v.start.isoformat()}_{v.end.isoformat()}"
    return Document(lang=lang, title=title, subtitle=subtitle, meta=(scope_line, compare, generated),
                    demo_notice=t("briefing.demo", lang) if b.demo else None, blocks=tuple(blocks),
                    file_stem=stem, author=b.issuer, created=b.generated_at)

