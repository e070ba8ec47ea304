"""The rollup marts and the median from a distribution give exactly what the records give.

The catalog reads `incident_daily` / `survey_daily` instead of the records when it
can, and medians from the distribution of whole seconds. Each test below compares
that reading with the metric's own expression over the records, on the demo city.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from dashboard.model.catalog import BY_ID, METRICS, SOURCES, Metric
from dashboard.model.filters import Filters, Scope
from dashboard.queries.breakdown import metric_frame
from dashboard.queries.metrics import MIDDLE, _banded_median_ctes, _median_ctes, _number, compute
from dashboard.queries.where import where_sql

ROLLED = [m for m in METRICS if isinstance(m, Metric) and (m.rollup_expr or m.median_seconds)]
YEAR = (dt.date(2025, 11, 23), dt.date(2026, 11, 22))


def _views(con) -> list[tuple[str, Filters]]:
    unit = con.execute("select unit_code from units where unit_level = '分县局' order by 1 limit 1").fetchone()[0]
    area = con.execute("select area_code from scenic_areas order by 1 limit 1").fetchone()[0]
    return [
        ("year", Filters(*YEAR)),
        ("one day", Filters(dt.date(2026, 10, 3), dt.date(2026, 10, 3))),
        ("unit", Filters(*YEAR, unit=unit)),
        ("area", Filters(*YEAR, area=area)),
        ("peak season", Filters(*YEAR, season="旺季")),
        ("off season, unit", Filters(*YEAR, unit=unit, season="淡季")),
        ("empty", Filters(dt.date(2010, 1, 1), dt.date(2010, 1, 31))),
    ]


def _from_records(con, m: Metric, filters: Filters):
    source = SOURCES[m.source]
    params: dict = {}
    where = where_sql(source, filters, Scope.city(), params)
    n = m.n_expr or "null"
    return con.execute(f"select {m.expr}, {n} from {source.from_sql} where {where}", params).fetchone()


@pytest.fixture(scope="module")
def con(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


def test_the_demo_warehouse_has_rollup_rows(con):
    assert con.execute("select sum(incidents) from incident_daily").fetchone()[0] == \
        con.execute("select count(*) from incidents").fetchone()[0]
    assert con.execute("select sum(responses) from survey_daily").fetchone()[0] == \
        con.execute("select count(*) from surveys").fetchone()[0]


@pytest.mark.parametrize("metric", ROLLED, ids=lambda m: m.id)
def test_each_rolled_up_metric_equals_its_expression_over_the_records(con, metric):
    for label, filters in _views(con):
        got = compute(con, filters, Scope.city(), [metric.id])[metric.id]
        value, n = _from_records(con, metric, filters)
        value = _number(value)   # a sum of yuan (DECIMAL) as `compute` gives it
        assert got.value == value, (label, got.value, value)
        if metric.n_expr:
            assert got.n == n, (label, got.n, n)


def test_weekly_frames_from_rollups_equal_the_records_week_by_week(con, demo_db):
    ids = [m.id for m in ROLLED]
    frame = metric_frame(ids, Filters(dt.date(2026, 8, 3), dt.date(2026, 9, 27)), Scope.city(), "week")
    for _, row in frame.iterrows():
        week = Filters(row["key"].date(), row["key"].date() + dt.timedelta(days=6))
        for m in ROLLED:
            value, _ = _from_records(con, m, week)
            value = _number(value)
            if value is None:
                assert pd.isna(row[m.id]), (m.id, row["key"])
            else:
                assert row[m.id] == value, (m.id, row["key"], row[m.id], value)


def test_the_median_interpolates_two_middle_values_like_duckdb():
    con = duckdb.connect()
    con.execute("create table incidents (incident_id varchar, received_at timestamp, arrived_at timestamp, "
                "unit_code varchar, area_code varchar)")
    # Odd, then even once one more is added; the first two's midpoint rounds apart from lo + (hi - lo) / 2.
    seconds = [14711, 50692, 61, 7, 600, 95, 1234, 95, 3]
    for i, s in enumerate(seconds + [17]):
        con.execute("insert into incidents values (?, timestamp '2026-05-01 10:00:00', "
                    "timestamp '2026-05-01 10:00:00' + to_seconds(?), 'U', 'A')", [str(i), s])
        if i >= 1:
            with_rows = con.execute(
                "select median(date_diff('second', received_at, arrived_at) / 60.0) from incidents").fetchone()[0]
            m = next(x for x in METRICS if getattr(x, "median_seconds", None))
            ctes = _median_ctes(0, m.median_seconds, [], SOURCES["incidents"], "", "true")
            got = con.execute(f"with {', '.join(ctes)} select {MIDDLE.format(lo='lo', hi='hi')} from m0").fetchone()[0]
            assert got == with_rows


def _banded_median(con, seconds: list[int]) -> tuple[float | None, int]:
    """The banded median of one unit's responses of these many seconds, on their own warehouse."""
    from warehouse.marts import DERIVED

    con.execute("create or replace table incidents (incident_id varchar, received_at timestamp, "
                "arrived_at timestamp, unit_code varchar, area_code varchar)")
    con.execute("insert into incidents select i::varchar, timestamp '2026-05-01 10:00:00', "
                "timestamp '2026-05-01 10:00:00' + to_seconds(s), 'U', 'A' from unnest(?) with ordinality t(s, i)",
                [seconds])
    for name, _records, select in DERIVED:
        if name.startswith("response_"):
            con.execute(f"create or replace table {name} as " + select.replace("{records}", "incidents"))
    ctes = _banded_median_ctes(0, [], SOURCES["incidents"].median_bands, SOURCES["incidents"].median_values,
                               "", "true")
    return con.execute(f"with {', '.join(ctes)} select {MIDDLE.format(lo='lo', hi='hi')}, n from m0").fetchone() \
        or (None, 0)


@pytest.mark.parametrize("seconds", [
    [61, 7, 600, 95, 1234, 95, 3, 17],                 # the two middle values in different bands
    [14711, 50692, 10532, 27230, 13915, 44747],        # midpoints rounding apart from lo + (hi - lo) / 2
    [120, 119, 60, 59, 4000, 3599, 3600, 7200],        # on the bands' edges; an hour or more in the last band
    [5000, 9000, 86400, 3700, 12],                     # the median in the last band
    [300] * 5 + [301] * 4,                             # ties
    [42],
])
def test_the_banded_median_is_duckdbs_median_of_every_prefix(seconds):
    con = duckdb.connect()
    for k in range(1, len(seconds) + 1):
        want = con.execute("select median(s / 60.0) from unnest(?) t(s)", [seconds[:k]]).fetchone()[0]
        assert _banded_median(con, seconds[:k]) == (want, k), seconds[:k]


def test_the_banded_lag_frames_equal_the_records_by_unit_and_by_area(con, demo_db):
    from dashboard.queries.breakdown import concurrently, unit_and_area_frames_parts

    units = [r[0] for r in con.execute("select unit_code from units where unit_level = '分县局' order by 1").fetchall()]
    for filters in (Filters(*YEAR), Filters(*YEAR, season="旺季"), Filters(dt.date(2026, 10, 3), dt.date(2026, 10, 3))):
        thunks, finish = unit_and_area_frames_parts(["incidents.response_median_min"], filters, Scope.city(),
                                                    units, "#rest")
        for by, frame in zip(("unit", "area"), finish(concurrently(thunks))):
            for _, row in frame.iterrows():
                params: dict = {"k": row["key"]}
                where = where_sql(SOURCES["incidents"], filters, Scope.city(), params)
                if by == "area":
                    where += " and r.area_code = $k"
                elif row["key"] == "#rest":
                    params["units"] = units
                    where += (" and r.unit_code not in (select unit_code from unit_closure "
                              "where ancestor_code in (select unnest($units))) and $k is not null")
                else:
                    where += " and r.unit_code in (select unit_code from unit_closure where ancestor_code = $k)"
                want = con.execute(f"select median({BY_ID['incidents.response_median_min'].expr.split('(', 1)[1][:-1]}), "
                                   f"count(r.arrived_at) from incidents r where {where}", params).fetchone()
                got = row["incidents.response_median_min"]
                assert (None if pd.isna(got) else got, row["incidents.response_median_min#n"]) == want, (by, row["key"])


@pytest.mark.parametrize("by", ["area", "channel", "month", "respondent_type", "origin"])
def test_survey_breakdowns_from_the_rollup_equal_the_records(con, by):
    from dashboard.queries import satisfaction

    ids = satisfaction.RATE_METRICS + ["survey.responses"]
    column = {"area": "r.area_code", "channel": "r.channel", "respondent_type": "r.respondent_type",
              "origin": f"case when r.origin is null then null when list_contains($top, r.origin) then r.origin "
                        f"else '{satisfaction.OTHER}' end",
              "month": "cast(date_trunc('month', r.submitted_at) as date)"}[by]
    got = satisfaction.survey_rates(Filters(*YEAR), Scope.city(), by, None, ids)
    params: dict = {}
    where = where_sql(SOURCES["surveys"], Filters(*YEAR), Scope.city(), params)
    if by == "origin":  # the most frequent origins by name, the rest pooled
        params["top"] = [r[0] for r in con.execute(
            f"select r.origin from surveys r where {where} and r.origin is not null "
            f"group by 1 order by count(*) desc, 1 limit {satisfaction.TOP_ORIGINS}", params).fetchall()]
    selects = ", ".join(f'{m.expr} as "{m.id}", {m.n_expr or "null"} as "{m.id}#n"'
                        for m in (BY_ID[i] for i in ids))
    want = con.execute(f"select {column} as key, {selects} from surveys r where {where} group by 1", params).df()
    if by == "month":
        want["key"] = pd.to_datetime(want["key"])
    merged = want.merge(got, on="key", suffixes=("_want", "_got"))
    assert len(merged) == len(want) > 1
    for i in ids:
        assert (merged[f"{i}_want"] == merged[f"{i}_got"]).all(), i


def _median_sql(keyed=None) -> str:
    from dashboard.queries.metrics import aggregate_sql
    return aggregate_sql("incidents", [BY_ID["incidents.response_median_min"]], Filters(*YEAR), Scope.city(), {},
                         keyed)


def test_response_medians_of_periods_units_and_areas_read_the_banded_marts():
    sql = _median_sql()
    assert "from response_bands_daily r" in sql and "from response_values_daily r" in sql
    assert "incident_response" not in sql


def test_response_medians_keyed_by_a_column_the_bands_lack_read_the_response_mart():
    by_category = _median_sql(lambda src: ([("key", "r.category")], "", ""))
    assert "from incident_response r" in by_category and "response_bands_daily" not in by_category


def test_response_medians_keyed_by_a_column_the_mart_lacks_read_the_records():
    sql = _median_sql(lambda src: ([("key", "r.incident_id")], "", ""))
    assert "incident_response" not in sql and "date_diff('second', r.received_at, r.arrived_at)" in sql


def test_response_medians_by_unit_and_area_from_the_mart_equal_the_records(con, demo_db):
    for by in ("unit", "area"):
        frame = metric_frame(["incidents.response_median_min"], Filters(*YEAR), Scope.city(), by,
                             group_units=[r[0] for r in con.execute(
                                 "select unit_code from units where unit_level = '分县局' order by 1").fetchall()])
        for _, row in frame.iterrows():
            if row["key"] is None or pd.isna(row["incidents.response_median_min"]):
                continue
            where = ("r.unit_code in (select unit_code from unit_closure where ancestor_code = $k)" if by == "unit"
                     else "r.area_code = $k")
            want = con.execute(
                f"select median(date_diff('second', r.received_at, r.arrived_at) / 60.0) from incidents r "
                f"where r.received_at >= $s and r.received_at < $e and {where}",
                {"k": row["key"], "s": YEAR[0], "e": YEAR[1] + dt.timedelta(days=1)}).fetchone()[0]
            assert row["incidents.response_median_min"] == want, (by, row["key"])


@pytest.mark.parametrize("marts", [("incident_response",), ("response_bands_daily", "response_values_daily")])
def test_a_warehouse_published_before_the_response_marts_reads_the_records_until_its_next_load(con, demo_db, tmp_path,
                                                                                               marts):
    import shutil

    from warehouse.connection import Warehouse
    old = tmp_path / "older.duckdb"
    shutil.copy(demo_db, old)
    with duckdb.connect(str(old)) as writer:
        for mart in marts:
            writer.execute(f"drop table {mart}")
    cursor = Warehouse(old).cursor()  # as the dashboard reads: a cursor of the version's connection
    try:
        got = compute(cursor, Filters(*YEAR), Scope.city(), ["incidents.response_median_min"])
        want = compute(con, Filters(*YEAR), Scope.city(), ["incidents.response_median_min"])
        assert got["incidents.response_median_min"] == want["incidents.response_median_min"]
        assert got["incidents.response_median_min"].value is not None
    finally:
        cursor.close()


@pytest.mark.parametrize("label", ["year", "unit", "peak season"])
def test_five_point_answers_from_the_rollup_equal_the_records(con, demo_db, label):
    from dashboard.queries import satisfaction

    filters = dict(_views(con))[label]
    got = satisfaction.likert(filters, Scope.city())
    params: dict = {}
    where = where_sql(SOURCES["surveys"], filters, Scope.city(), params)
    for question in satisfaction.QUESTIONS:
        want = dict(con.execute(f"select r.{question}, count(*) from surveys r where {where} "
                                f"and r.{question} is not null group by 1", params).fetchall())
        rows = got[got["question"] == question]
        assert dict(zip(rows["score"], rows["count"])) == {s: want.get(s, 0) for s in range(1, 6)}, question
        assert rows["n"].iloc[0] == sum(want.values())


@pytest.mark.parametrize("label", ["year", "area", "off season, unit"])
@pytest.mark.parametrize("category", [None, "盗窃"])
def test_incident_breakdowns_from_the_mix_rollup_equal_the_records(con, demo_db, label, category):
    from dashboard.queries import incidents

    filters = dict(_views(con))[label]
    got = incidents._breakdown_counts(filters, Scope.city(), category)
    wide = Filters(filters.start, filters.end, filters.unit, None, filters.season)
    params: dict = {"area": filters.area, "category": category}
    where = where_sql(SOURCES["incidents"], wide, Scope.city(), params)
    in_area = "($area is null or r.area_code = $area)"
    in_category = "($category is null or r.category = $category)"
    want = con.execute(f"""
        select grouping(r.category) = 0, grouping(r.source) = 0, r.category, r.source, r.area_code,
               count(*) filter (where {in_area}), count(*) filter (where {in_area} and {in_category}),
               count(*) filter (where {in_category})
        from incidents r where {where} group by grouping sets ((r.category), (r.source), (r.area_code))""",
                       params).fetchall()
    assert sorted(got, key=str) == sorted(want, key=str)
