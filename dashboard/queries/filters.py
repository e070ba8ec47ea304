"""What every query takes: the filters a person chose and the scope they may see.

`Filters` is the period (whole days, both ends included), an optional unit
(its whole subtree), scenic area and season. `Scope` is the user's reach:
the whole city, or one unit's subtree; the filters can narrow it, never
widen it, because both restrictions are applied in SQL. `where_sql` turns
them into a WHERE clause with `$named` parameters for one catalog source.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard.queries.catalog import Source

SEASONS = ("旺季", "淡季")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    unit: str | None = None
    area: str | None = None
    season: str | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        if self.season is not None and self.season not in SEASONS:
            raise ValueError(f"unknown season {self.season!r}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def trailing_weeks(filters: Filters, weeks: int = 12) -> Filters:
    """The `weeks` calendar weeks (Monday to Sunday) that end with the week of the period's last
    day: a 12-week history whose only short week is the last one, when the period ends mid-week."""
    last_monday = filters.end - dt.timedelta(days=filters.end.weekday())
    return Filters(last_monday - dt.timedelta(weeks=weeks - 1), filters.end, filters.unit, filters.area,
                   filters.season)


@dataclass(frozen=True)
class Scope:
    """The units a user may see: None is the whole city, a unit code that unit's subtree.

    Only None means the city: an empty or non-text unit is refused here, so a
    unit user with a blank unit can never be read as "no restriction".
    """
    unit: str | None = None

    def __post_init__(self):
        if self.unit is not None and (not isinstance(self.unit, str) or not self.unit.strip()):
            raise ValueError(f"a scope's unit must be a unit code, not {self.unit!r}")

    @classmethod
    def city(cls) -> "Scope":
        return cls(None)


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
            peak = "(select day from season_days where season = '旺季')"
            conds.append(f"cast({source.date_expr} as date) "
                         f"{'in' if filters.season == '旺季' else 'not in'} {peak}")
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
