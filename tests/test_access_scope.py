"""A user's scope in the query layer: the unit filter narrows it, never widens or replaces it.

On the session's demo warehouse, as a unit commander of one 景区分局: a unit
filter naming another branch selects nothing; naming the city's root unit
(an ancestor of the scope) still gives only the scope's own figures; the
helper queries that list areas and units (filter bar, staffing) keep to the
scope too. Only None is the whole city: a blank unit is refused.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dashboard.model.filters import Filters, Scope
from dashboard.queries import reference
from dashboard.queries import staffing as staffing_q
from dashboard.queries.kpis import metric_values
from tests.dashboard_fixtures import TODAY, demo_db  # noqa: F401  (fixture)

YEAR = dt.date(TODAY.year, 1, 1)


@pytest.fixture(scope="module")
def units(demo_db):  # noqa: F811
    """(root of the city, one branch, another branch)"""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        root = con.execute("select unit_code from units where parent_code is null").fetchone()[0]
        branches = [r[0] for r in con.execute(
            "select unit_code from units where unit_level = '景区分局' order by 1 limit 2").fetchall()]
    finally:
        con.close()
    return root, branches[0], branches[1]


def total(unit: str | None, scope: Scope) -> int:
    return metric_values(Filters(YEAR, TODAY, unit=unit), scope, ["incidents.total"])["incidents.total"].value


@pytest.mark.parametrize("blank", ["", "  ", 0, False])
def test_only_none_is_the_whole_city(blank):
    with pytest.raises(ValueError):
        Scope(blank)


def test_a_unit_filter_outside_the_scope_selects_nothing(units):
    _, own, other = units
    assert total(other, Scope.city()) > 0
    assert total(other, Scope(own)) == 0


def test_an_ancestor_as_the_unit_filter_keeps_to_the_scope(units):
    root, own, _ = units
    assert total(root, Scope(own)) == total(None, Scope(own)) == total(own, Scope.city())
    assert total(root, Scope(own)) < total(None, Scope.city())


def test_areas_of_another_unit_are_not_listed(units):
    root, own, other = units
    assert not reference.areas(Scope.city(), other).empty
    assert reference.areas(Scope(own), other).empty
    assert set(reference.areas(Scope(own), root).area_code) == set(reference.areas(Scope(own)).area_code)


def test_staffing_by_area_keeps_to_the_scope(units):
    _, own, other = units
    assert not staffing_q.area_staffing(Filters(YEAR, TODAY, unit=other), Scope.city()).empty
    assert staffing_q.area_staffing(Filters(YEAR, TODAY, unit=other), Scope(own)).empty
    mine = staffing_q.area_staffing(Filters(YEAR, TODAY), Scope(own))
    assert set(mine.area_code) == set(reference.areas(Scope(own)).area_code)


def test_the_staffing_units_under_an_ancestor_filter_show_only_the_scope(units):
    root, own, _ = units
    rows, _ = staffing_q.unit_table(Filters(YEAR, TODAY, unit=root), Scope(own))
    inside = set(reference.units(Scope(own)).unit_code)
    assert rows and {r["key"] for r in rows if r["kind"] == "unit"} <= inside
