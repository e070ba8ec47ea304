"""The briefing's sections from the summary to the survey, each a list of blocks.

A clause whose figure is zero is left out, as a person writing the report
would; the tables keep every figure, zeros included. Sentence templates live
in `dashboard/text/briefing.py`.
"""
from __future__ import annotations

from dashboard.model.judgements import small_base
from dashboard.briefing import compose
from dashboard.briefing.model import Cell, Paragraph, Table
from dashboard.briefing.quantities import change_cell, change_words, name_of, with_n
from dashboard.briefing.wording import Words, en_date, finish, join_clauses, join_items, zh_date
from dashboard.format import fmt_value
from dashboard.model.catalog import BY_ID
from dashboard.text import t

NOTABLE_LISTED = 8          # the summary names this many notable changes, then counts the rest


def summary(w: Words) -> list:
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


def _headline_table(w: Words) -> Table:
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
                 note=t("briefing.table.headline_note", lang, base=small_base()))


def strength(w: Words) -> list:
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


def control(w: Words) -> list:
    clauses = [i for i in (w.item(mid) for mid in compose.ENFORCEMENT) if i]
    cases = [i for i in (w.item(mid) for mid in compose.CASES) if i]
    if cases:
        clauses.append(w.t("briefing.group.cases", items=join_items(cases, w.lang)))
    if not clauses:
        return [Paragraph(w.t("briefing.control_none", this=w.this, This=w.This, where=w.where))]
    return [Paragraph(w.flow_sentence(clauses))]


def service(w: Words) -> list:
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


def survey(w: Words) -> list:
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

