"""Coordinates (经度/纬度) of scenic areas, posts and incidents: decimal degrees in the contract's
ranges, both or neither; a rejected row is kept in quarantine with its reason in Chinese and English."""
from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.builders.files import load, quarantined, query, rec, write_records
from warehouse.schema import ensure_schema

KEYS = {"scenic_areas": "area_code", "posts": "post_code", "incidents": "incident_id"}


def fresh(rt: str, **changes) -> dict:
    """A record of `rt` that is not in the reference batch already."""
    return rec(rt, **({"area_code": "A02"} if rt == "scenic_areas" else {}), **changes)


@pytest.mark.parametrize("rt", ["scenic_areas", "posts", "incidents"])
def test_coordinates_load_with_their_six_decimals(ref_db, inbox, rt):
    path = write_records(inbox / f"{rt}.csv", rt, [fresh(rt, lon="103.765432", lat="29.552187")])
    assert load(ref_db, path).files[0].loaded == 1
    key = KEYS[rt]
    stored = query(ref_db, f"select lon, lat from {rt} where {key} = ?", [fresh(rt)[key]])
    assert stored == [(Decimal("103.765432"), Decimal("29.552187"))]


@pytest.mark.parametrize("rt", ["posts", "incidents"])
def test_coordinates_are_optional(ref_db, inbox, rt):
    path = write_records(inbox / f"{rt}.csv", rt, [fresh(rt, lon="", lat="")])
    assert load(ref_db, path).files[0].loaded == 1


@pytest.mark.parametrize("rt,column,raw", [
    ("posts", "lon", "72.9"), ("posts", "lat", "54.5"),
    ("incidents", "lon", "136.01"), ("incidents", "lat", "2.5"),
])
def test_coordinates_outside_china_are_quarantined(ref_db, inbox, rt, column, raw):
    other = {"lon": "103.7", "lat": "29.5"}
    path = write_records(inbox / f"{rt}.csv", rt, [fresh(rt, **{**other, column: raw})])
    assert load(ref_db, path).files[0].quarantined == 1
    [error] = quarantined(ref_db)
    assert (error["column_name"], error["raw_value"], error["reason"]) == (column, raw, "out_of_range")
    assert "超出范围" in error["message_zh"] and "out of range" in error["message_en"]


@pytest.mark.parametrize("rt", ["scenic_areas", "posts", "incidents"])
@pytest.mark.parametrize("given,missing", [("lon", "lat"), ("lat", "lon")])
def test_a_longitude_without_its_latitude_or_the_reverse_is_a_row_error(ref_db, inbox, rt, given, missing):
    values = {given: "103.7" if given == "lon" else "29.5", missing: ""}
    path = write_records(inbox / f"{rt}.csv", rt, [fresh(rt, **values)])
    result = load(ref_db, path).files[0]
    assert (result.loaded, result.quarantined) == (0, 1)
    [error] = quarantined(ref_db)
    assert (error["column_name"], error["reason"]) == (missing, "half_pair")
    assert "须同时填写或同时留空" in error["message_zh"]
    assert "give both or neither" in error["message_en"]
    assert error["raw_record"] is not None


def test_a_warehouse_from_before_post_coordinates_gains_the_columns(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table posts (post_code varchar, post_name varchar, _batch_id varchar)")
    con.execute("insert into posts values ('S01', '古城旅游警务室', 'b1')")
    ensure_schema(con)
    rows = con.execute("select post_code, lon, lat from posts").fetchall()
    con.close()
    assert rows == [("S01", None, None)]
