"""A user's scope in the query layer: the unit filter narrows it, never widens or replaces it.

On a small warehouse of explicit records (tests.builders.warehouses: CITY → ZD,
ZD → FJ1 → PCS1 and ZD → FJ2 → PCS2; scenic area S1 answered for by FJ1, S2 by
PCS2), as the commander of FJ1: a unit filter naming FJ2 selects nothing;
naming the city's root unit (an ancestor of the scope) still gives only the
scope's own figures; the helper queries that list areas and units (filter bar,
staffing) keep to the scope too. Only None is the whole city: a blank unit is
refused.
"""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.model.filters import Filters, Scope
from dashboard.queries import reference
from dashboard.queries import staffing as staffing_q
from dashboard.queries.kpis import metric_values
from tests.builders.warehouses import build, incident, officer, queries_reading, visit

MAY = (dt.date(2021, 5, 1), dt.date(2021, 5, 31))
ROOT, OWN, OTHER = "CITY", "FJ1", "FJ2"
RECORDS = dict(
    incidents=[incident("J1", "2021-05-03 10:00", unit="FJ1", area="S1"),
               incident("J2", "2021-05-04 10:00", unit="FJ1"),
               incident("J3", "2021-05-05 10:00", unit="PCS1"),
               incident("J4", "2021-05-06 10:00", unit="FJ2"),
               incident("J5", "2021-05-07 10:00", unit="PCS2", area="S2"),
               incident("J6", "2021-05-08 10:00", unit="ZD")],
    officers=[officer("110001", unit="FJ1"), officer("110002", unit="PCS1"), officer("110003", unit="PCS2")],
    visitors=[visit("S1", "2021-05-03", 12000), visit("S2", "2021-05-03", 8000)],
)


@pytest.fixture(scope="module", autouse=True)
def warehouse(tmp_path_factory):
    with queries_reading(build(tmp_path_factory.mktemp("scope"), **RECORDS)) as db:
        yield db


def may(unit: str | None = None) -> Filters:
    return Filters(*MAY, unit=unit)


def total(unit: str | None, scope: Scope) -> int:
    return metric_values(may(unit), scope, ["incidents.total"])["incidents.total"].value


@pytest.mark.parametrize("blank", ["", "  ", 0, False])
def test_only_none_is_the_whole_city(blank):
    with pytest.raises(ValueError):
        Scope(blank)


def test_a_unit_filter_outside_the_scope_selects_nothing():
    assert total(OTHER, Scope.city()) == 2
    assert total(OTHER, Scope(OWN)) == 0


def test_an_ancestor_as_the_unit_filter_keeps_to_the_scope():
    assert total(ROOT, Scope(OWN)) == total(None, Scope(OWN)) == total(OWN, Scope.city()) == 3
    assert total(None, Scope.city()) == 6


def test_areas_of_another_unit_are_not_listed():
    assert list(reference.areas(Scope.city(), OTHER).area_code) == ["S2"]
    assert reference.areas(Scope(OWN), OTHER).empty
    assert list(reference.areas(Scope(OWN), ROOT).area_code) == list(reference.areas(Scope(OWN)).area_code) == ["S1"]


def test_staffing_by_area_keeps_to_the_scope():
    theirs = staffing_q.area_staffing(may(OTHER), Scope.city())
    assert list(theirs.area_code) == ["S2"] and list(theirs.officers) == [1]
    assert staffing_q.area_staffing(may(OTHER), Scope(OWN)).empty
    mine = staffing_q.area_staffing(may(), Scope(OWN))
    assert list(mine.area_code) == ["S1"] and list(mine.officers) == [2]


def test_the_staffing_units_under_an_ancestor_filter_show_only_the_scope():
    rows, total_row = staffing_q.unit_table(may(ROOT), Scope(OWN))
    inside = set(reference.units(Scope(OWN)).unit_code)
    assert rows and {r["key"] for r in rows if r["kind"] == "unit"} <= inside
    assert total_row["staff.officers"] == 2
