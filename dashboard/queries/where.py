"""The filters and the scope in SQL: `where_sql` turns them into a WHERE clause with
`$named` parameters for one catalog source. Both restrictions are always applied,
so the filters can narrow the scope, never widen it.
"""
from __future__ import annotations

import datetime as dt

from dashboard.model.catalog import Source
from dashboard.model.filters import Filters, Scope
from warehouse.record_types import PEAK


def subtree(param: str) -> str:
    return f"(select unit_code from unit_closure where ancestor_code = ${param})"


def where_sql(source: Source, filters: Filters, scope: Scope, params: dict) -> str:
    """The WHERE clause for one source's rows; fills `params` with what it uses."""
    conds = []
    if source.is_stock:
        conds.append(f"{source.start_expr} <= $end and ({source.end_expr} is null or {source.end_expr} > $end)")
        params["end"] = filters.end
    else:
        conds.append(f"{source.date_expr} >= $start and {source.date_expr} < $end_next")
        params["start"] = filters.start
        params["end_next"] = filters.end + dt.timedelta(days=1)
        if filters.season:
            # 淡季 is every day that is not a peak day, so a record dated outside the
            # years the calendar covers is off-season rather than in neither season.
            peak = f"(select day from season_days where season = '{PEAK}')"
            conds.append(f"cast({source.date_expr} as date) "
                         f"{'in' if filters.season == PEAK else 'not in'} {peak}")
    # The scope and the unit filter are separate conditions, both always applied:
    # a unit outside the scope selects nothing, it never replaces the scope.
    if filters.unit:
        conds.append(f"{source.unit_expr} in {subtree('unit')}")
        params["unit"] = filters.unit
    if scope.unit is not None:
        conds.append(f"{source.unit_expr} in {subtree('scope_unit')}")
        params["scope_unit"] = scope.unit
    if filters.area:
        if source.area_expr:
            conds.append(f"{source.area_expr} = $area")
        else:  # records with no scenic area: those of the unit responsible for it
            conds.append(f"{source.unit_expr} in (select c.unit_code from unit_closure c "
                         f"join scenic_areas a on c.ancestor_code = a.unit_code where a.area_code = $area)")
        params["area"] = filters.area
    return " and ".join(conds)
