"""Marts rebuilt after every load, inside the same publish.

`unit_closure` lists every (ancestor, unit) pair of the unit hierarchy, the
unit itself included, so a unit scope is one semi-join. `peak_periods` and `season_days` hold the tourism calendar (see
`warehouse.calendar`), with the 旺季 deployments the warehouse records
counted as peak days too. `vote_flags` marks
each vote valid or repeat once, by the data contract's rule: the first vote
of a voter for a nomination on a calendar day is valid, later ones that day
are repeats.
"""
from __future__ import annotations

import duckdb

from warehouse.calendar import FIRST_YEAR, LAST_YEAR, calendar_rows

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

create or replace table vote_flags as
select vote_id,
       row_number() over (
           partition by nomination_id, voter_key, cast(voted_at as date)
           order by voted_at, vote_id
       ) = 1 as is_valid
from votes;

create or replace table season_days as
select d.day::date as day,
       case when exists (select 1 from peak_periods p where d.day between p.first_day and p.last_day)
              or exists (select 1 from deployments x where x.season = '旺季'
                         and d.day between x.start_date and x.end_date)
            then '旺季' else '淡季' end as season
from range(date '{first}-01-01', date '{last}-12-31' + interval 1 day, interval 1 day) d(day);
"""


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create or replace table peak_periods (first_day date, last_day date, kind varchar, "
                "label_zh varchar, label_en varchar)")
    con.executemany("insert into peak_periods values (?, ?, ?, ?, ?)", calendar_rows())
    con.execute(MARTS_SQL.replace("{first}", str(FIRST_YEAR)).replace("{last}", str(LAST_YEAR)))
