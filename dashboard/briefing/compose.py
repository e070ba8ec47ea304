"""The figures of a briefing for a view and scope, all from the metrics catalog.

`briefing(view, scope)` asks the queries layer for every metric the
briefing states, for the view's period, the period before and the same
period last year (one concurrent batch of catalog queries), and for the
lag table of the units one level below and of the scenic areas (the same
queries the Overview page uses). Changes and their notability come from
`dashboard.model.judgements`; red/amber/green from `targets.toml`. Nothing here
words anything: that is `text.py`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from dashboard.briefing.model import Briefing, Figure, LagMetric, LagRow
from dashboard.model import judgements, ranking
from dashboard.model.catalog import BY_ID
from dashboard.model.filters import Filters, Scope
from dashboard.clock import china_now
from dashboard.queries import db, reference
from dashboard.queries import overview as overview_q
from dashboard.queries.kpis import metric_values_many
from dashboard.state import View

# Briefings computed, shared by the page and its downloads.
BRIEFINGS = db.VersionedCache("briefings")

# Every metric a briefing states, in the order of its sections.
HEADLINE = ("visitors.total", "incidents.total", "incidents.per_10k_visitors", "incidents.same_day_rate",
            "incidents.response_median_min", "cases.administrative", "cases.criminal", "mediation.total",
            "mediation.success_rate", "service.found", "service.rescued", "survey.responses",
            "survey.satisfaction_rate", "survey.safety_rate")
STRENGTH = ("staff.tourism_police", "staff.fulltime", "staff.parttime", "staff.auxiliary",
            "posts.police_rooms_standardized", "posts.police_rooms", "posts.service_points",
            "teams.volunteer", "teams.prevention")
DEPLOYMENT = ("deploy.dynamic", "deploy.security_events", "deploy.person_times")
ENFORCEMENT = ("enforce.coop_exchanges", "enforce.joint_operations", "enforce.info_transfers",
               "enforce.shops_penalized", "enforce.campaigns", "enforce.hazards_fixed", "enforce.shops_inspected")
CASES = ("cases.administrative", "cases.criminal")
CONTROL = ENFORCEMENT + CASES
SERVICE = ("service.warnings_pushed", "service.convenience", "mediation.total", "mediation.success_rate",
           "mediation.compensation_yuan", "service.found", "service.rescued", "nominations.selected")
SURVEY = ("survey.responses", "survey.satisfaction_rate", "survey.safety_rate", "survey.satisfaction_mean")
METRICS: tuple[str, ...] = tuple(dict.fromkeys(HEADLINE + STRENGTH + DEPLOYMENT + CONTROL + SERVICE + SURVEY))

# The figures units and areas are judged on (those with targets), and the incidents beside them.
LAG_JUDGED = ("incidents.same_day_rate", "incidents.response_median_min", "survey.satisfaction_rate")


def periods(view: View) -> tuple[Filters, Filters, Filters]:
    against = view.comparison
    return view.filters, against.previous, against.last_year


def _num(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except TypeError:
        pass
    return value.item() if hasattr(value, "item") else value


def _lag_rows(df: pd.DataFrame, kind: str, min_answers: int) -> tuple[LagRow, ...]:
    if df is None or df.empty:
        return ()
    rows = []
    for rec in df.to_dict("records"):
        metrics = []
        for mid in LAG_JUDGED:
            value, n = _num(rec.get(mid)), _num(rec.get(f"{mid}#n"))
            target = judgements.target_of(mid)
            judged = value is not None and n is not None and n >= min_answers
            metrics.append(LagMetric(mid, value, None if n is None else int(n),
                                     judgements.rag(mid, value) if judged else None,
                                     target["target"] if target else None))
        incidents = _num(rec.get("incidents.total"))
        own = rec["key"] == overview_q.REST
        rows.append(LagRow(kind, rec["key"], "" if own else str(rec.get("name") or rec["key"]),
                           None if incidents is None else int(incidents), tuple(metrics), own_level=own))
    # Worst judged status first (a rate on too few records is not judged); the Overview's order
    # breaks ties, and the parent's own records stay last.
    rank = {"red": 0, "amber": 1, "green": 2}
    order = sorted(range(len(rows)), key=lambda i: (
        rows[i].own_level, min((rank[m.status] for m in rows[i].metrics if m.status), default=3), i))
    return tuple(rows[i] for i in order)


def briefing(view: View, scope: Scope, now: dt.datetime | None = None) -> Briefing:
    """Every figure of the briefing for `view`, as the user with `scope` may see it."""
    f, prev, last = periods(view)
    (now_v, prev_v, last_v), (lag,) = metric_values_many(
        [f, prev, last], scope, list(METRICS), extra=[lambda: overview_q.lagging(f, scope)])
    figures = {}
    for mid in METRICS:
        fmt = BY_ID[mid].fmt
        a, b, c = now_v[mid], prev_v[mid], last_v[mid]
        figures[mid] = Figure(mid, a, b, c,
                              judgements.change(fmt, a.value, b.value, a.n, b.n),
                              judgements.change(fmt, a.value, c.value, a.n, c.n))
    min_answers = judgements.min_survey_answers()
    units_df, areas_df = ranking.worst_first(lag[0], last_key=overview_q.REST), ranking.worst_first(lag[1])
    names = reference.unit_names(scope)
    area_name = reference.area_names(scope).get(view.area) if view.area else None
    # A unit user's briefing without a unit filter is their own unit's, never the city's.
    unit_name = names.get(view.unit or scope.unit) if (view.unit or scope.unit) else None
    issuer = unit_name or names.get(_root(scope), "")
    units = reference.units(scope)
    level = units.loc[units.unit_name == issuer, "unit_level"]
    return Briefing(
        view=view, where=area_name or unit_name, unit_name=unit_name, area_name=area_name, issuer=issuer,
        previous=(prev.start, prev.end), last_year=(last.start, last.end), figures=figures,
        units=_lag_rows(units_df, "unit", min_answers), areas=_lag_rows(areas_df, "area", min_answers),
        min_answers=min_answers, demo=reference.is_demo(), as_of=reference.as_of(),
        generated_at=(now or china_now()).replace(microsecond=0),
        issuer_level=str(level.iloc[0]) if len(level) else "",
    )


def _root(scope: Scope) -> str | None:
    df = reference.units(scope)
    top = df[df.depth == df.depth.min()] if not df.empty else df
    return None if top.empty else top.unit_code.iloc[0]


def cached_briefing(view: View, scope: Scope) -> Briefing:
    """`briefing` memoised per warehouse version, view (either language) and scope, so the page and
    its downloads share one computation; the time of generation is always now."""
    key = (view.with_(lang="zh").query(), view.start, view.end, scope)
    found = BRIEFINGS.get(key, lambda: briefing(view.with_(lang="zh"), scope))
    return replace(found, view=view, generated_at=china_now())
