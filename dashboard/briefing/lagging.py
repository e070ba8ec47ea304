"""The briefing's last sections: units and scenic areas behind their targets, and the notes."""
from __future__ import annotations

from dashboard.model import judgements
from dashboard.briefing.model import Cell, LagRow, Paragraph, Table
from dashboard.briefing.quantities import name_of, qty, with_n
from dashboard.briefing import compose
from dashboard.briefing.wording import Words, cap, en_date, join_clauses, zh_date
from dashboard.model.catalog import BY_ID
from dashboard.model.values import MetricValue
from dashboard.text import TEXT


def _target_words(w: Words, mid: str, status: str, target) -> str:
    lower = (judgements.target_of(mid) or {}).get("lower_is_better", False)
    near = status == "amber"
    key = ("briefing.lag_near_above" if near else "briefing.lag_above") if lower else \
          ("briefing.lag_near_below" if near else "briefing.lag_below")
    return w.t(key), qty(mid, target, w.lang)


def _lag_entry(w: Words, row: LagRow) -> str:
    items = []
    for lm in row.lagging:
        status, target = _target_words(w, lm.metric_id, lm.status, lm.target)
        items.append(w.t("briefing.lag_item", label=name_of(lm.metric_id, w.lang),
                         value=with_n(lm.metric_id, MetricValue(lm.value, lm.n), w.lang, ci=False), status=status, target=target))
    return w.t("briefing.lag_entry", name=row.name, items=join_clauses(items, w.lang) if w.lang == "en"
               else "，".join(items))


def _lag_cell(w: Words, row: LagRow, mid: str) -> Cell:
    lm = next(m for m in row.metrics if m.metric_id == mid)
    if lm.value is None:
        return Cell("—", "muted", numeric=True)
    text = with_n(mid, MetricValue(lm.value, lm.n), w.lang, ci=False)
    return Cell(text, lm.status if lm.status in ("red", "amber") else None, numeric=True)


def _judgement(w: Words, row: LagRow) -> Cell:
    statuses = [m.status for m in row.metrics if m.status]
    for s in ("red", "amber", "green"):
        if s in statuses:
            return Cell(w.t(f"briefing.judge.{s}"), s)
    return Cell(w.t("briefing.judge.none"), "muted")


def _lag_table(w: Words, rows: tuple[LagRow, ...], kind: str, caption: str) -> Table:
    columns = [w.t(f"briefing.col.{kind}"), w.t("briefing.col.incidents")]
    columns += [cap(name_of(mid, w.lang)) for mid in compose.LAG_JUDGED] + [w.t("briefing.col.judgement")]
    out = []
    for row in rows:
        name = TEXT["overview.own_level"][w.lang == "en"] if row.own_level else row.name
        cells = [Cell(name), Cell("—" if row.incidents is None else f"{row.incidents:,}", numeric=True)]
        cells += [_lag_cell(w, row, mid) for mid in compose.LAG_JUDGED]
        cells.append(_judgement(w, row))
        out.append(tuple(cells))
    return Table(tuple(columns), tuple(out), caption=caption,
                 note=w.t("briefing.table.lag_note", min=w.b.min_answers))


def lagging(w: Words) -> list:
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


def notes(w: Words) -> list:
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

