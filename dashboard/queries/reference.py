"""Reference data every page needs: the unit tree, scenic areas, warehouse facts.

Units come with their depth and a display order (depth-first), so a select
can indent them as a tree; `drill_children` finds the units one level below
a node that are worth comparing (it skips levels with a single unit, such
as 市局 → 旅游警察支队). All functions take the user's scope: a unit user
sees only their own subtree.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.model.filters import Scope
from dashboard.queries import db
from warehouse.record_types import DETACHMENT


def units(scope: Scope) -> pd.DataFrame:
    """unit_code, unit_name, unit_level, parent_code, depth, in depth-first order."""
    df = db.frame("""
        with recursive walk(unit_code, depth, path) as (
            select unit_code, 0, [unit_name] from units
            where parent_code is null or parent_code not in (select unit_code from units)
            union all
            select u.unit_code, w.depth + 1, list_append(w.path, u.unit_name)
            from units u join walk w on u.parent_code = w.unit_code
            where w.depth < 32
        )
        select u.unit_code, u.unit_name, u.unit_level, u.parent_code, w.depth
        from units u join walk w using (unit_code)
        where $scope is null or u.unit_code in (select unit_code from unit_closure where ancestor_code = $scope)
        order by w.path
    """, {"scope": scope.unit})
    return df


def unit_names(scope: Scope) -> dict[str, str]:
    df = units(scope)
    return dict(zip(df.unit_code.tolist(), df.unit_name.tolist()))


def scope_name(scope: Scope) -> str | None:
    """The name of a unit scope's own unit (its code when it has none); None for the city."""
    if scope.unit is None:
        return None
    return unit_names(scope).get(scope.unit, scope.unit)


def issuing_unit() -> str | None:
    """The unit that issues the figures: the top 旅游警察支队 of the tree, else its root unit."""
    found = db.rows("""
        with recursive walk(unit_code, depth) as (
            select unit_code, 0 from units
            where parent_code is null or parent_code not in (select unit_code from units)
            union all
            select u.unit_code, w.depth + 1 from units u join walk w on u.parent_code = w.unit_code
            where w.depth < 32
        )
        select u.unit_name from units u join walk w using (unit_code)
        order by (u.unit_level = $detachment) desc, w.depth, u.unit_code
        limit 1
    """, {"detachment": DETACHMENT})
    return found[0][0] if found else None


def areas(scope: Scope, unit: str | None = None) -> pd.DataFrame:
    """Scenic areas a scope may see: those whose responsible unit is in it (all for the city).

    `unit` narrows to the areas of that unit's subtree, within the scope: a unit
    outside the scope gives no areas, never the unit's own.
    """
    return db.frame("""
        select area_code, area_name, grade, unit_code, lon, lat from scenic_areas
        where ($scope is null or unit_code in (select unit_code from unit_closure where ancestor_code = $scope))
          and ($unit is null or unit_code in (select unit_code from unit_closure where ancestor_code = $unit))
        order by grade nulls last, area_code
    """, {"scope": scope.unit, "unit": unit or None})


def area_names(scope: Scope) -> dict[str, str]:
    df = areas(scope)
    return dict(zip(df.area_code.tolist(), df.area_name.tolist()))


def drill_children(node: str | None, scope: Scope) -> list[str]:
    """The units to compare under `node` (None: the top of the scope)."""
    df = units(scope)
    if df.empty:
        return []
    # Plain lists: a groupby over the few hundred units cost 5 ms a call, and most callbacks ask.
    unit_codes, parent_codes = df.unit_code.tolist(), df.parent_code.tolist()
    codes = set(unit_codes)
    children_of: dict[str, list[str]] = {}
    for code, parent in zip(unit_codes, parent_codes):
        children_of.setdefault(parent if isinstance(parent, str) else "", []).append(code)
    if node is None:
        current = [c for c, p in zip(unit_codes, parent_codes) if p is None or p not in codes]
    else:
        current = children_of.get(node, [])
    while len(current) == 1 and children_of.get(current[0]):
        current = children_of[current[0]]
    return current


def ancestors(unit: str | None, scope: Scope) -> list[str]:
    """The path from the top of the scope down to `unit` (inclusive)."""
    if not unit:
        return []
    df = units(scope)
    parent = dict(zip(df.unit_code, df.parent_code))
    path = []
    while unit in parent and unit not in path:
        path.append(unit)
        unit = parent[unit]
    return list(reversed(path))


def is_demo() -> bool:
    found = db.rows("select value from meta where key = 'demo'")
    return bool(found) and found[0][0] == "true"


def as_of() -> dt.datetime | None:
    """数据截至: the latest incident's time (China time, as recorded), never later than the last
    committed load (China time, as the loader stamps it); the load's time when there are no incidents."""
    found = db.rows("""
        select case when i.latest is null then l.loaded else least(i.latest, coalesce(l.loaded, i.latest)) end
        from (select max(finished_at) as loaded from load_log where status = 'committed') l,
             (select max(received_at) as latest from incidents) i
    """)
    return found[0][0] if found else None


def latest_record_day() -> dt.date | None:
    """The last day with incidents: the dashboard's notion of 'today' for a stale warehouse."""
    found = db.rows("select max(received_at)::date from incidents")
    return found[0][0] if found else None
