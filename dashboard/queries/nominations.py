"""Queries behind the 最美旅游警察 Nominations page: one campaign's tallies.

A campaign (`nominations.campaign`) defines the records; the period filter
still applies, as everywhere, to each record's own date: nominations by
`nominated_on`, votes by `voted_at`. The figures are the catalog's own
metric expressions (`nominations.total`, `nominations.selected`,
`votes.valid`, `votes.repeat`) over the catalog's sources and WHERE clause,
narrowed by one more condition: the campaign. So the campaigns' figures add
up to the catalog's, and the valid-vote rule stays the `vote_flags` mart's.
The page shows two views and says which is which: the period's flows (the
KPI cards: nominations by their date, votes by theirs) and the campaign as
of the period's last day (the ranking, the nominee list and the units: every
nominee of the campaign nominated by then, with the votes cast in the
period). Outcomes are pending while no nominee of the campaign has one.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.model.catalog import BY_ID, SOURCES
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison, buckets, comparison_spans, trailing_weeks
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.privacy import mask_sql
from dashboard.queries import db, reference
from dashboard.queries.breakdown import with_coverage
from dashboard.queries.kpis import weekly_series
from dashboard.queries.where import where_sql
from warehouse.record_types import CANDIDATE, NOT_SELECTED, SELECTED, SHORTLISTED, VOTE_CHANNELS

HEADLINE = ["nominations.total", "nominations.selected", "votes.valid", "votes.repeat"]
DECIDED = (SHORTLISTED, SELECTED, NOT_SELECTED)   # outcomes that end the wait (候选 or none: still running)
VALID, REPEAT = BY_ID["votes.valid"].expr, BY_ID["votes.repeat"].expr
# The campaign column of each catalog source's rows.
CAMPAIGN_OF = {"nominations": "r.campaign", "votes": "n.campaign"}
# Nominees are listed whatever their nomination date: a period that holds them all.
ALL_TIME = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def campaigns() -> pd.DataFrame:
    """campaign, first_day (first nomination), last_day (last nomination or vote), first_vote,
    last_vote (days; null before any vote), oldest first."""
    return db.frame("""
        with noms as (
            select campaign, min(nominated_on) as first_day, max(nominated_on) as last_nominated
            from nominations group by campaign
        ), votes_cast as (
            select n.campaign, min(v.day) as first_vote, max(v.day) as last_voted
            from vote_daily v join nominations n on n.nomination_id = v.nomination_id group by n.campaign
        ), final as (
            select noms.campaign, noms.first_day,
                   greatest(noms.last_nominated, coalesce(votes_cast.last_voted, noms.last_nominated)) as last_day,
                   votes_cast.first_vote, votes_cast.last_voted as last_vote
            from noms left join votes_cast using (campaign)
        )
        select * from final order by first_day, campaign
    """)


def campaign_names() -> list[str]:
    return list(campaigns().campaign)


def latest_campaign() -> str | None:
    names = campaign_names()
    return names[-1] if names else None


def previous_campaign(campaign: str) -> str | None:
    names = campaign_names()
    i = names.index(campaign) if campaign in names else -1
    return names[i - 1] if i > 0 else None


def campaign_span(campaign: str) -> tuple[dt.date, dt.date] | None:
    df = campaigns()
    row = df[df.campaign == campaign]
    if row.empty:
        return None
    return pd.Timestamp(row.first_day.iloc[0]).date(), pd.Timestamp(row.last_day.iloc[0]).date()


def voting_span(campaign: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the campaign's votes; None before any vote."""
    df = campaigns()
    row = df[(df.campaign == campaign) & df.first_vote.notna()]
    if row.empty:
        return None
    return pd.Timestamp(row.first_vote.iloc[0]).date(), pd.Timestamp(row.last_vote.iloc[0]).date()


def outcomes_pending(campaign: str | None) -> bool:
    """True while no nomination of the campaign has a decided outcome (voting still open)."""
    if campaign is None:
        return False
    found = db.rows("select count(*) filter (where outcome in (select unnest($decided))) from nominations "
                    "where campaign = $campaign", {"campaign": campaign, "decided": list(DECIDED)})
    return not found[0][0]


def nominees_until(filters: Filters) -> Filters:
    """The nominations of the campaign view: every one up to the period's last day, in the unit and area."""
    return Filters(ALL_TIME[0], filters.end, filters.unit, filters.area)


def nominee_ids(scope: Scope) -> set[str]:
    """Every nominated person the scope may see (any campaign): the allowed `q` values."""
    params: dict = {}
    where = where_sql(SOURCES["nominations"], Filters(*ALL_TIME), scope, params)
    df = db.frame(f"select distinct r.person_id from {SOURCES['nominations'].from_sql} where {where}", params)
    return set(df.person_id)


def _where(source_name: str, filters: Filters, scope: Scope, campaign: str, params: dict) -> str:
    where = where_sql(SOURCES[source_name], filters, scope, params)
    params["campaign"] = campaign
    return f"{where} and {CAMPAIGN_OF[source_name]} = $campaign"


def campaign_metrics(filters: Filters, scope: Scope, campaign: str | None,
                     metric_ids: list[str] = HEADLINE) -> dict[str, MetricValue]:
    """Catalog metrics of the nominations and votes sources, for one campaign."""
    out: dict[str, MetricValue] = {}
    by_source: dict[str, list] = {}
    for mid in metric_ids:
        by_source.setdefault(BY_ID[mid].source, []).append(BY_ID[mid])
    for source_name, metrics in by_source.items():
        if campaign is None:
            out.update({m.id: MetricValue(None) for m in metrics})
            continue
        params: dict = {}
        where = _where(source_name, filters, scope, campaign, params)
        selects = ", ".join(f'{m.expr} as "{m.id}"' for m in metrics)
        row = db.frame(f"select {selects} from {SOURCES[source_name].from_sql} where {where}", params).iloc[0]
        out.update({m.id: MetricValue(int(row[m.id])) for m in metrics})
    return out


def campaign_weekly(filters: Filters, scope: Scope, campaign: str | None,
                    metric_ids: list[str] = HEADLINE, weeks: int = 12) -> pd.DataFrame:
    """The `weeks` weeks to the end of the period: key (Monday) and one column per metric."""
    span = trailing_weeks(filters, weeks)
    out = pd.DataFrame({"key": pd.to_datetime(buckets(span, "week"))})
    by_source: dict[str, list] = {}
    for mid in metric_ids:
        by_source.setdefault(BY_ID[mid].source, []).append(BY_ID[mid])
    for source_name, metrics in by_source.items():
        if campaign is None:
            for m in metrics:
                out[m.id] = 0
            continue
        source = SOURCES[source_name]
        params: dict = {}
        where = _where(source_name, span, scope, campaign, params)
        selects = ", ".join(f'{m.expr} as "{m.id}"' for m in metrics)
        part = db.frame(f"select cast(date_trunc('week', {source.date_expr}) as date) as key, {selects} "
                        f"from {source.from_sql} where {where} group by 1", params)
        part["key"] = pd.to_datetime(part["key"])
        out = out.merge(part, on="key", how="left")
        for m in metrics:
            out[m.id] = pd.to_numeric(out[m.id]).fillna(0)
    return with_coverage(out, span, "week")


def _votes_by_day(periods: list[Filters], scope: Scope, campaigns: list[str],
                  metrics: list) -> pd.DataFrame:
    """day, campaign and each votes metric, over every day any of `periods` covers, for
    `campaigns`: one read of the votes' daily counts (`vote_daily`) for all the periods a KPI
    card compares. The metrics are counts, so a period's figure is the sum of its days."""
    span = Filters(min(p.start for p in periods), max(p.end for p in periods),
                   periods[0].unit, periods[0].area, periods[0].season)
    params: dict = {"campaigns": campaigns}
    daily = SOURCES["votes"].rollup
    where = where_sql(daily, span, scope, params)
    selects = ", ".join(f'{m.rollup_expr} as "{m.id}"' for m in metrics)
    df = db.frame(f"select {daily.date_expr} as day, {CAMPAIGN_OF['votes']} as campaign, {selects} "
                  f"from {daily.from_sql} where {where} "
                  f"and {CAMPAIGN_OF['votes']} in (select unnest($campaigns)) group by 1, 2", params)
    df["day"] = pd.to_datetime(df["day"])
    return df


def _day_sums(days: pd.DataFrame, filters: Filters, campaign: str | None, metrics: list) -> dict[str, MetricValue]:
    rows = days[(days["campaign"] == campaign) & (days["day"] >= pd.Timestamp(filters.start))
                & (days["day"] <= pd.Timestamp(filters.end))]
    return {m.id: MetricValue(None) if campaign is None else MetricValue(int(rows[m.id].sum())) for m in metrics}


def campaign_kpis(filters: Filters, against: Comparison, scope: Scope, campaign: str | None,
                  metric_ids: list[str] = HEADLINE) -> dict[str, KpiFigures]:
    """KPI figures of one campaign, like `kpis.kpi_figures`: now; this campaign in the period
    before; the previous campaign over the same days a year earlier (campaigns are yearly);
    12 weeks of history. A comparison with nothing (zero) is no comparison."""
    f, prev, last, weeks = comparison_spans(filters, against)
    prev_campaign = previous_campaign(campaign) if campaign else None
    vote_metrics = [BY_ID[m] for m in metric_ids if BY_ID[m].source == "votes"]
    other = [m for m in metric_ids if BY_ID[m].source != "votes"]
    now_v = campaign_metrics(f, scope, campaign, other)
    prev_v = campaign_metrics(prev, scope, campaign, other)
    last_v = campaign_metrics(last, scope, prev_campaign, other)
    weekly = campaign_weekly(f, scope, campaign, other)
    if vote_metrics:
        if campaign is None:
            days = pd.DataFrame(columns=["day", "campaign", *(m.id for m in vote_metrics)])
        else:
            days = _votes_by_day([f, prev, last, weeks], scope,
                                 [c for c in (campaign, prev_campaign) if c], vote_metrics)
        now_v.update(_day_sums(days, f, campaign, vote_metrics))
        prev_v.update(_day_sums(days, prev, campaign, vote_metrics))
        last_v.update(_day_sums(days, last, prev_campaign, vote_metrics))
        in_weeks = days[(days["campaign"] == campaign) & (days["day"] >= pd.Timestamp(weeks.start))
                        & (days["day"] <= pd.Timestamp(weeks.end))]
        for m in vote_metrics:
            if campaign is None:
                weekly[m.id] = 0
                continue
            week_of = in_weeks["day"] - pd.to_timedelta(in_weeks["day"].dt.day_of_week, unit="D")
            part = in_weeks.groupby(week_of)[m.id].sum().rename_axis("key").reset_index()
            weekly = weekly.merge(part, on="key", how="left")
            weekly[m.id] = pd.to_numeric(weekly[m.id]).fillna(0)
    nothing = MetricValue(None)
    out = {}
    for mid in metric_ids:
        series = weekly_series(weekly, mid).assign(n=None)
        out[mid] = KpiFigures(now_v[mid], prev_v[mid] if prev_v[mid].value else nothing,
                              last_v[mid] if last_v[mid].value else nothing, series)
    return out


def repeat_share(values: dict[str, MetricValue]) -> MetricValue:
    """votes.repeat / all votes cast (valid + repeat), with that n; None over no votes."""
    valid, repeat = values["votes.valid"].value, values["votes.repeat"].value
    n = (valid or 0) + (repeat or 0)
    return MetricValue(repeat / n if n else None, n=n)


def ranking(filters: Filters, scope: Scope, campaign: str | None) -> pd.DataFrame:
    """The campaign's nominees in the scope nominated up to the period's last day, with the valid
    and repeat votes cast in the period.

    Columns: rank (by valid votes, ties share a rank; null without a valid vote), nomination_id,
    person_id, name, unit_code, unit_name, person_type, nominated_by, nominated_on, outcome (null
    read as 候选), reason (masked), valid, repeat, in_period (nominated in the period).
    """
    cols = ["rank", "nomination_id", "person_id", "name", "unit_code", "unit_name", "person_type",
            "nominated_by", "nominated_on", "outcome", "reason", "valid", "repeat", "in_period"]
    if campaign is None:
        return pd.DataFrame(columns=cols)
    params: dict = {}
    nom_where = _where("nominations", nominees_until(filters), scope, campaign, params)
    vote_params: dict = {}
    vote_where = _where("votes", filters, scope, campaign, vote_params)
    # The two WHERE clauses share parameter names with different values: rename the votes' ones.
    for key in sorted(vote_params, key=len, reverse=True):
        vote_where = vote_where.replace(f"${key}", f"$v_{key}")
    params.update({f"v_{k}": v for k, v in vote_params.items()})
    params["p_start"], params["p_end"] = filters.start, filters.end
    sql = f"""
        with nominees as (
            select r.nomination_id, r.person_id, o.name, o.unit_code, u.unit_name, o.person_type,
                   r.nominated_by, r.nominated_on, coalesce(r.outcome, '{CANDIDATE}') as outcome,
                   {mask_sql('r.reason')} as reason
            from {SOURCES['nominations'].from_sql}
            left join units u on u.unit_code = o.unit_code
            where {nom_where}
        ), tally as (
            select r.nomination_id, {VALID} as valid, {REPEAT} as repeat
            from {SOURCES['votes'].from_sql}
            where {vote_where}
            group by r.nomination_id
        ), final as (
            select case when coalesce(t.valid, 0) > 0
                        then rank() over (order by coalesce(t.valid, 0) desc) end as rank, n.*,
                   coalesce(t.valid, 0) as valid, coalesce(t.repeat, 0) as repeat,
                   n.nominated_on between $p_start and $p_end as in_period
            from nominees n left join tally t using (nomination_id)
        )
        select {', '.join(cols)} from final
        order by rank nulls last, valid desc, name, nomination_id
    """
    df = db.frame(sql, params)
    df["rank"] = pd.Series([int(x) if pd.notna(x) else None for x in df["rank"]], index=df.index, dtype=object)
    for c in ("valid", "repeat"):
        df[c] = df[c].astype("int64")
    return df


def votes_by_day(filters: Filters, scope: Scope, campaign: str | None,
                 person_id: str | None = None) -> pd.DataFrame:
    """day, valid, repeat: votes cast each day of the period (only days with votes)."""
    if campaign is None:
        return pd.DataFrame(columns=["day", "valid", "repeat"])
    params: dict = {}
    where = _where("votes", filters, scope, campaign, params)
    if person_id:
        where += " and n.person_id = $person_id"
        params["person_id"] = person_id
    df = db.frame(f"""
        select cast(r.voted_at as date) as day, {VALID} as valid, {REPEAT} as repeat
        from {SOURCES['votes'].from_sql} where {where} group by 1 order by 1
    """, params)
    df["day"] = pd.to_datetime(df["day"])
    return df


def votes_by_channel(filters: Filters, scope: Scope, campaign: str | None,
                     person_id: str | None = None) -> pd.DataFrame:
    """channel (None when not recorded), valid, repeat, total: in the contract's channel order."""
    if campaign is None:
        return pd.DataFrame(columns=["channel", "valid", "repeat", "total"])
    params: dict = {}
    where = _where("votes", filters, scope, campaign, params)
    if person_id:
        where += " and n.person_id = $person_id"
        params["person_id"] = person_id
    df = db.frame(f"""
        select r.channel, {VALID} as valid, {REPEAT} as repeat, count(*) as total
        from {SOURCES['votes'].from_sql} where {where} group by 1
    """, params)
    order = {c: i for i, c in enumerate(VOTE_CHANNELS)}
    df["_order"] = [order.get(c, len(order)) if isinstance(c, str) else len(order) + 1 for c in df.channel]
    df["channel"] = df["channel"].astype(object).where(df["channel"].notna(), None)
    return df.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def by_unit_groups(filters: Filters, scope: Scope) -> list[str]:
    """The units to compare: the children of the drilled unit, or the unit itself at a leaf."""
    children = reference.drill_children(filters.unit, scope)
    return children or ([filters.unit] if filters.unit else [])


def nominations_by_unit(filters: Filters, scope: Scope, campaign: str | None) -> pd.DataFrame:
    """key (unit code, with its subtree), name, direct, nominees, selected, valid; units with
    none left out. Nominees as the ranking counts them (the campaign's, nominated up to the
    period's last day), valid votes those cast in the period.

    Records of the drilled unit itself (or of the levels above its compared children, such as
    the detachment's own officers) are one more row, `direct`, with key None and the name of
    the unit above the compared ones, so the rows add up to the page's totals.
    """
    groups = by_unit_groups(filters, scope)
    cols = ["key", "name", "direct", "nominees", "selected", "valid"]
    if campaign is None or not groups:
        return pd.DataFrame(columns=cols)
    total, selected = BY_ID["nominations.total"].expr, BY_ID["nominations.selected"].expr
    group_join = ("left join unit_closure uc on uc.unit_code = o.unit_code "
                  "and uc.ancestor_code in (select unnest($group_units))")
    params: dict = {"group_units": groups}
    where = _where("nominations", nominees_until(filters), scope, campaign, params)
    noms = db.frame(f"""
        select uc.ancestor_code as key, {total} as nominees, {selected} as selected
        from {SOURCES['nominations'].from_sql} {group_join}
        where {where} group by 1
    """, params)
    vparams: dict = {"group_units": groups}
    vwhere = _where("votes", filters, scope, campaign, vparams)
    votes = db.frame(f"""
        select uc.ancestor_code as key, {VALID} as valid
        from {SOURCES['votes'].from_sql} {group_join}
        where {vwhere} group by 1
    """, vparams)
    keys = pd.DataFrame({"key": [*groups, None]}, dtype=object)
    noms["key"], votes["key"] = noms["key"].astype(object), votes["key"].astype(object)
    df = keys.merge(noms, on="key", how="left").merge(votes, on="key", how="left")
    for c in ("nominees", "selected", "valid"):
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    names = reference.unit_names(scope)
    parents = reference.units(scope).set_index("unit_code").parent_code
    above = parents.get(groups[0])
    above = above if isinstance(above, str) else filters.unit
    df["direct"] = df["key"].isna()
    df["name"] = [names.get(k) if isinstance(k, str) else names.get(above) for k in df["key"]]
    df = df[(df.nominees > 0) | (df.valid > 0)]
    return df.sort_values(["nominees", "selected", "valid"], ascending=False)[cols].reset_index(drop=True)
