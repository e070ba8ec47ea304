"""The map page's queries and figures against a small hand-made warehouse: where the areas, posts
and incidents are, demand against supply by weekday and hour, and police person-times per 10,000
visitors by area and week — each figure equal to the records, in the user's scope.

The warehouse (tests.builders.warehouses): areas S1 (FJ1, 103.80 E 29.50 N), S2 (PCS2, 103.90 E
29.60 N) and S0 (no unit, no coordinates); the period is 2026-06-01 (a Monday) to 2026-06-14, two
whole weeks.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.figures.geo import map_figure
from dashboard.model.filters import Filters, Scope
from dashboard.model.judgements import furthest_from
from dashboard.queries import geo
from tests.builders.statements import recorded_statements
from tests.builders.warehouses import AREAS, build, deployment, incident, post, queries_reading, visit

PERIOD = Filters(dt.date(2026, 6, 1), dt.date(2026, 6, 14))
CITY = Scope()
PLACES = {"S1": ("103.8", "29.5"), "S2": ("103.9", "29.6")}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    areas = [dict(a, lon=PLACES.get(a["area_code"], ("", ""))[0], lat=PLACES.get(a["area_code"], ("", ""))[1])
             for a in AREAS]
    db = build(
        tmp_path_factory.mktemp("map"), scenic_areas=areas,
        posts=[
            post("P1", unit="FJ1", area="S1", lon="103.801", lat="29.502"),
            post("P2", "警务服务点", standardized="否", unit="PCS1", area="S1"),         # at its area's point
            post("P3", standardized="否", unit="PCS2", area="S2", lon="103.905", lat="29.598"),
            post("P4", "旅游警务服务站", unit="FJ2"),                                    # nowhere to put it
            post("P5", unit="FJ1", area="S1", closed="2026-06-10", lon="103.79", lat="29.49"),  # closed by the end
        ],
        incidents=[
            incident("I1", "2026-06-06 14:30", unit="FJ1", area="S1", lon="103.8012", lat="29.5012"),
            incident("I2", "2026-06-06 14:50", unit="PCS1", area="S1"),
            incident("I3", "2026-06-02 09:10", unit="PCS2", area="S2", lon="103.9012", lat="29.6012"),
            incident("I4", "2026-06-03 20:05", unit="FJ2"),
            incident("I5", "2026-05-31 10:00", unit="FJ1", area="S1", lon="103.8012", lat="29.5012"),
        ],
        visitors=[visit("S1", "2026-06-06", 5000), visit("S1", "2026-06-08", 1000),
                  visit("S2", "2026-06-02", 2000), visit("S2", "2026-06-09", 2000)],
        deployments=[
            deployment("D1", "2026-06-05", "2026-06-07", police=20, auxiliary=10, unit="FJ1", area="S1"),
            deployment("D2", "2026-05-31", "2026-06-01", police=8, unit="PCS2", area="S2"),
            deployment("D3", "2026-06-10", police=6, unit="FJ2"),
        ],
    )
    with queries_reading(db):
        yield db


pytestmark = pytest.mark.usefixtures("warehouse")


def test_each_area_in_view_has_its_place_and_figures():
    areas = geo.map_areas(PERIOD, CITY).set_index("area_code")
    assert sorted(areas.index) == ["S0", "S1", "S2"]
    assert (areas.loc["S1", "lon"], areas.loc["S1", "lat"]) == (103.8, 29.5)
    assert areas.loc[["S1", "S2", "S0"], "incidents.total"].tolist() == [2, 1, 0]
    assert areas.loc[["S1", "S2", "S0"], "visitors.total"].tolist() == [6000, 4000, 0]
    assert areas.loc["S1", "incidents.per_10k_visitors"] == pytest.approx(2 * 10000 / 6000)
    assert areas.loc["S2", "incidents.per_10k_visitors"] == pytest.approx(1 * 10000 / 4000)


def test_posts_in_use_are_placed_at_their_own_point_else_their_area():
    posts = geo.map_posts(PERIOD, CITY).set_index("post_code")
    assert sorted(posts.index) == ["P1", "P2", "P3", "P4"]
    assert posts.loc["P1", ["lon", "lat", "located"]].tolist() == [103.801, 29.502, "point"]
    assert posts.loc["P2", ["lon", "lat", "located"]].tolist() == [103.8, 29.5, "area"]
    assert pd.isna(posts.loc["P4", "located"]) and pd.isna(posts.loc["P4", "lon"])
    assert posts.loc["P1", "standardized"] and not posts.loc["P3", "standardized"]


def test_incidents_are_counted_by_cell_and_those_without_a_place_apart():
    cells = geo.incident_cells(PERIOD, CITY)
    placed = cells[cells.lon.notna()]
    assert placed.incidents.sum() == 3 and placed.at_area.sum() == 1
    assert cells[cells.lon.isna()].incidents.tolist() == [1]
    s1 = placed[(placed.lon - 103.8).abs() < 0.005]
    assert s1.incidents.sum() == 2       # I1 at its point, I2 at its area's, a cell apart at most


def test_demand_and_supply_by_weekday_equal_the_records():
    week = geo.by_weekday(PERIOD, CITY).set_index("dow")
    assert week.days.tolist() == [2] * 7
    assert week.incidents.tolist() == [0, 1, 1, 0, 0, 2, 0]
    assert week.visitors.tolist() == [1000, 4000, 0, 0, 0, 5000, 0]
    # D1's 30 person-times over Fri–Sun, D2's 8 over Sun 31 May (outside) and Mon 1 June, D3's 6 on a Wednesday
    assert week.person_times.tolist() == pytest.approx([4, 0, 6, 0, 10, 10, 10])


def test_incidents_by_hour_of_week_equal_the_records():
    hours = geo.by_hour_of_week(PERIOD, CITY)
    assert len(hours) == 168 and hours.incidents.sum() == 4
    found = {(r.dow, r.hour): r.incidents for r in hours.itertuples() if r.incidents}
    assert found == {(6, 14): 2, (2, 9): 1, (3, 20): 1}


def test_person_times_per_10k_visitors_by_area_and_week_equal_the_records():
    weekly = geo.area_week_ratio(PERIOD, CITY)
    got = {(r.area_code, r.week.date().isoformat()): (r.person_times, r.visitors, r.per_10k)
           for r in weekly.itertuples()}
    assert got[("S1", "2026-06-01")] == pytest.approx((30, 5000, 60))
    assert got[("S1", "2026-06-08")] == pytest.approx((0, 1000, 0))
    assert got[("S2", "2026-06-01")] == pytest.approx((4, 2000, 20))
    assert got[("S2", "2026-06-08")] == pytest.approx((0, 2000, 0))
    assert pd.isna(got[("S0", "2026-06-01")][2])      # no visitors: no ratio
    totals = geo.area_ratio(PERIOD, CITY).set_index("area_code")
    assert totals.loc["S1", "per_10k"] == pytest.approx(50) and totals.loc["S2", "per_10k"] == pytest.approx(10)


def test_the_reference_is_every_area_of_the_scope_whatever_the_view_narrows_to():
    city = geo.reference_ratio(PERIOD, CITY)
    assert (city["person_times"], city["visitors"]) == (pytest.approx(34), 10000)
    assert city["per_10k"] == pytest.approx(34)
    narrowed = geo.reference_ratio(Filters(PERIOD.start, PERIOD.end, area="S1"), CITY)
    assert narrowed["per_10k"] == pytest.approx(34)
    assert geo.reference_ratio(PERIOD, Scope("FJ1"))["per_10k"] == pytest.approx(50)


def test_the_areas_furthest_from_the_reference_are_flagged():
    totals = geo.area_ratio(PERIOD, CITY)
    ratios = dict(zip(totals.area_code, totals.per_10k))
    # S1 at 50 is under 1.5 times the reference 34; S2 at 10 is 3.4 times below it; S0 has no ratio
    assert furthest_from(ratios, 34) == ["S2"]
    assert furthest_from({"a": 1, "b": 100, "c": 12, "d": 0}, 10, most=2) == ["d", "b"]
    assert furthest_from({"a": 1}, None) == []


@pytest.mark.parametrize("unit,areas,posts,incidents", [
    ("FJ1", ["S1"], ["P1", "P2"], 2),
    ("FJ2", ["S2"], ["P3", "P4"], 2),
])
def test_a_unit_user_sees_only_their_areas_posts_and_incidents(unit, areas, posts, incidents):
    scope = Scope(unit)
    assert sorted(geo.map_areas(PERIOD, scope).area_code) == areas
    assert sorted(geo.map_posts(PERIOD, scope).post_code) == posts
    assert geo.incident_cells(PERIOD, scope).incidents.sum() == incidents
    assert geo.by_weekday(PERIOD, scope).incidents.sum() == incidents
    assert sorted(set(geo.area_week_ratio(PERIOD, scope).area_code)) == areas


def test_the_map_draws_one_marker_per_placed_area_and_post():
    fig = map_figure(geo.map_areas(PERIOD, CITY), geo.map_posts(PERIOD, CITY), geo.incident_cells(PERIOD, CITY),
                     "incidents.per_10k_visitors", "visitors.total", "zh")
    by_meta: dict = {}
    for trace in fig.data:
        by_meta.setdefault(trace.meta, []).extend(trace.customdata[:, 0].tolist() if trace.customdata is not None
                                                  else [])
    areas = by_meta.get("areas", []) + by_meta.get("areas-none", [])
    posts = [code for meta, codes in by_meta.items() if meta.startswith("posts-") for code in codes]
    assert sorted(areas) == ["S1", "S2"]
    assert sorted(posts) == ["P1", "P2", "P3"]
    assert by_meta["posts-room-std"] == ["P1"] and by_meta["posts-point"] == ["P2"] and by_meta["posts-room"] == ["P3"]
    assert "density" in by_meta
    assert fig.layout.yaxis.scaleanchor == "x"


def test_the_bureaus_boundary_is_drawn_from_its_geojson_file_and_a_bad_file_is_named(tmp_path, monkeypatch,
                                                                                     warehouse):
    from dashboard.app import create_app
    create_app(warehouse)
    from dashboard.pages import map as page
    good = tmp_path / "boundary.geojson"
    good.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon",'
                    ' "coordinates": [[[103.7, 29.4], [104.0, 29.4], [104.0, 29.7], [103.7, 29.4]]]}}]}',
                    encoding="utf-8")
    monkeypatch.setenv("TPD_MAP_BOUNDARY", str(good))
    rings, problem = page.boundary()
    assert problem is None and rings == [[(103.7, 29.4), (104.0, 29.4), (104.0, 29.7), (103.7, 29.4)]]
    fig = map_figure(geo.map_areas(PERIOD, CITY), geo.map_posts(PERIOD, CITY), geo.incident_cells(PERIOD, CITY),
                     "survey.satisfaction_rate", "incidents.total", "en", rings)
    assert [list(t.x) for t in fig.data if t.meta == "boundary"] == [[103.7, 104.0, 104.0, 103.7]]
    bad = tmp_path / "bad.geojson"
    bad.write_text("not json", encoding="utf-8")
    monkeypatch.setenv("TPD_MAP_BOUNDARY", str(bad))
    rings, problem = page.boundary()
    assert rings == [] and "无法读取" in problem and "not readable GeoJSON" in problem
    monkeypatch.setenv("TPD_MAP_BOUNDARY", str(tmp_path / "missing.geojson"))
    assert "不存在" in page.boundary()[1]


def test_weekday_and_hour_of_week_read_the_incidents_once(monkeypatch):
    ran = recorded_statements(monkeypatch)
    geo.by_weekday(PERIOD, CITY), geo.by_hour_of_week(PERIOD, CITY)
    assert sum(" from incidents " in " ".join(sql.split()) + " " for sql in ran) == 1


def test_deployments_of_one_unit_area_and_span_are_spread_over_its_days_once():
    import duckdb

    con = duckdb.connect()
    con.execute("create table deployments (unit_code varchar, area_code varchar, start_date date, end_date date, "
                "police_count integer, auxiliary_count integer)")
    con.execute("insert into deployments values ('FJ1', 'S1', '2026-06-05', '2026-06-07', 20, 10), "
                "('FJ1', 'S1', '2026-06-05', '2026-06-07', 6, null), ('FJ1', 'S1', '2026-06-06', '2026-06-06', 5, 0)")
    days = con.execute(f"select cast(day as varchar), person_times from {geo.DEPLOYMENT_DAYS.from_sql} "
                       "order by 1, 2").fetchall()
    # the two deployments of 5–7 June are one row a day (36 / 3), the one-day deployment its own
    assert days == [("2026-06-05", 12.0), ("2026-06-06", 5.0), ("2026-06-06", 12.0), ("2026-06-07", 12.0)]


def test_the_weekday_chart_counts_each_weekday_of_part_weeks():
    # Wednesday 3 June to Friday 12 June 2026: Wed–Fri twice, Sat–Tue once; none in an empty span
    assert [geo._weekdays_in(dt.date(2026, 6, 3), dt.date(2026, 6, 12), d) for d in geo.WEEKDAYS] == [1, 1, 2, 2, 2, 1, 1]
    assert geo._weekdays_in(dt.date(2026, 6, 3), dt.date(2026, 6, 2), 3) == 0
