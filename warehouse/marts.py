"""Marts refreshed by every load, inside the same publish.

The daily marts (`DAILY`) are recomputed for the calendar days a batch touched (the days of
its new rows and of the versions its updates replaced); the small ones are rebuilt whole.
`python -m etl rebuild` builds every mart from the records (a changed definition, a repair);
`tests/test_etl_incremental.py` holds the two equal.

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
suggestion or the lowest overall score, newest first) for the comments grid;
`vote_daily` (`vote_facts` counted by day, nomination and channel) for the vote counts;
`incident_mix_daily` (the incidents counted by day, unit, area, category and source) for
the incidents' breakdowns; `mediation_daily` (the mediations counted by day, unit and area:
opened, concluded, mediated, compensation) for the catalog's mediation figures;
`response_bands_daily` and `response_values_daily` for the exact response-time
medians of whole periods, units and areas without sorting millions of seconds:
the first counts each day's, unit's and area's responses by whole minute (band
`b00` … `b59`, an hour or more in `b60`), the second holds each distinct
response in seconds with its count, by band, day, unit and area, sorted by band
then day, so the rows of one band in one period are a few blocks (see
`dashboard.queries.metrics`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.calendar import FIRST_YEAR, LAST_YEAR, calendar_rows
from warehouse.record_types import (ADMINISTRATIVE_CASE, CRIMINAL_CASE, INCIDENTS, MEDIATED, MEDIATING, MEDIATIONS,
                                    OFF_PEAK, PEAK, SURVEYS, VOTES)

if TYPE_CHECKING:   # connections are handed in: the catalog reads this module's column lists without DuckDB
    import duckdb

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

# The response-time bands: whole minutes, the last band an hour or more (a negative time, which
# the checks do not let in, would count in the first).
RESPONSE_BAND_SECONDS, RESPONSE_BANDS = 60, 61
RESPONSE_BAND_SQL = f"least(greatest(response_s // {RESPONSE_BAND_SECONDS}, 0), {RESPONSE_BANDS - 1})"
RESPONSE_BAND_COLUMNS = tuple(f"b{k:02d}" for k in range(RESPONSE_BANDS))
_RESPONSES = """(select cast(received_at as date) as day, unit_code, area_code,
              date_diff('second', received_at, arrived_at) as response_s
       from {records}
       where arrived_at is not null and received_at is not null)"""

# The data contract's vote rule: the first vote of a voter for a nomination on a calendar day.
VOTE_FLAGS = """
select v.*,
       row_number() over (
           partition by nomination_id, voter_key, cast(voted_at as date)
           order by voted_at, vote_id
       ) = 1 as is_valid
from {records} v"""

# Marts that are one SELECT over one record table: (name, that table, the SELECT, which names the
# table as {records}).
DERIVED = (
    # The votes counted by day, nomination and channel: a few thousand rows for millions of votes.
    ("vote_daily", "votes", """
select cast(voted_at as date) as day, nomination_id, channel,
       count(*) filter (where is_valid) as valid, count(*) filter (where not is_valid) as repeats
from (""" + VOTE_FLAGS + """)
group by all
order by day"""),
    ("mediation_daily", "mediations", f"""
select cast(opened_at as date) as day, unit_code, area_code,
       count(*) as mediations,
       count(*) filter (where result <> '{MEDIATING}') as concluded,
       count(*) filter (where result <> '{MEDIATING}' and result = '{MEDIATED}') as mediated,
       sum(compensation_yuan) as compensation
from {{records}}
group by all
order by day"""),
    ("incident_mix_daily", "incidents", """
select cast(received_at as date) as day, unit_code, area_code, category, source, count(*) as incidents
from {records}
group by all
order by day"""),
    ("incident_response", "incidents", f"""
select {", ".join(INCIDENT_RESPONSE_COLUMNS)},
       date_diff('second', received_at, arrived_at) as response_s
from {{records}}
where arrived_at is not null and received_at is not null
order by received_at"""),
    # One PIVOT: a row's counts are put in their band's column by hash; 61 filtered sums
    # tested every counted row 61 times (twice the time).
    ("response_bands_daily", "incidents", f"""
select day, unit_code, area_code,
       {", ".join(f"coalesce({c}, 0)::integer as {c}" for c in RESPONSE_BAND_COLUMNS)}
from (pivot (select day, unit_code, area_code, {RESPONSE_BAND_SQL} as band from {_RESPONSES})
      on band in ({", ".join(f"{k} as {c}" for k, c in enumerate(RESPONSE_BAND_COLUMNS))})
      using count(*) group by day, unit_code, area_code)
order by day"""),
    ("response_values_daily", "incidents", f"""
select {RESPONSE_BAND_SQL}::utinyint as band, day, unit_code, area_code, response_s, count(*)::integer as responses
from {_RESPONSES}
group by all
order by band, day"""),
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

UNIT_CLOSURE_SQL = """
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
"""

# The peak days are the calendar's peak periods and the days of the 旺季 deployments, each
# distinct interval expanded once (a correlated lookup of every deployment for every day cost
# 2 s at the 10M demo's 85,000 deployments; this, milliseconds).
SEASON_DAYS_SQL = """
create or replace table season_days as
with days as (
    select d.day::date as day
    from range(date '{first}-01-01', date '{last}-12-31' + interval 1 day, interval 1 day) d(day)
), intervals as (
    select first_day, last_day from peak_periods
    union
    select start_date, end_date from deployments where season = '{PEAK}'
), peak_days as (
    select distinct unnest(generate_series(first_day, last_day, interval 1 day))::date as day
    from intervals where first_day is not null and last_day is not null and first_day <= last_day
)
select days.day, case when peak_days.day is not null then '{PEAK}' else '{OFF_PEAK}' end as season
from days left join peak_days using (day)
order by days.day;
"""

# Marts whose every row comes from the records of one calendar day (the day of the record
# table's date column): (name, that table, the SELECT naming the table as {records}, the
# mart's expression for that day). A load recomputes only the days its batch touched.
DAILY = (
    ("vote_facts", "votes", VOTE_FLAGS + """
order by voted_at""", "cast(voted_at as date)"),
    ("incident_daily", "incidents", f"""
select cast(received_at as date) as day, unit_code, area_code,
       count(*) as incidents,
       count(*) filter (where closed_at is not null
                        and cast(closed_at as date) = cast(received_at as date)) as closed_same_day,
       count(*) filter (where case_type = '{ADMINISTRATIVE_CASE}') as administrative,
       count(*) filter (where case_type = '{CRIMINAL_CASE}') as criminal
from {{records}}
group by all
order by day""", "day"),
    ("survey_daily", "surveys", f"""
select cast(submitted_at as date) as day, unit_code, area_code, channel,
       {SURVEY_COUNTS}
from {{records}}
group by all
order by day""", "day"),
    *((name, records, select, {"incident_response": "cast(received_at as date)",
                               "survey_feedback": "cast(submitted_at as date)"}.get(name, "day"))
      for name, records, select in DERIVED),
)

# The column of each record table whose calendar day its daily marts are kept by.
DAY_COLUMNS = {rt.table: rt.date_column for rt in (INCIDENTS, SURVEYS, VOTES, MEDIATIONS)}

TOUCHED_DAYS = "touched_days"

# Publishes whose daily marts are kept elsewhere (warehouse.partitions registers each of its
# connections): id of the connection → what refreshes them, given `incremental`.
DAILY_ELSEWHERE: dict = {}


def note_touched_days(con: duckdb.DuckDBPyConnection, table: str, rows_sql: str, params=None) -> None:
    """Remember the days of `rows_sql`'s rows of `table` (new versions and the versions they
    replace): the next `refresh_marts(con, incremental=True)` recomputes those days."""
    if table not in DAY_COLUMNS:
        return
    con.execute(f"create temp table if not exists {TOUCHED_DAYS} (records varchar, day date)")
    con.execute(f"insert into {TOUCHED_DAYS} select distinct $records, cast({DAY_COLUMNS[table]} as date) "
                f"from ({rows_sql})", {**(params or {}), "records": table})


def refresh_marts(con: duckdb.DuckDBPyConnection, *, incremental: bool = False) -> None:
    """Build every mart from the records, or (`incremental`) only the days noted as touched.

    The small marts (calendar, unit closure, season days) are rebuilt either way. A daily
    mart the warehouse lacks, or whose columns no longer match its definition (a column
    added to its record table), is built whole."""
    con.execute("create or replace table peak_periods (first_day date, last_day date, kind varchar, "
                "label_zh varchar, label_en varchar)")
    rows = calendar_rows()   # one statement: executemany costs a statement per row
    con.execute("insert into peak_periods values " + ", ".join(["(?, ?, ?, ?, ?)"] * len(rows)),
                [value for row in rows for value in row])
    values = {"first": FIRST_YEAR, "last": LAST_YEAR, "PEAK": PEAK, "OFF_PEAK": OFF_PEAK}
    season_sql = SEASON_DAYS_SQL
    for name, value in values.items():
        season_sql = season_sql.replace("{" + name + "}", str(value))
    con.execute(UNIT_CLOSURE_SQL)
    con.execute(season_sql)
    elsewhere = DAILY_ELSEWHERE.get(id(con))
    if elsewhere is not None:   # a partitioned warehouse: the daily marts live in the month partitions
        elsewhere(incremental)
        con.execute(f"drop table if exists {TOUCHED_DAYS}")
        return
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'main'").fetchall()}
    noted = TOUCHED_DAYS in {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where temporary").fetchall()}
    for name, records, select, day in DAILY:
        if not incremental or name not in present:
            con.execute(f"create or replace table {name} as " + select.replace("{records}", records))
        elif noted:
            _refresh_days(con, name, records, select, day)
    if noted:
        con.execute(f"drop table {TOUCHED_DAYS}")


def _refresh_days(con: duckdb.DuckDBPyConnection, name: str, records: str, select: str, day: str) -> None:
    days = f"(select day from {TOUCHED_DAYS} where records = '{records}')"
    if not con.execute(f"select count(*) from {days}").fetchone()[0]:
        return
    touched = select.replace("{records}", f"(select * from {records} "
                                           f"where cast({DAY_COLUMNS[records]} as date) in {days})")
    if shape_of(con, touched) != _columns(con, name, temporary=False):
        con.execute(f"create or replace table {name} as " + select.replace("{records}", records))
    else:
        con.execute(f"delete from {name} where {day} in {days}")
        con.execute(f"insert into {name} by name {touched}")


def shape_of(con: duckdb.DuckDBPyConnection, select: str) -> list[tuple[str, str]]:
    """The columns (name, type) `select` gives, without computing its rows: the touched days'
    rows go straight into their mart (held in a temporary table first, they cost as much again)."""
    con.execute(f"create or replace temp table _mart_shape as select * from ({select}) limit 0")
    columns = mart_columns(con, "_mart_shape", "temp")
    con.execute("drop table _mart_shape")
    return columns


def _columns(con: duckdb.DuckDBPyConnection, table: str, *, temporary: bool) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
        "and database_name = case when $tmp then 'temp' else current_database() end order by column_index",
        {"t": table, "tmp": temporary}).fetchall()


def mart_columns(con: duckdb.DuckDBPyConnection, table: str, catalog: str) -> list[tuple[str, str]]:
    """The columns (name, type) of `table` in the catalog `catalog` ('temp' for a temporary table)."""
    return con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = $t and schema_name = 'main' "
        "and database_name = $c order by column_index", {"t": table, "c": catalog}).fetchall()


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
