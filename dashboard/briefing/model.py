"""What a briefing is made of: figures (`Briefing`) and, once worded, a `Document`.

`compose.briefing(view, scope)` fills a `Briefing` from the queries layer:
every number in it is a catalog metric (or a catalog-metric breakdown by
unit and area) for the view's period, the period before and the same period
last year, with the change judged by `dashboard.model.judgements`. `text.document`
words it, in Chinese or English, as a `Document` of headings, paragraphs and
tables, which the page, the print HTML and the DOCX all render block by
block, so the three never disagree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dashboard.model.judgements import Change
from dashboard.model.values import MetricValue
from dashboard.state import View


@dataclass(frozen=True)
class Figure:
    """One catalog metric in the period, the period before and last year, with the two changes."""
    metric_id: str
    now: MetricValue
    previous: MetricValue
    last_year: MetricValue
    vs_previous: Change
    vs_last_year: Change


@dataclass(frozen=True)
class LagMetric:
    metric_id: str
    value: float | None
    n: int | None
    status: str | None          # green / amber / red against targets.toml; None: not judged
    target: float | None


@dataclass(frozen=True)
class LagRow:
    """A unit (or scenic area) with its lag figures; `lagging` when one is amber or red."""
    kind: str                   # "unit" or "area"
    code: str
    name: str
    incidents: int | None
    metrics: tuple[LagMetric, ...]
    own_level: bool = False     # the parent's own records (or those with no unit)

    @property
    def lagging(self) -> tuple[LagMetric, ...]:
        return tuple(m for m in self.metrics if m.status in ("red", "amber"))


@dataclass(frozen=True)
class Briefing:
    view: View
    where: str | None                     # unit or scenic-area name; None: the whole city
    unit_name: str | None
    area_name: str | None
    issuer: str                           # the unit the briefing speaks for (title line)
    previous: tuple[dt.date, dt.date]
    last_year: tuple[dt.date, dt.date]
    figures: dict[str, Figure]
    units: tuple[LagRow, ...]             # the units one level below, lagging first
    areas: tuple[LagRow, ...]             # scenic areas, lagging first
    min_answers: int                      # below this n a rate is not judged
    demo: bool
    as_of: dt.datetime | None
    generated_at: dt.datetime

    def value(self, metric_id: str):
        return self.figures[metric_id].now.value

    def n(self, metric_id: str):
        return self.figures[metric_id].now.n


# --- the worded document -----------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    text: str
    tone: str | None = None     # red / amber / green / notable / muted
    numeric: bool = False


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"         # body / note / lead


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    note: str = ""
    numeric_from: int = 1       # columns from this index on are right-aligned


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    subtitle: str
    meta: tuple[str, ...]                 # issuer line, data as of, generated at
    demo_notice: str | None
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    file_stem: str = "briefing"

    def text(self) -> str:
        """All the words, in reading order (tests, plain-text checks)."""
        parts = [self.title, self.subtitle, *self.meta, *( [self.demo_notice] if self.demo_notice else [])]
        for b in self.blocks:
            if isinstance(b, Table):
                parts.append(b.caption)
                parts.append(" | ".join(b.columns))
                parts += [" | ".join(c.text for c in row) for row in b.rows]
                parts.append(b.note)
            else:
                parts.append(b.text)
        return "\n".join(p for p in parts if p)
