"""Values: every cell format the data contract accepts, and the ones it refuses.

One batch holding every case is loaded once for the module (one row per case,
each with its own key); each test then looks at its own row. A value the
contract accepts lands typed in the warehouse; one it refuses sends its row to
quarantine as a bad value, never rounded or guessed.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import duckdb

from tests.builders.files import copy_warehouse, load, rec, write_records, write_xlsx

_readers: dict = {}


def query(db, sql, params=None):
    """One read-only connection per module warehouse: they are loaded once and never change."""
    if db not in _readers:
        _readers[db] = duckdb.connect(str(db), read_only=True)
    return _readers[db].execute(sql, params).fetchall()

D = dt.date(2021, 5, 3)
T = dt.datetime(2021, 5, 3, 14, 5)
TS = dt.datetime(2021, 5, 3, 14, 5, 30)

# (case id, record type, column, raw cell, expected stored value)
NULLS = [
    ("blank", ""), ("spaces", "   "), ("dash", "-"), ("slash", "/"), ("no-data", "无数据"),
    ("full-width-dash", "－"), ("no-data-padded", " 无数据 "),
]
DATES = [
    ("iso", "2021-05-03"), ("slashes-no-padding", "2021/5/3"), ("slashes-padded", "2021/05/03"),
    ("chinese", "2021年5月3日"), ("compact", "20210503"), ("full-width", "２０２１－０５－０３"),
    ("padded-with-spaces", "  2021-05-03 "),
]
DATETIMES = [
    ("iso-minutes", "2021-05-03 14:05", T), ("iso-seconds", "2021-05-03 14:05:30", TS),
    ("slashes-minutes", "2021/5/3 14:05", T), ("chinese-seconds", "2021年5月3日 14:05:30", TS),
    ("compact-minutes", "20210503 14:05", T), ("full-width-colon", "2021-05-03 14：05", T),
    ("date-only-is-midnight", "2021-05-03", dt.datetime(2021, 5, 3)),
]
# A zone, where an export writes one, is converted to China time (UTC+8), stored without it.
ZONED_DATETIMES = [
    ("utc-z", "2021-05-03T06:05:00Z"), ("utc-offset", "2021-05-03 06:05:00+00:00"),
    ("china-offset", "2021-05-03 14:05:00+08:00"), ("compact-offset", "2021-05-03T14:05+0800"),
    ("hour-offset", "2021-05-03 14:05+08"), ("negative-offset", "2021-05-02 20:05 -10:00"),
]
BOOLEANS = [
    ("是", True), ("否", False), ("Y", True), ("N", False), ("y", True), ("n", False),
    ("yes", True), ("no", False), ("YES", True), ("No", False), ("true", True), ("false", False),
    ("TRUE", True), ("1", True), ("0", False), ("Ｙ", True), (" 是 ", True),
]
INTEGERS = [
    ("plain", "12", 12), ("full-width-digits", "１２", 12), ("thousands", "1,600", 1600),
    ("full-width-thousands", "１，６００", 1600), ("padded", "  7 ", 7), ("zero", "0", 0),
    ("millions", "12,345,678", 12345678), ("space-thousands", "1 600", 1600),
]
DECIMALS = [
    ("plain", "1600", Decimal("1600")), ("fraction", "1600.50", Decimal("1600.5")),
    ("thousands", "1,600.50", Decimal("1600.5")), ("full-width", "１６００．５", Decimal("1600.5")),
    ("full-width-thousands", "１，６００", Decimal("1600")),
    ("millions-with-fraction", "12,345,678.5", Decimal("12345678.5")),
    ("space-thousands", "1 600.5", Decimal("1600.5")),
    ("kept-to-the-fen", "1600.555", Decimal("1600.56")),
    # Not plain: past the fast cast, through the stripping of signs and separators.
    ("currency-sign", "¥1,600.50", Decimal("1600.5")), ("yuan", "1600 元", Decimal("1600")),
    ("trailing-point", "1600.", Decimal("1600")), ("leading-point", ".5", Decimal("0.5")),
    ("exponent", "1.6e3", Decimal("1600")),
]
# Survey scores: a number, the contract's own labels (and the other common wording), `5分`.
SCORES = [
    ("number", "5", 5), ("very-satisfied", "非常满意", 5), ("satisfied", "满意", 4), ("neutral", "一般", 3),
    ("dissatisfied", "不满意", 2), ("very-dissatisfied", "非常不满意", 1), ("hen-manyi", "很满意", 5),
    ("jiao-manyi", "较满意", 4), ("bijiao-manyi", "比较满意", 4), ("butai-manyi", "不太满意", 2),
    ("hen-bu-manyi", "很不满意", 1), ("fen", "5分", 5), ("full-width-fen", "４分", 4), ("spaced-fen", "3 分", 3),
]
ENUMS = [  # (case, column of incidents, raw, stored)
    ("exact", "category", "盗窃", "盗窃"), ("trimmed", "category", "  盗窃 ", "盗窃"),
    ("full-width-space-trimmed", "category", "\u3000盗窃\u3000", "盗窃"),
    ("full-width-digits-folded", "source", "１１０报警", "110报警"),
]
BAD = [  # (case, record type, column, raw)
    ("int-with-fraction-not-rounded", "deployments", "police_count", "3.5"),
    ("int-word", "deployments", "police_count", "十"),
    ("int-two-numbers", "deployments", "police_count", "3 4x"),
    ("decimal-word", "mediations", "compensation_yuan", "一千"),
    ("date-impossible-day", "services", "service_date", "2021-02-30"),
    ("date-month-13", "services", "service_date", "2021/13/1"),
    ("date-word", "services", "service_date", "五月三日"),
    ("datetime-bad-hour", "incidents", "received_at", "2021-05-03 25:00"),
    ("bool-word", "posts", "standardized", "maybe"),
    ("bool-number-2", "posts", "standardized", "2"),
    ("enum-unlisted", "incidents", "category", "抢劫"),
    ("enum-inner-space", "incidents", "category", "盗 窃"),
    ("enum-case-differs", "scenic_areas", "grade", "5a"),
    ("enum-partial", "incidents", "category", "盗"),
    # Not contract formats: refused, never stored as year 21, 1970-01-01 or the next day.
    ("date-two-digit-year", "services", "service_date", "21-05-03"),
    ("date-two-digit-year-slashes", "services", "service_date", "21/5/3"),
    ("date-epoch-word", "services", "service_date", "epoch"),
    ("date-infinity-word", "services", "service_date", "infinity"),
    ("datetime-two-digit-year", "incidents", "received_at", "21-05-03 14:05"),
    ("datetime-epoch-word", "incidents", "received_at", "epoch"),
    ("datetime-hour-24", "incidents", "received_at", "2021-05-03 24:00:00"),
    ("datetime-trailing-text", "incidents", "received_at", "2021-05-03 14:05 05"),
    # Thousands separators only where they group by three.
    ("int-misgrouped-thousands", "deployments", "police_count", "1,60"),
    ("int-comma-and-space-mixed", "deployments", "police_count", "1,600 000"),
    ("decimal-comma", "mediations", "compensation_yuan", "1 600,50"),
    ("decimal-misgrouped-thousands", "mediations", "compensation_yuan", "16,00.5"),
    ("decimal-nan", "mediations", "compensation_yuan", "NaN"),
    ("score-other-word", "surveys", "q_safety", "好"),
    # Excel's error values as a whole cell (a CSV saved from a sheet whose formulas failed).
    ("excel-error-in-enum", "incidents", "category", "#N/A"),
    ("excel-error-in-datetime", "incidents", "arrived_at", "#VALUE!"),
    ("excel-error-in-text", "incidents", "tourist_origin", "#REF!"),
    ("excel-error-in-code", "incidents", "area_code", "#N/A"),
]
OUT_OF_RANGE = [  # (case, record type, column, raw): a real date, but no plausible one
    ("date-year-0021", "services", "service_date", "0021-05-03"),
    ("date-excel-day-zero", "services", "service_date", "1899-12-30"),
    ("datetime-year-2200", "incidents", "received_at", "2200-05-03 14:05"),
    ("score-fen-above-5", "surveys", "q_safety", "6分"),
]
GRADES = [("exact", "5A", "5A"), ("full-width", "５Ａ", "5A")]

KEYS = {"incidents": "incident_id", "services": "service_id", "posts": "post_code",
        "deployments": "deployment_id", "mediations": "mediation_id", "scenic_areas": "area_code",
        "surveys": "response_id", "officers": "person_id", "nominations": "nomination_id"}


def _rows():
    """Every case as (record type, key, record)."""
    rows = []

    def add(rt, key, **changes):
        rows.append((rt, key, rec(rt, **{KEYS[rt]: key}, **changes)))

    for case, raw in NULLS:
        add("incidents", f"null-enum-{case}", source=raw)
        add("incidents", f"null-text-{case}", tourist_origin=raw)
        add("incidents", f"null-ts-{case}", closed_at=raw)
    for case, raw in DATES:
        add("services", f"date-{case}", service_date=raw)
    for case, raw, _ in DATETIMES:
        add("incidents", f"ts-{case}", received_at=raw, arrived_at="", closed_at="")
    for i, (raw, _) in enumerate(BOOLEANS):
        add("posts", f"bool-{i}", standardized=raw)
    for case, raw, _ in INTEGERS:
        add("deployments", f"int-{case}", police_count=raw)
    for case, raw, _ in DECIMALS:
        add("mediations", f"dec-{case}", compensation_yuan=raw)
    for case, column, raw, _ in ENUMS:
        add("incidents", f"enum-{case}", **{column: raw})
    for case, raw, _ in GRADES:
        add("scenic_areas", f"grade-{case}", grade=raw)
    for case, rt, column, raw in BAD:
        add(rt, f"bad-{case}", **{column: raw})
    for case, rt, column, raw in OUT_OF_RANGE:
        later = dict(arrived_at="", closed_at="") if column == "received_at" else {}  # not before it
        add(rt, f"range-{case}", **{column: raw}, **later)
    for case, raw in ZONED_DATETIMES:
        add("incidents", f"ts-zoned-{case}", received_at=raw, arrived_at="", closed_at="")
    for case, raw, _ in SCORES:
        add("surveys", f"score-{case}", q_safety=raw)
    add("scenic_areas", "coordinates", lon="116.397128", lat="39.916527")
    add("officers", "110001.0", name="李强")
    add("nominations", "nominates-110001", person_id="110001")
    add("incidents", "text-trimmed", tourist_origin="  广东 ", summary="\u3000游客手机被盗\u3000")
    add("incidents", "text-inner-spaces-kept", tourist_origin="广东 广州")
    add("incidents", "text-full-width-kept", tourist_origin="ＡＢ旅行团")
    add("incidents", " code-trimmed ", unit_code="  P01 ", area_code=" A01")
    add("incidents", "code-full-width", unit_code="Ｐ０１")
    return rows


@pytest.fixture(scope="module")
def values_db(tmp_path_factory, _reference_warehouse):
    root = tmp_path_factory.mktemp("values")
    db = copy_warehouse(_reference_warehouse, root / "warehouse.duckdb")
    by_type: dict[str, list[dict]] = {}
    for rt, _, record in _rows():
        by_type.setdefault(rt, []).append(record)
    paths = [write_records(root / f"{rt}.csv", rt, records) for rt, records in by_type.items()]
    result = load(db, *paths)
    assert all(f.rows == f.loaded + f.quarantined for f in result.files)
    return db


def stored(db, rt, key, column):
    rows = query(db, f"select {column} from {rt} where {KEYS[rt]} = $k", {"k": key})
    assert rows, f"{rt} {key} was not loaded: " + repr(
        query(db, "select column_name, raw_value, message_en from quarantine where raw_record like $k",
              {"k": f'%"{key}"%'}))
    return rows[0][0]


@pytest.mark.parametrize("case,raw", NULLS, ids=[c for c, _ in NULLS])
def test_null_markers_read_as_null_in_enum_text_and_datetime_columns(values_db, case, raw):
    assert stored(values_db, "incidents", f"null-enum-{case}", "source") is None
    assert stored(values_db, "incidents", f"null-text-{case}", "tourist_origin") is None
    assert stored(values_db, "incidents", f"null-ts-{case}", "closed_at") is None


@pytest.mark.parametrize("case,raw", DATES, ids=[c for c, _ in DATES])
def test_dates_accept_every_contract_format(values_db, case, raw):
    assert stored(values_db, "services", f"date-{case}", "service_date") == D


@pytest.mark.parametrize("case,raw,expected", DATETIMES, ids=[c for c, *_ in DATETIMES])
def test_datetimes_accept_minutes_or_seconds_after_any_date_format(values_db, case, raw, expected):
    assert stored(values_db, "incidents", f"ts-{case}", "received_at") == expected


@pytest.mark.parametrize("i,raw,expected", [(i, r, e) for i, (r, e) in enumerate(BOOLEANS)],
                         ids=[r for r, _ in BOOLEANS])
def test_booleans_accept_chinese_letters_words_and_digits(values_db, i, raw, expected):
    assert stored(values_db, "posts", f"bool-{i}", "standardized") is expected


@pytest.mark.parametrize("case,raw,expected", INTEGERS, ids=[c for c, *_ in INTEGERS])
def test_integers_accept_full_width_digits_and_thousands_separators(values_db, case, raw, expected):
    assert stored(values_db, "deployments", f"int-{case}", "police_count") == expected


@pytest.mark.parametrize("case,raw,expected", DECIMALS, ids=[c for c, *_ in DECIMALS])
def test_decimals_accept_full_width_digits_and_thousands_separators(values_db, case, raw, expected):
    assert stored(values_db, "mediations", f"dec-{case}", "compensation_yuan") == expected


@pytest.mark.parametrize("case,column,raw,expected", ENUMS, ids=[c for c, *_ in ENUMS])
def test_enums_match_after_trimming_and_full_width_folding(values_db, case, column, raw, expected):
    assert stored(values_db, "incidents", f"enum-{case}", column) == expected


@pytest.mark.parametrize("case,raw,expected", GRADES, ids=[c for c, *_ in GRADES])
def test_enum_letters_fold_from_full_width(values_db, case, raw, expected):
    assert stored(values_db, "scenic_areas", f"grade-{case}", "grade") == expected


@pytest.mark.parametrize("case,rt,column,raw", BAD, ids=[c for c, *_ in BAD])
def test_unreadable_value_quarantines_the_row_as_bad_value(values_db, case, rt, column, raw):
    key = f"bad-{case}"
    assert not query(values_db, f"select 1 from {rt} where {KEYS[rt]} = $k", {"k": key})
    rows = query(values_db, "select column_name, raw_value, reason from quarantine "
                            "where record_type = $t and raw_record like $k",
                 {"t": rt, "k": f'%"{key}"%'})
    assert rows == [(column, raw, "bad_value")]


@pytest.mark.parametrize("case,rt,column,raw", OUT_OF_RANGE, ids=[c for c, *_ in OUT_OF_RANGE])
def test_a_date_outside_1900_to_2100_or_a_score_above_5_is_quarantined_as_out_of_range(values_db, case, rt, column, raw):
    key = f"range-{case}"
    assert not query(values_db, f"select 1 from {rt} where {KEYS[rt]} = $k", {"k": key})
    rows = query(values_db, "select column_name, raw_value, reason from quarantine "
                            "where record_type = $t and raw_record like $k", {"t": rt, "k": f'%"{key}"%'})
    assert rows == [(column, raw, "out_of_range")]


def test_a_refused_date_says_a_four_digit_year_is_wanted(values_db):
    zh, en = query(values_db, "select message_zh, message_en from quarantine "
                              "where raw_record like '%bad-date-two-digit-year-slashes%'")[0]
    assert "四位" in zh and "2021/5/3" in zh and "four-digit year" in en
    zh, en = query(values_db, "select message_zh, message_en from quarantine "
                              "where raw_record like '%range-date-year-0021%'")[0]
    assert "1900～2100" in zh and "1900..2100" in en


def test_an_excel_error_value_is_named_as_such_not_as_an_unknown_code(values_db):
    rows = query(values_db, "select column_name, reason, message_zh, message_en from quarantine "
                            "where raw_record like '%bad-excel-error-in-code%'")
    assert [(c, r) for c, r, *_ in rows] == [("area_code", "bad_value")]
    assert "Excel 错误值" in rows[0][2] and "Excel error value" in rows[0][3]


@pytest.mark.parametrize("case,raw", ZONED_DATETIMES, ids=[c for c, _ in ZONED_DATETIMES])
def test_datetimes_with_a_zone_are_stored_in_china_time(values_db, case, raw):
    assert stored(values_db, "incidents", f"ts-zoned-{case}", "received_at") == T


@pytest.mark.parametrize("case,raw,expected", SCORES, ids=[c for c, *_ in SCORES])
def test_survey_scores_accept_the_labels_of_the_scale_and_a_trailing_fen(values_db, case, raw, expected):
    assert stored(values_db, "surveys", f"score-{case}", "q_safety") == expected


def test_coordinates_keep_six_decimals(values_db):
    assert stored(values_db, "scenic_areas", "coordinates", "lon") == Decimal("116.397128")
    assert stored(values_db, "scenic_areas", "coordinates", "lat") == Decimal("39.916527")


def test_decimal_columns_store_the_decimals_their_unit_needs(values_db):
    types = dict(query(values_db, "select column_name, data_type from duckdb_columns() "
                                  "where column_name in ('lon', 'lat', 'compensation_yuan')"))
    assert types == {"lon": "DECIMAL(18,6)", "lat": "DECIMAL(18,6)", "compensation_yuan": "DECIMAL(18,2)"}


def test_a_code_written_as_a_float_reads_as_the_integer_an_xlsx_number_cell_gives(values_db):
    # pandas writes the id 110001 as `110001.0`; the nomination naming 110001 must find it.
    assert stored(values_db, "officers", "110001", "person_id") == "110001"
    assert stored(values_db, "nominations", "nominates-110001", "person_id") == "110001"


def test_text_is_trimmed_of_half_and_full_width_spaces(values_db):
    assert stored(values_db, "incidents", "text-trimmed", "tourist_origin") == "广东"
    assert stored(values_db, "incidents", "text-trimmed", "summary") == "游客手机被盗"


def test_text_keeps_inner_spaces_and_its_own_characters(values_db):
    assert stored(values_db, "incidents", "text-inner-spaces-kept", "tourist_origin") == "广东 广州"
    assert stored(values_db, "incidents", "text-full-width-kept", "tourist_origin") == "ＡＢ旅行团"


def test_codes_are_trimmed_so_keys_and_references_match(values_db):
    assert stored(values_db, "incidents", "code-trimmed", "unit_code") == "P01"
    assert stored(values_db, "incidents", "code-trimmed", "area_code") == "A01"


def test_codes_typed_full_width_match_their_half_width_reference(values_db):
    assert stored(values_db, "incidents", "code-full-width", "unit_code") == "P01"


def test_null_case_type_is_stored_null(values_db):
    # The contract: "null means 无" is a reading for display and metrics, not a rewrite.
    assert stored(values_db, "incidents", "null-enum-blank", "case_type") is None


# --- spreadsheet cells ------------------------------------------------------------------

@pytest.fixture(scope="module")
def sheet_db(tmp_path_factory, _reference_warehouse):
    root = tmp_path_factory.mktemp("sheet-values")
    db = copy_warehouse(_reference_warehouse, root / "warehouse.duckdb")
    header = ["警情编号", "接警时间", "单位编码", "警情类别", "到场时间"]
    rows = [
        ["X-datetime-cell", dt.datetime(2021, 5, 3, 14, 5, 30), "P01", "盗窃", dt.datetime(2021, 5, 3, 14, 20)],
        ["X-date-cell-in-ts", dt.date(2021, 5, 3), "P01", "盗窃", None],
        ["X-text-cell", "2021年5月3日 14:05", "P01", "盗窃", None],
        [1001, "2021-05-03 14:05", "P01", "盗窃", None],
    ]
    incidents = write_xlsx(root / "incidents.xlsx", header, rows)
    services = write_xlsx(
        root / "services.xlsx", ["服务编号", "服务日期", "单位编码", "服务类型", "人次"],
        [["F-date-cell", dt.date(2021, 5, 3), "P01", "寻人", 2],
         ["F-datetime-midnight-cell", dt.datetime(2021, 5, 3), "P01", "寻人", 3.0],
         ["F-float-int", "2021-05-03", "P01", "寻人", 3.5],
         ["F-bool-cell", "2021-05-03", "P01", "寻人", 1]])
    posts = write_xlsx(
        root / "posts.xlsx", ["点位编码", "点位名称", "点位类型", "所属单位编码", "是否规范化", "启用日期"],
        [["S-true", "甲", "旅游警务室", "P01", True, dt.date(2021, 5, 3)],
         ["S-false", "乙", "旅游警务室", "P01", False, dt.date(2021, 5, 3)]])
    load(db, incidents, services, posts)
    return db


def test_excel_datetime_cells_load_to_the_second(sheet_db):
    assert query(sheet_db, "select received_at, arrived_at from incidents where incident_id = 'X-datetime-cell'") == [
        (TS, dt.datetime(2021, 5, 3, 14, 20))]


def test_excel_date_cell_in_a_datetime_column_is_midnight(sheet_db):
    assert query(sheet_db, "select received_at from incidents where incident_id = 'X-date-cell-in-ts'") == [
        (dt.datetime(2021, 5, 3),)]


def test_excel_date_cells_load_as_dates(sheet_db):
    assert query(sheet_db, "select service_id, service_date from services where service_id like 'F-date%' "
                           "order by 1") == [("F-date-cell", D), ("F-datetime-midnight-cell", D)]


def test_excel_text_cell_with_a_chinese_date_parses_like_csv(sheet_db):
    assert query(sheet_db, "select received_at from incidents where incident_id = 'X-text-cell'") == [(T,)]


def test_excel_number_cell_as_a_code_loses_no_decimal_point(sheet_db):
    assert query(sheet_db, "select incident_id from incidents where incident_id = '1001'") == [("1001",)]


def test_excel_whole_number_cells_load_as_integers(sheet_db):
    assert query(sheet_db, "select quantity from services where service_id = 'F-datetime-midnight-cell'") == [(3,)]


def test_excel_fractional_number_in_an_integer_column_is_refused_not_rounded(sheet_db):
    assert not query(sheet_db, "select 1 from services where service_id = 'F-float-int'")
    assert query(sheet_db, "select column_name, raw_value, reason from quarantine where raw_record like '%F-float-int%'") == [
        ("quantity", "3.5", "bad_value")]


def test_excel_boolean_cells_load_as_booleans(sheet_db):
    assert query(sheet_db, "select post_code, standardized from posts order by 1") == [
        ("S-false", False), ("S-true", True)]


# --- properties of the parsing SQL (no load: the expressions the loader composes) ----------

from hypothesis import given, settings, strategies as st  # noqa: E402

from etl.values import cleaned, parse  # noqa: E402
from warehouse.record_types import get  # noqa: E402

_sql = duckdb.connect()
FULL_WIDTH = str.maketrans("0123456789,-", "０１２３４５６７８９，－")
MANY = dict(min_size=1, max_size=100)  # many cells per query: compiling the SQL is the cost


def parsed(type_name, column, raws):
    """The typed values of many raw cells, in one query as the loader runs it."""
    col = get(type_name).column(column)
    sql = f"select {parse(cleaned('v', col), col)} from unnest($vs) with ordinality t(v, i) order by i"
    return [r[0] for r in _sql.execute(sql, {"vs": list(raws)}).fetchall()]


@settings(max_examples=6, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(min_value=-10**15, max_value=10**15), st.booleans()), **MANY))
def test_any_integer_reads_back_with_separators_and_in_full_width(cases):
    texts = [f"{n:,}".translate(FULL_WIDTH) if wide else f"{n:,}" for n, wide in cases]
    assert parsed("deployments", "police_count", texts) == [n for n, _ in cases]


DATE_PATTERNS = ["{d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日",
                 "{d:%Y%m%d}", "{d:%Y/%m/%d}"]


@settings(max_examples=6, deadline=None, database=None)
@given(st.lists(st.tuples(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)),
                          st.sampled_from(DATE_PATTERNS)), **MANY))
def test_any_date_reads_back_in_every_contract_format(cases):
    assert parsed("services", "service_date", [p.format(d=d) for d, p in cases]) == [d for d, _ in cases]


@settings(max_examples=6, deadline=None, database=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda t: t.replace(microsecond=0)), **MANY))
def test_any_datetime_reads_back_to_the_second(times):
    texts = [f"{t.year}年{t.month}月{t.day}日 {t:%H:%M:%S}" for t in times]
    assert parsed("incidents", "received_at", texts) == times


@settings(max_examples=6, deadline=None, database=None)
@given(st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False)
                .filter(lambda x: x != x.to_integral_value()), **MANY))
def test_any_fractional_number_in_an_integer_column_is_refused(numbers):
    assert parsed("deployments", "police_count", [str(x) for x in numbers]) == [None] * len(numbers)


def test_datetimes_are_stored_without_a_zone(values_db):
    assert query(values_db, "select distinct typeof(received_at) from incidents") == [("TIMESTAMP",)]
    assert stored(values_db, "incidents", "ts-iso-minutes", "received_at").tzinfo is None
