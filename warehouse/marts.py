"""Marts rebuilt after every load, inside the same publish.

`unit_closure` lists every (ancestor, unit) pair of the unit hierarchy, the
unit itself included, so a unit scope is one semi-join. `vote_flags` marks
each vote valid or repeat once, by the data contract's rule: the first vote
of a voter for a nomination on a calendar day is valid, later ones that day
are repeats.
"""
from __future__ import annotations

import duckdb

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
"""


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MARTS_SQL)
