"""Marts rebuilt after every load, inside the same publish.

`unit_closure` lists every (ancestor, unit) pair of the unit hierarchy, the
unit itself included, so a unit scope is one semi-join. `peak_periods` and `season_days` hold the tourism calendar (see
`warehouse.calendar`), with the 旺季 deployments the warehouse records
counted as peak days too. `vote_facts` is every vote with its flag, by the
data contract's rule: the first vote of a voter for a nomination on a
calendar day is valid, later ones that day are repeats; sorted by time, so
a period reads only its own blocks.

`incident_daily` and `survey_daily` are the flow records pre-counted by day,
unit and scenic area (and survey channel), with the parts the catalog's
additive metrics are built from: a count, a rate's hits and base, a sum.
The catalog reads them instead of the records when every metric asked of a
source has a `rollup_expr`; `tests/test_metrics_rollups.py` holds the two
readings equal. A change to a metric's definition changes both places.

The DERIVED marts serve the views that would otherwise read millions of
records: `incident_response` (every incident with an arrival, its response
time in whole seconds computed once, with the columns incidents are filtered
and grouped by, sorted by time) for the response-time medians;
`survey_profile_daily` (`survey_daily` also keyed by respondent type and
origin) for those survey segments; `survey_answers_daily` (each question's
answers counted by score, a blank answer left out) for the five-point chart;
`survey_feedback` (the answers with a
suggestion or the lowest overall score, newest first) for the comments grid.
"""
from __future__ import annotations

import duckdb

from warehouse.calendar import FIRST_YEAR, LAST_YEAR, calendar_rows
from warehouse.record_types import ADMINISTRATIVE_CASE, CRIMINAL_CASE, OFF_PEAK, PEAK

SURVEY_COUNTS = """count(*) as responses,
       count(q_satisfaction) as satisfaction_answers,
       count(*) filter (where q_satisfaction >= 4) as satisfied,
       sum(q_satisfaction) as satisfaction_sum,
       count(q_safety) as safety_answers,
       count(*) filter (where q_safety >= 4) as feel_safe"""

FEEDBACK_LOW_SCORE = 2   # an overall satisfaction at or below this is a lowest-rated answer

# The incident columns `incident_response` keeps beside each response time: those incidents are
# filtered and grouped by (the metrics catalog reads the mart when a query names no other).
INCIDENT_RESPONSE_COLUMNS = ("received_at", "unit_code", "area_code", "category", "source", "case_type",
                             "tourist_origin")

# Marts that are one SELECT over one record table: (name, that table, the SELECT, which names the
# table as {records}).
DERIVED = (
    ("incident_response", "incidents", f"""
select {", ".join(INCIDENT_RESPONSE_COLUMNS)},
       date_diff('second', received_at, arrived_at) as response_s
from {{records}}
where arrived_at is not null and received_at is not null
order by received_at"""),
    ("survey_profile_daily", "surveys", f"""
select cast(submitted_at as date) as day, unit_code, area_code, channel, respondent_type, origin,
       {SURVEY_COUNTS}
from {{records}}
group by all
order by day"""),
    ("survey_answers_daily", "surveys", """
select cast(submitted_at as date) as day, unit_code, area_code, channel, question, score, count(*) as answers
from (unpivot (select submitted_at, unit_code, area_code, channel,
                      q_safety, q_satisfaction, q_visibility, q_efficiency, q_attitude from {records})
      on q_safety, q_satisfaction, q_visibility, q_efficiency, q_attitude into name question value score)
group by all
order by day"""),
    ("survey_feedback", "surveys", f"""
select * from {{records}}
where comment is not null or q_satisfaction <= {FEEDBACK_LOW_SCORE}
order by submitted_at desc, response_id"""),
)

MARTS_SQL = """
create or replace table unit_closure as
with recursive tree(ancestor_code, unit_code, depth, path) as (
    select unit_code, unit_code, 0, [unit_code] from units
    union all
    select tree.ancestor_code, child.unit_code, tree.depth + 1,
           list_append(tree.path, child.unit_code)
    from tree
    join units child on child.parent_code = tree.unit_code
    where not list_contains(tree.path, child.unit_code)
)
select distinct ancestor_code, unit_code, depth from tree;

drop table if exists vote_flags;
create or replace table vote_facts as
select v.*,
       row_number() over (
           partition by nomination_id, voter_key, cast(voted_at as date)
           order by voted_at, vote_id
       ) = 1 as is_valid
from votes v
order by voted_at;

create or replace table incident_daily as
select cast(received_at as date) as day, unit_code, area_code,
       count(*) as incidents,
       count(*) filter (where closed_at is not null
                        and cast(closed_at as date) = cast(received_at as date)) as closed_same_day,
       count(*) filter (where case_type = '{ADMINISTRATIVE_CASE}') as administrative,
       count(*) filter (where case_type = '{CRIMINAL_CASE}') as criminal
from incidents
group by all
order by day;

create or replace table survey_daily as
select cast(submitted_at as date) as day, unit_code, area_code, channel,
       {survey_counts}
from surveys
group by all
order by day;

create or replace table season_days as
select d.day::date as day,
       case when exists (select 1 from peak_periods p where d.day between p.first_day and p.last_day)
              or exists (select 1 from deployments x where x.season = '{PEAK}'
                         and d.day between x.start_date and x.end_date)
            then '{PEAK}' else '{OFF_PEAK}' end as season
from range(date '{first}-01-01', date '{last}-12-31' + interval 1 day, interval 1 day) d(day);
"""


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create or replace table peak_periods (first_day date, last_day date, kind varchar, "
                "label_zh varchar, label_en varchar)")
    con.executemany("insert into peak_periods values (?, ?, ?, ?, ?)", calendar_rows())
    values = {"first": FIRST_YEAR, "last": LAST_YEAR, "survey_counts": SURVEY_COUNTS, "PEAK": PEAK,
              "OFF_PEAK": OFF_PEAK, "ADMINISTRATIVE_CASE": ADMINISTRATIVE_CASE, "CRIMINAL_CASE": CRIMINAL_CASE}
    sql = MARTS_SQL
    for name, value in values.items():
        sql = sql.replace("{" + name + "}", str(value))
    con.execute(sql)
    for name, records, select in DERIVED:
        con.execute(f"create or replace table {name} as " + select.replace("{records}", records))


def stand_in_for_missing_marts(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """On a reader of a warehouse published before a mart existed, a view in its place in the
    reader's in-memory catalog (the same rows, computed when read), until the next load builds
    the mart. Cursors find it through their search path (`warehouse.connection`)."""
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = $c", {"c": catalog}).fetchall()}
    for name, records, select in DERIVED:
        if records in present and name not in present:
            qualified = select.replace("{records}", f"{catalog}.main.{records}")
            con.execute(f"create view memory.main.{name} as {qualified}")
